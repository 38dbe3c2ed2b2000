import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { loadConfig } from '../config/load.js';
import { openAuditService, type AuditService } from './audit-service.js';
import { createHold, listAuditHolds, pruneExpired, releaseAuditHold } from './vault-retention.js';
import { searchAudit } from './vault-search.js';
import { checkStore } from './vault-verify.js';

const DAY = 86_400_000;

describe.each(engines)('retention and legal hold on %s', (dialect) => {
  let t: TestStore;
  let audit: AuditService;
  const now = Date.now();
  beforeEach(async () => {
    t = await openTestStore(dialect);
    const config = loadConfig({ flags: { dataDir: t.dataDir } });
    audit = await openAuditService(t.store, config, (err) => {
      throw err;
    });
    // 20 entries 100 days old (half by actor "alice"), 5 recent ones.
    for (let i = 0; i < 20; i++) {
      audit.record({
        time: now - 100 * DAY + i,
        actor: { kind: 'token', id: i % 2 ? 'alice' : 'bob' },
        action: 'keys.create',
        subject: { kind: 'key', id: `k${i}` },
      });
    }
    for (let i = 0; i < 5; i++) {
      audit.record({ time: now - i, actor: { kind: 'token', id: 'bob' }, action: 'keys.delete' });
    }
    await audit.recorder.flush();
    await audit.checkpoint(true);
  });
  afterEach(async () => {
    await audit.close();
    await t.cleanup();
  });

  it('prunes content past retention but keeps held entries, and the log still verifies', async () => {
    const hold = await createHold(
      audit,
      { kind: 'token', id: 'legal-1', name: 'counsel' },
      {
        name: 'matter 42',
        reason: 'litigation hold on alice',
        fromTime: null,
        toTime: null,
        actorId: 'alice',
        action: null,
        subjectId: null,
      },
    );
    expect((await listAuditHolds(t.store, false)).map((h) => h.id)).toEqual([hold]);

    const pruned = await pruneExpired(audit, 90, 'retention');
    expect(pruned.count).toBe(10); // bob's 10 old entries; alice's are held, the recent ones are young
    const rows = await t.store.db
      .selectFrom('audit_entries')
      .select(['idx', 'actor_id', 'leaf'])
      .orderBy('idx')
      .execute();
    for (const r of rows.slice(0, 20)) expect(r.leaf === null).toBe(r.actor_id === 'bob');

    await audit.checkpoint(true);
    const report = await checkStore(t.store, audit.verifierKeys());
    expect(report).toMatchObject({ ok: true, firstBadIndex: null });

    const found = await searchAudit(t.store, audit.verifierKeys(), { actor: 'bob', limit: 100, to: now - 50 * DAY });
    expect(found.items).toHaveLength(10);
    for (const item of found.items) expect(item).toMatchObject({ entry: null, proof: 'pruned' });
    const held = await searchAudit(t.store, audit.verifierKeys(), { actor: 'alice', limit: 100 });
    for (const item of held.items) expect(item.proof).toBe('verified');

    // The hold, its release and the pruning run are entries themselves.
    expect(await releaseAuditHold(audit, 'counsel', hold)).toBe(true);
    expect(await releaseAuditHold(audit, 'counsel', hold)).toBe(false);
    const trail = await searchAudit(t.store, audit.verifierKeys(), { action: 'audit.*', limit: 10 });
    expect(trail.items.map((i) => i.entry?.action)).toEqual([
      'audit.hold.release',
      'audit.retention',
      'audit.hold.create',
    ]);

    // Released: the next run prunes alice's old entries too.
    expect((await pruneExpired(audit, 90, 'retention')).count).toBe(10);
  });
});
