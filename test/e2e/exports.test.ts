import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../support/cli-capture.js';
import { engines } from '../support/engines.js';
import { fixtureJson } from '../support/fixtures.js';
import {
  startHecReceiver,
  startPagerDutyReceiver,
  startSlackReceiver,
  startWebhookReceiver,
  type HecReceiver,
  type Receiver,
  type SignedWebhook,
} from '../support/export-receivers.js';
import { startTestSteward, waitFor, type TestSteward } from '../support/steward.js';
import type { z } from 'zod';
import type { sinkSchema } from '../../src/config/export.schema.js';

type SinkInput = z.input<typeof sinkSchema>;

/**
 * Exports through a real Steward: the real Claude Code captures posted over OTLP and the audit entries the API
 * writes reach Splunk HEC (indexer acknowledgement on) and a signed webhook; the sinks' state over REST (no secret
 * in it), per-sink series in /metrics, dead letters re-queued over REST (admin only) and with the CLI.
 */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const HEC_TOKEN = 'hec-token-0123456789';
const ROUTING_KEY = 'abcdefghijabcdefghijabcdefghij12';

describe.each(engines)('exports through a running Steward on %s', (dialect) => {
  let t: TestSteward;
  let hec: HecReceiver;
  let hook: Receiver<SignedWebhook>;
  let pd: Awaited<ReturnType<typeof startPagerDutyReceiver>>;
  let slack: Awaited<ReturnType<typeof startSlackReceiver>>;
  let sinks: SinkInput[];

  beforeAll(async () => {
    hec = await startHecReceiver({ token: HEC_TOKEN, ack: true });
    hook = await startWebhookReceiver(SECRET);
    pd = await startPagerDutyReceiver();
    slack = await startSlackReceiver();
    const local = { allowPrivateAddresses: true, startFrom: 'earliest' as const };
    sinks = [
      { name: 'splunk', type: 'splunk_hec', url: hec.url, token: HEC_TOKEN, ackEnabled: true, ...local },
      {
        name: 'hooks',
        type: 'webhook',
        url: `${hook.url}/steward`,
        secret: SECRET,
        ...local,
        filters: { sources: ['audit'] },
      },
      { name: 'pager', type: 'pagerduty', url: `${pd.url}/v2/enqueue`, routingKey: ROUTING_KEY, ...local },
      { name: 'chat', type: 'slack', url: `${slack.url}/services/T000/B000/XXXXSECRETPATH`, ...local },
    ];
    t = await startTestSteward({
      dialect,
      config: { export: { sinks, pollIntervalMs: 50, backoffBaseMs: 20, backoffMaxMs: 50, maxAttempts: 2 } },
    });
    await t.sendCaptures();
  });
  afterAll(async () => {
    await t?.stop();
    for (const r of [hec, hook, pd, slack]) await r?.stop();
  });

  it('delivers ingested telemetry to HEC, acknowledged, each event once', async () => {
    const stored = await t.steward.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    const n = Number(stored.n);
    expect(n).toBeGreaterThan(10);
    await waitFor(
      async () => hec.received.filter((e) => String(e.fields?.steward_uid).startsWith('ev_')).length >= n,
      20_000,
    );
    const uids = hec.received.map((e) => String(e.fields?.steward_uid)).filter((u) => u.startsWith('ev_'));
    expect(new Set(uids).size).toBe(n);
    expect(hec.ackPolls).toBeGreaterThan(0);
    const request = hec.received.find(
      (e) => (e.event as { api?: { operation?: string } }).api?.operation === 'api_request',
    );
    expect(request?.event).toMatchObject({
      class_uid: 6003,
      metadata: { version: '1.8.0', profiles: ['ai_operation'] },
      ai_model: { ai_provider: 'Anthropic' },
      message_context: { completion_tokens: expect.any(Number) },
    });
  });

  it('signs audit entries written by the API to the webhook', async () => {
    const created = await t.api('/api/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'analyst', name: 'exported' }),
    });
    expect(created.status).toBe(201);
    const entry = await waitFor(
      async () =>
        hook.received.find((w) => (w.body.data as { api?: { operation?: string } }).api?.operation === 'keys.create'),
      20_000,
    );
    expect(entry.id).toMatch(/^msg_au_\d+_[0-9a-f]{16}$/);
    expect(entry.body).toMatchObject({ type: 'steward.api_activity', data: { class_uid: 6003, severity_id: 3 } });
    expect(hook.refused).toEqual([]);
  });

  it('shows each sink over REST without its secrets, and per-sink series in /metrics', async () => {
    const res = await t.api('/api/v1/exports/sinks', { role: 'analyst' });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of [HEC_TOKEN, SECRET, ROUTING_KEY, 'XXXXSECRETPATH']) expect(text).not.toContain(secret);
    const body = JSON.parse(text) as { items: { name: string; state: string; destination: string; pending: number }[] };
    expect(body.items.map((s) => s.name)).toEqual(['splunk', 'hooks', 'pager', 'chat']);
    expect(body.items[3]).toMatchObject({ destination: slack.url, state: 'ok' });
    const metrics = await (await t.api('/metrics', { role: 'analyst' })).text();
    for (const series of ['steward_export_lag_seconds', 'steward_export_pending', 'steward_export_dead']) {
      expect(metrics).toMatch(new RegExp(`${series}\\{sink="splunk"\\} \\d`));
    }
    expect(metrics).toMatch(/steward_export_delivered_total\{sink="splunk"\} [1-9]/);
    expect(metrics).toMatch(/steward_export_failures_total\{sink="chat"\} 0/);
  });

  it('dead-letters what PagerDuty refuses, lists it, and re-queues it (admin only, REST and CLI)', async () => {
    pd.failWith(400);
    // A deny decision from the hook endpoint: a high-severity finding, for PagerDuty and Slack.
    const before = pd.requests;
    expect(await denyPrompt('export-e2e')).toBe(200);
    await waitFor(async () => (await deadLetters('pager')).length > 0, 20_000);
    expect(pd.requests).toBeGreaterThan(before);
    const [dead] = await deadLetters('pager');
    expect(dead).toMatchObject({ kind: 'policy_decision', severity: 'high', attempts: 1 });
    expect(dead!.last_error).toContain('rejected: HTTP 400');
    expect(await slackHas('Policy deny')).toBe(true);

    expect((await t.api('/api/v1/exports/sinks/pager/requeue', { method: 'POST', role: 'analyst' })).status).toBe(403);
    expect((await t.api('/api/v1/exports/sinks/nope/requeue', { method: 'POST' })).status).toBe(404);
    pd.failWith(null);
    const requeued = await t.api('/api/v1/exports/sinks/pager/requeue', { method: 'POST' });
    expect(await requeued.json()).toEqual({ sink: 'pager', requeued: 1 });
    await waitFor(async () => pd.received.length === 1, 20_000);
    expect(pd.received[0]).toMatchObject({
      routing_key: ROUTING_KEY,
      payload: { severity: 'error', class: 'policy_decision' },
    });

    // The CLI reads the same outbox (SQLite: the server's data directory; PostgreSQL: its schema is not reachable
    // by flags, so the CLI is exercised on SQLite only).
    if (dialect === 'sqlite') {
      pd.failWith(400);
      expect(await denyPrompt('export-e2e-2')).toBe(200);
      await waitFor(async () => (await deadLetters('pager')).length > 0, 20_000);
      const dir = mkdtempSync(join(tmpdir(), 'steward-export-cli-'));
      try {
        const file = join(dir, 'config.json');
        writeFileSync(file, JSON.stringify({ dataDir: dataDirOf(t), export: { sinks } }));
        const status = await runCliCaptured(['export', 'status', '--config', file]);
        expect(status.code).toBe(0);
        expect(status.out).toMatch(
          /^pager \(pagerduty → http:\/\/127\.0\.0\.1:\d+\): dead_letters, 0 pending, 1 dead/m,
        );
        const listed = await runCliCaptured(['export', 'dead-letters', '--sink', 'pager', '--config', file]);
        expect(listed.out).toMatch(/^pager\tev_\S+\tpolicy_decision\thigh\t1 attempts\t/m);
        pd.failWith(null);
        const again = await runCliCaptured([
          'export',
          'dead-letters',
          '--sink',
          'pager',
          '--requeue',
          '--config',
          file,
        ]);
        expect(again.out).toBe('re-queued 1 dead letter(s)\n');
        await waitFor(async () => pd.received.length === 2, 20_000);
        const unknown = await runCliCaptured(['export', 'dead-letters', '--sink', 'nope', '--config', file]);
        expect(unknown).toMatchObject({ code: 1, err: expect.stringContaining('no export sink named "nope"') });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  /** A prompt carrying AWS credentials (fake, real shapes): the default policy denies it. */
  async function denyPrompt(sessionId: string): Promise<number> {
    const body = structuredClone(
      (fixtureJson('hooks/stdin/UserPromptSubmit.json') as { stdin: Record<string, unknown> }).stdin,
    );
    body.session_id = sessionId;
    body.prompt =
      'deploy with aws_access_key_id=AKIAQ3RT5X7ZJ2KMN4PW aws_secret_access_key=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';
    const res = await t.api('/hooks/claude-code', {
      method: 'POST',
      role: 'ingest',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await t.steward.app.enforcement.recorder.settled();
    return res.status;
  }

  async function deadLetters(
    sink: string,
  ): Promise<{ kind: string; severity: string; attempts: number; last_error: string }[]> {
    const res = await t.api(`/api/v1/exports/sinks/${sink}/dead-letters`, { role: 'analyst' });
    return ((await res.json()) as { items: { kind: string; severity: string; attempts: number; last_error: string }[] })
      .items;
  }

  async function slackHas(text: string): Promise<boolean> {
    await waitFor(async () => slack.received.some((m) => m.text?.includes(text)), 20_000);
    return true;
  }
});

/** The SQLite file's directory: the server's data directory. */
function dataDirOf(t: TestSteward): string {
  return t.steward.store.sqlite!.name.replace(/\/steward\.db$/, '');
}
