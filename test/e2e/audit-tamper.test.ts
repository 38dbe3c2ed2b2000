import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAuditService, type AuditService } from '../../src/audit/audit-service.js';
import { hashLeaf } from '../../src/audit/merkle.js';
import { checkStore } from '../../src/audit/vault-verify.js';
import { loadConfig } from '../../src/config/load.js';
import { PersonResolver } from '../../src/identity/person-resolver.js';
import { commitBatch } from '../../src/ingest/commit-batch.js';
import { normaliseLogs, type NormaliseOptions } from '../../src/ingest/normalise/normalise-logs.js';
import { prepareBatch } from '../../src/ingest/prepare-batch.js';
import { engines, openTestStore, type TestStore } from '../support/engines.js';
import { fixtureJson } from '../support/fixtures.js';

/**
 * Tamper tests (issue 7): change, delete, insert or reorder any stored audit entry or sealed activity row, and
 * `steward audit check` (checkStore) fails naming the first bad index. Each case tampers with the database
 * directly, as someone with SQL access would, after a checkpoint was signed.
 */
const opts: NormaliseOptions = { capture: 'off', limits: { maxValueBytes: 65536 }, now: () => 1_800_000_000_000 };

/** The Claude Code log capture with every record moved `shiftMs` later (so a second batch stores new events). */
function logs(shiftMs: number): unknown {
  const body = structuredClone(fixtureJson('otlp/http-json/logs.json')) as {
    resourceLogs: { scopeLogs: { logRecords: { timeUnixNano: string; observedTimeUnixNano?: string }[] }[] }[];
  };
  for (const rl of body.resourceLogs)
    for (const sl of rl.scopeLogs)
      for (const r of sl.logRecords) r.timeUnixNano = String(BigInt(r.timeUnixNano) + BigInt(shiftMs) * 1_000_000n);
  return body;
}

