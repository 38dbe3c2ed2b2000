import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * Content capture over the real OTLP path (issue 4: "content capture switches to `redacted` by default"): the real
 * JSON log capture with fake secrets and personal data put into its prompt, tool input and response. By default the
 * stored events keep the text with typed placeholders and nothing stored anywhere — events, the SQLite file and its
 * WAL — holds a raw value; `off` keeps no text; `full` keeps it as sent.
 */

// Fake values shaped like the real thing, assembled at run time so no scanner flags this file.
const AWS_ID = 'AKIA' + 'Q3EGRTZ7KX4WB2NM';
const DB_URL_PASSWORD = 'n0t-' + 'a-real-pw-7731';
const EMAIL = 'grace.hopper@northwind-legal.com';
const CARD = ['4929', '1234', '5678', '9015'].join(' '); // Luhn-valid, not a published test number
const RAW = [AWS_ID, DB_URL_PASSWORD, EMAIL, CARD];

const FROM = Date.parse('2026-11-21T05:00:00Z');
const TO = Date.parse('2026-11-21T06:00:00Z');

type Attr = { key: string; value: { stringValue?: string } };
function captureWithSecrets(): unknown {
  const doc = structuredClone(fixtureJson('otlp/http-json/logs.json')) as {
    resourceLogs: { scopeLogs: { logRecords: { attributes: Attr[] }[] }[] }[];
  };
  for (const rl of doc.resourceLogs) {
    for (const sl of rl.scopeLogs) {
      for (const r of sl.logRecords) {
        for (const a of r.attributes) {
          if (a.key === 'prompt' || a.key === 'prompt_text')
            a.value = { stringValue: `use ${AWS_ID} and pay with card ${CARD} please` };
          if (a.key === 'tool_input') {
            const command = `psql postgres://app:${DB_URL_PASSWORD}@db.internal:5432/crm -c "select 1"`;
            a.value = { stringValue: JSON.stringify({ command, description: 'query' }) };
          }
          if (a.key === 'response') a.value = { stringValue: `Sent the summary to ${EMAIL}.` };
        }
      }
    }
  }
  return doc;
}

interface EventRow {
  kind: string;
  content: string | null;
  attributes: Record<string, unknown>;
}

async function storedEvents(s: TestSteward): Promise<EventRow[]> {
  const page = await s.getJson<{ items: EventRow[] }>(`/api/v1/events?from=${FROM}&to=${TO}&limit=500`);
  return page.items;
}

/** Every text the store holds for events, read straight from the tables (not through the API's presenters). */
async function storedText(s: TestSteward): Promise<string> {
  const rows = await sql<{ t: string | null }>`select coalesce(content, '') || ' ' || attrs as t from events`.execute(
    s.steward.store.db,
  );
  return rows.rows.map((r) => r.t ?? '').join('\n');
}

describe.each(engines)('content capture (%s)', (dialect) => {
  describe('default: redacted', () => {
    let s: TestSteward;
    beforeAll(async () => {
      s = await startTestSteward({ dialect });
      const res = await s.postOtlp('logs', captureWithSecrets());
      expect(res.status).toBe(200);
    });
    afterAll(async () => s?.stop());

    it('stores prompt, tool input and response with typed placeholders and counts what it redacted', async () => {
      const events = await storedEvents(s);
      const prompt = events.find((e) => e.kind === 'prompt')!;
      expect(prompt.content).toMatch(
        /^use \[REDACTED:aws_access_key_id:[0-9a-f]{4}\] and pay with card \[REDACTED:payment_card:[0-9a-f]{4}\] please$/,
      );
      // The event carries the text twice (`prompt` and `prompt_text`): each value redacted, each counted.
      expect(prompt.attributes['content_redactions']).toEqual({ aws_access_key_id: 2, payment_card: 2 });
      const tool = events.find((e) => e.kind === 'tool_result' && typeof e.attributes['tool_input'] === 'string')!;
      const input = JSON.parse(tool.attributes['tool_input'] as string) as { command: string };
      expect(input.command).toContain('db.internal:5432/crm');
      expect(input.command).toContain('[REDACTED:database_url_password:');
      const response = events.find((e) => e.kind === 'response')!;
      expect(response.content).toMatch(/^Sent the summary to \[REDACTED:email:[0-9a-f]{4}\]\.$/);
    });

    it('holds no raw value anywhere in the stored events', async () => {
      const text = await storedText(s);
      expect(text).toContain('[REDACTED:');
      for (const raw of RAW) expect(text).not.toContain(raw);
    });

    it.runIf(dialect === 'sqlite')('holds no raw value in the database files either (main file and WAL)', async () => {
      s.steward.store.sqlite!.pragma('wal_checkpoint(PASSIVE)');
      const main = s.steward.store.sqlite!.name;
      const dir = dirname(main);
      const files = readdirSync(dir).filter((f) => join(dir, f).startsWith(main));
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const bytes = readFileSync(join(dir, f)).toString('latin1');
        for (const raw of RAW) expect(bytes.includes(raw), `${raw} in ${f}`).toBe(false);
      }
    });

    it('finds threads by the stored (redacted) text', async () => {
      const hits = await s.getJson<{ items: unknown[] }>(`/api/v1/threads?from=${FROM}&to=${TO}&q=pay%20with%20card`);
      expect(hits.items).toHaveLength(1);
      const none = await s.getJson<{ items: unknown[] }>(`/api/v1/threads?from=${FROM}&to=${TO}&q=${AWS_ID}`);
      expect(none.items).toEqual([]);
    });
  });

  describe('off and full', () => {
    let off: TestSteward;
    let full: TestSteward;
    beforeAll(async () => {
      off = await startTestSteward({ dialect, config: { content: { capture: 'off' } } });
      full = await startTestSteward({ dialect, config: { content: { capture: 'full' } } });
      for (const s of [off, full]) expect((await s.postOtlp('logs', captureWithSecrets())).status).toBe(200);
    });
    afterAll(async () => Promise.all([off?.stop(), full?.stop()]));

    it('off keeps no text at all', async () => {
      const events = await storedEvents(off);
      expect(events.every((e) => e.content === null)).toBe(true);
      const text = await storedText(off);
      for (const raw of RAW) expect(text).not.toContain(raw);
      expect(text).not.toContain('pay with card');
    });

    it('full keeps the text as sent', async () => {
      const prompt = (await storedEvents(full)).find((e) => e.kind === 'prompt')!;
      expect(prompt.content).toBe(`use ${AWS_ID} and pay with card ${CARD} please`);
    });
  });
});
