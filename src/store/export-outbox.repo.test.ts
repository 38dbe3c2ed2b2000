import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { appendAudit, auditEntry, eventRow, insertTestEvents } from '../../test/support/export-fixtures.js';
import { auditForExport, eventsForExport, maxAuditIdx, settledMaxEventId } from './export-sources.repo.js';
import {
  claimDue,
  enqueueAndAdvance,
  ensureCursor,
  listDead,
  markDead,
  markDelivered,
  markFailed,
  outboxRows,
  purgeDelivered,
  readCursor,
  releaseClaims,
  requeueDead,
  sinkStats,
  type NewOutboxRow,
} from './export-outbox.repo.js';

function row(sink: string, sourceId: number): NewOutboxRow {
  return {
    sink,
    source: 'events',
    source_id: sourceId,
    uid: `ev_${sourceId}`,
    kind: 'api_request',
    severity: 'info',
    payload: '{}',
  };
}

describe.each(engines)('export outbox repository on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('enqueues with the cursor move in one step, and a stale cursor (another replica) enqueues nothing', async () => {
    const db = t.store.db;
    expect(await readCursor(db, 'a', 'events')).toBeUndefined();
    expect(await ensureCursor(db, 'a', 'events', 5, 1)).toBe(5);
    // A second ensure (another replica) keeps the first position.
    expect(await ensureCursor(db, 'a', 'events', 9, 2)).toBe(5);
    const rows = [row('a', 6), row('a', 7)];
    expect(await enqueueAndAdvance(t.store, { sink: 'a', source: 'events', from: 5, to: 7, now: 10 }, rows)).toBe(true);
    expect(await readCursor(db, 'a', 'events')).toBe(7);
    // Same chunk again from the old position: the compare-and-swap refuses, nothing is inserted.
    expect(await enqueueAndAdvance(t.store, { sink: 'a', source: 'events', from: 5, to: 7, now: 11 }, rows)).toBe(
      false,
    );
    expect((await outboxRows(db, 'a')).map((r) => r.source_id)).toEqual([6, 7]);
    // Even past the cursor, the unique (sink, source, source_id) index keeps one row per record.
    expect(
      await enqueueAndAdvance(t.store, { sink: 'a', source: 'events', from: 7, to: 8, now: 12 }, [row('a', 7)]),
    ).toBe(true);
    expect(await outboxRows(db, 'a')).toHaveLength(2);
  });

  it('claims the oldest due rows under a lease, delivers, fails with backoff, goes dead after max attempts', async () => {
    const db = t.store.db;
    await ensureCursor(db, 's', 'events', 0, 0);
    await enqueueAndAdvance(t.store, { sink: 's', source: 'events', from: 0, to: 3, now: 100 }, [
      row('s', 1),
      row('s', 2),
      row('s', 3),
    ]);
    const first = await claimDue(t.store, { sink: 's', now: 100, leaseMs: 1000, limit: 2 });
    expect(first.map((r) => r.source_id)).toEqual([1, 2]);
    // Leased rows are not claimed again until the lease passes.
    expect((await claimDue(t.store, { sink: 's', now: 200, leaseMs: 1000, limit: 5 })).map((r) => r.source_id)).toEqual(
      [3],
    );
    expect(await claimDue(t.store, { sink: 's', now: 300, leaseMs: 1000, limit: 5 })).toEqual([]);
    expect(
      (await claimDue(t.store, { sink: 's', now: 1100, leaseMs: 1000, limit: 5 })).map((r) => r.source_id),
    ).toEqual([1, 2]);
    await markDelivered(db, [first[0]!.id], 1200);
    expect(await markFailed(db, [first[1]!.id], { error: 'HTTP 503', nextAttemptAt: 5000, maxAttempts: 2 })).toBe(0);
    // Not due before its next attempt time.
    expect((await claimDue(t.store, { sink: 's', now: 4999, leaseMs: 1, limit: 5 })).map((r) => r.source_id)).toEqual([
      3,
    ]);
    expect((await claimDue(t.store, { sink: 's', now: 5000, leaseMs: 1, limit: 5 })).map((r) => r.source_id)).toEqual([
      2, 3,
    ]);
    expect(await markFailed(db, [first[1]!.id], { error: 'HTTP 503 again', nextAttemptAt: 9000, maxAttempts: 2 })).toBe(
      1,
    );
    const dead = await listDead(db, { sink: 's', limit: 10 });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ source_id: 2, attempts: 2, state: 'dead', last_error: 'HTTP 503 again' });
    const stats = await sinkStats(db);
    expect(stats).toEqual([
      expect.objectContaining({
        sink: 's',
        pending: 1,
        dead: 1,
        delivered: 1,
        oldestPendingAt: 100,
        lastDeliveredAt: 1200,
      }),
    ]);
    expect(await requeueDead(db, { sink: 's', now: 10_000 })).toBe(1);
    const back = (await outboxRows(db, 's')).find((r) => r.source_id === 2);
    expect(back).toMatchObject({ state: 'pending', attempts: 0, next_attempt_at: 10_000 });
    await markDead(db, [back!.id], 'rejected: HTTP 400');
    expect((await listDead(db, { limit: 10 }))[0]).toMatchObject({ source_id: 2, last_error: 'rejected: HTTP 400' });
    await releaseClaims(db, ['s']);
    expect((await outboxRows(db, 's')).every((r) => r.claimed_until === null)).toBe(true);
    expect(await purgeDelivered(db, 1201, 1)).toBe(1);
    expect((await outboxRows(db, 's')).map((r) => r.source_id)).toEqual([2, 3]);
  });

  it('reads events past a cursor (with the person, without content) and audit entries by index', async () => {
    await t.store.db
      .insertInto('people')
      .values({
        id: 'p1',
        org_id: 'default',
        display_name: 'Ann',
        email: 'ann@example.com',
        department: null,
        team: null,
        cost_center: null,
        manager: null,
        is_demo: 0,
        first_seen: 0,
        last_seen: 0,
        merged_into: null,
      })
      .execute();
    const ids = await insertTestEvents(t.store, [
      eventRow({ person_id: 'p1', content: 'secret prompt' }),
      eventRow({ kind: 'tool_result' }),
      eventRow({ kind: 'policy_decision' }),
    ]);
    const upto = await settledMaxEventId(t.store);
    expect(upto).toBe(ids[2]);
    const all = await eventsForExport(t.store.db, { after: 0, upto, limit: 10 });
    expect(all.map((e) => e.id)).toEqual(ids);
    expect(all[0]).toMatchObject({ person_email: 'ann@example.com', person_name: 'Ann' });
    expect(all[0]).not.toHaveProperty('content');
    const decisions = await eventsForExport(t.store.db, {
      after: ids[0]!,
      upto,
      limit: 10,
      kinds: ['policy_decision'],
    });
    expect(decisions.map((e) => e.id)).toEqual([ids[2]]);

    expect(await maxAuditIdx(t.store.db)).toBe(-1);
    await appendAudit(t.store, [auditEntry('keys.create'), auditEntry('auth.failure', { outcome: 'failure' })]);
    expect(await maxAuditIdx(t.store.db)).toBe(1);
    const audit = await auditForExport(t.store.db, { after: 0, limit: 10 });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ idx: 1, action: 'auth.failure', outcome: 'failure', actor_kind: 'token' });
    expect(audit[0]!.leaf_hash).toHaveLength(32);
    expect(JSON.parse(audit[0]!.leaf!)).toMatchObject({ v: 1, action: 'auth.failure' });
  });
});