describe.each(engines)('tampering with the vault on %s', (dialect) => {
  let t: TestStore;
  let audit: AuditService;
  let firstSeal: number;
  let sealedIds: number[];

  beforeEach(async () => {
    t = await openTestStore(dialect);
    const config = loadConfig({
      flags: { dataDir: t.dataDir, ...(t.databaseUrl ? { databaseUrl: t.databaseUrl } : {}) },
    });
    audit = await openAuditService(t.store, config, (err) => {
      throw err;
    });
    for (let i = 0; i < 10; i++) {
      audit.record({
        time: 1_000 + i,
        actor: { kind: 'token', id: `tok${i % 3}`, name: 'ops' },
        action: 'keys.create',
        subject: { kind: 'key', id: `k${i}` },
      });
    }
    await audit.recorder.flush();
    await commitBatch(t.store, new PersonResolver(), prepareBatch(normaliseLogs(logs(0), opts)), 2_000);
    firstSeal = 10; // entries 0-9, the seal, then entries 11-40 (subjects v10-v39)
    for (let i = 10; i < 40; i++) {
      audit.record({
        time: 3_000 + i,
        actor: { kind: 'token', id: `tok${i % 3}`, name: 'ops' },
        action: 'policy.version.publish',
        subject: { kind: 'policy', id: `v${i}` },
        details: { n: i },
      });
    }
    await audit.recorder.flush();
    await audit.checkpoint(true);
    const ids = await t.store.db.selectFrom('events').select('id').orderBy('id').execute();
    sealedIds = ids.map((r) => r.id);
    const location = { dataDir: t.dataDir, databaseUrl: t.databaseUrl, pgSchema: t.pgSchema };
    for (const options of [{}, { location, parallelFrom: 1 }]) {
      const ok = await checkStore(t.store, audit.verifierKeys(), options);
      expect(ok).toMatchObject({
        ok: true,
        entries: 41,
        seals: 1,
        sealedEvents: sealedIds.length,
        firstBadIndex: null,
      });
    }
  });
  afterEach(async () => {
    await audit.close();
    await t.cleanup();
  });

  /** Checked on one thread, and again with the log split across two (as a large log is). */
  async function expectBad(index: number, reason: RegExp): Promise<void> {
    const location = { dataDir: t.dataDir, databaseUrl: t.databaseUrl, pgSchema: t.pgSchema };
    for (const options of [{}, { location, parallelFrom: 1 }]) {
      const report = await checkStore(t.store, audit.verifierKeys(), options);
      expect(report.ok).toBe(false);
      expect(report.firstBadIndex).toBe(index);
      expect(report.reason).toMatch(reason);
    }
  }

  it('changed entry content', async () => {
    await sql`UPDATE audit_entries SET leaf = replace(leaf, '"v16"', '"v99"') WHERE idx = 17`.execute(t.store.db);
    await expectBad(17, /17/);
  });

  it('changed searchable column (hiding from forensic search)', async () => {
    await sql`UPDATE audit_entries SET actor_id = 'someone-else' WHERE idx = 23`.execute(t.store.db);
    await expectBad(23, /actor_id/);
  });

  it('changed content with its leaf hash recomputed to match', async () => {
    const row = await t.store.db
      .selectFrom('audit_entries')
      .select('leaf')
      .where('idx', '=', 20)
      .executeTakeFirstOrThrow();
    const forged = (row.leaf as string).replace('"v19"', '"v18"');
    await t.store.db
      .updateTable('audit_entries')
      .set({ leaf: forged, leaf_hash: hashLeaf(forged) })
      .where('idx', '=', 20)
      .execute();
    await expectBad(20, /20/);
  });

  it('deleted entry', async () => {
    await sql`DELETE FROM audit_entries WHERE idx = 30`.execute(t.store.db);
    await expectBad(30, /30/);
  });

  it('inserted entry (the rows after it shifted up)', async () => {
    await sql`UPDATE audit_entries SET idx = -(idx + 1) WHERE idx >= 12`.execute(t.store.db);
    await sql`UPDATE audit_entries SET idx = -idx WHERE idx < 0`.execute(t.store.db);
    await sql`INSERT INTO audit_entries (idx, time, actor_kind, actor_id, actor_name, action, subject_kind, subject_id, outcome, source_ip, leaf, leaf_hash, hashes, appended_at)
      SELECT 12, time, actor_kind, actor_id, actor_name, action, subject_kind, subject_id, outcome, source_ip, leaf, leaf_hash, hashes, appended_at FROM audit_entries WHERE idx = 11`.execute(
      t.store.db,
    );
    await expectBad(12, /12/);
  });

  it('reordered entries (two whole rows swapped)', async () => {
    await sql`UPDATE audit_entries SET idx = -1 WHERE idx = 24`.execute(t.store.db);
    await sql`UPDATE audit_entries SET idx = 24 WHERE idx = 28`.execute(t.store.db);
    await sql`UPDATE audit_entries SET idx = 28 WHERE idx = -1`.execute(t.store.db);
    await expectBad(24, /24/);
  });

  it('changed sealed activity row', async () => {
    const id = sealedIds[7] as number;
    await sql`UPDATE events SET name = 'claude_code.something_else' WHERE id = ${id}`.execute(t.store.db);
    await expectBad(firstSeal, /changed after it was sealed/);
  });

  it('deleted sealed activity row', async () => {
    const id = sealedIds[3] as number;
    await sql`DELETE FROM events WHERE id = ${id}`.execute(t.store.db);
    await expectBad(firstSeal, new RegExp(`missing \\(first: event id ${id}\\)`));
  });

  it('activity row slipped in between sealed batches', async () => {
    const last = sealedIds[sealedIds.length - 1] as number;
    await sql`INSERT INTO events (id, dedupe_key, time, org_id, source, surface, kind, name, attrs)
      VALUES (${last + 1}, 'forged', 1, 'default', 'otlp', 'claude_code', 'prompt', 'claude_code.user_prompt', '{}')`.execute(
      t.store.db,
    );
    if (dialect === 'postgres') {
      // An explicit id does not move Postgres' sequence; a forger would move it too, or ingest would collide.
      await sql`SELECT setval(pg_get_serial_sequence('events', 'id'), ${last + 1})`.execute(t.store.db);
    }
    // The next batch is sealed after the forged row, so the forged id sits between sealed ids.
    await commitBatch(t.store, new PersonResolver(), prepareBatch(normaliseLogs(logs(60_000), opts)), 5_000);
    await audit.checkpoint(true);
    await expectBad(41, new RegExp(`event id ${last + 1} .*no seal covers it`)); // the seal after it
  });

  it('an identity merge rewriting person_id is not tampering', async () => {
    await sql`UPDATE events SET person_id = 'merged-person'`.execute(t.store.db);
    expect((await checkStore(t.store, audit.verifierKeys())).ok).toBe(true);
  });

  it('a forged checkpoint row is reported', async () => {
    await sql`UPDATE audit_checkpoints SET note = replace(note, '41', '42')`.execute(t.store.db);
    const report = await checkStore(t.store, audit.verifierKeys());
    expect(report.ok).toBe(false);
    expect(report.reason).toMatch(/not signed by a published key/);
  });
});
