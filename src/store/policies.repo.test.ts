import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import {
  activatePolicyVersion,
  activePolicyVersion,
  getPolicyVersion,
  insertPolicyVersion,
  listPolicyVersions,
  readBacktestEvents,
} from './policies.repo.js';

const doc = (n: number) => ({ name: `p${n}`, yaml: `version: 1\nname: p${n}\n`, sha256: `h${n}`, author: 'admin' });

describe.each(engines)('policy versions on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('numbers versions per organisation and keeps the text, author and comment', async () => {
    const a = await insertPolicyVersion(t.store, { ...doc(1), comment: 'first', now: 1000 });
    const b = await insertPolicyVersion(t.store, { ...doc(2), now: 2000 });
    const other = await insertPolicyVersion(t.store, { ...doc(3), orgId: 'other' });
    expect([a.version, b.version, other.version]).toEqual([1, 2, 1]);
    expect(await getPolicyVersion(t.store.db, { id: a.id })).toEqual({
      ...a,
      yaml: 'version: 1\nname: p1\n',
      comment: 'first',
      status: 'draft',
      created_at: 1000,
    });
    expect(await getPolicyVersion(t.store.db, { version: 2 })).toMatchObject({ id: b.id });
    expect(await getPolicyVersion(t.store.db, { id: 'nope' })).toBeUndefined();
    const list = await listPolicyVersions(t.store.db);
    expect(list.map((v) => v.version)).toEqual([2, 1]);
    expect(list[0]).not.toHaveProperty('yaml');
  });

  it('keeps exactly one active version: activating retires the previous one', async () => {
    const a = await insertPolicyVersion(t.store, { ...doc(1), activate: true });
    expect(a.status).toBe('active');
    const b = await insertPolicyVersion(t.store, doc(2));
    expect((await activePolicyVersion(t.store.db))?.id).toBe(a.id);
    const activated = await activatePolicyVersion(t.store, b.id, 'ops@example.com', { now: 5000 });
    expect(activated).toMatchObject({
      id: b.id,
      status: 'active',
      activated_by: 'ops@example.com',
      activated_at: 5000,
    });
    const statuses = (await listPolicyVersions(t.store.db)).map((v) => [v.version, v.status]);
    expect(statuses).toEqual([
      [2, 'active'],
      [1, 'retired'],
    ]);
    // Rolling back is activating an older version again.
    await activatePolicyVersion(t.store, a.id, 'ops@example.com');
    expect((await activePolicyVersion(t.store.db))?.version).toBe(1);
    expect(await activatePolicyVersion(t.store, 'unknown', 'x')).toBeUndefined();
  });

  it('refuses a second active version at the database level', async () => {
    await insertPolicyVersion(t.store, { ...doc(1), activate: true });
    const b = await insertPolicyVersion(t.store, doc(2));
    await expect(
      t.store.db.updateTable('policy_versions').set({ status: 'active' }).where('id', '=', b.id).execute(),
    ).rejects.toThrow();
  });

  it('serialises concurrent pushes and activations', async () => {
    const rows = await Promise.all(Array.from({ length: 8 }, (_, i) => insertPolicyVersion(t.store, doc(i))));
    expect(rows.map((r) => r.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await Promise.all(rows.map((r) => activatePolicyVersion(t.store, r.id, 'x')));
    const active = (await listPolicyVersions(t.store.db)).filter((v) => v.status === 'active');
    expect(active).toHaveLength(1);
  });

  it('reads replayable events in a required window, oldest first, with the person email, page by page', async () => {
    await t.store.db
      .insertInto('people')
      .values({
        id: 'p1',
        org_id: 'default',
        display_name: 'Ann',
        email: 'ann@example.com',
        is_demo: 0,
        first_seen: 0,
        last_seen: 0,
      })
      .execute();
    const base = { org_id: 'default', source: 'otlp', surface: 'claude_code', attrs: '{}' };
    const rows = [
      { time: 100, kind: 'prompt', name: 'user_prompt', person_id: 'p1' },
      { time: 200, kind: 'tool_result', name: 'tool_result', tool: 'Bash' },
      { time: 200, kind: 'api_request', name: 'api_request', model: 'm' },
      { time: 250, kind: 'response', name: 'response' },
      { time: 300, kind: 'tool_decision', name: 'tool_decision', decision: 'reject' },
      { time: 900, kind: 'prompt', name: 'user_prompt' },
    ];
    await t.store.db
      .insertInto('events')
      .values(rows.map((r, i) => ({ ...base, ...r, dedupe_key: `k${i}` })))
      .execute();
    const first = await readBacktestEvents(t.store.db, { from: 100, to: 900, limit: 2 });
    expect(first.map((e) => [e.time, e.kind, e.email])).toEqual([
      [100, 'prompt', 'ann@example.com'],
      [200, 'tool_result', null],
    ]);
    const last = first[first.length - 1]!;
    const next = await readBacktestEvents(t.store.db, { from: 100, to: 900, limit: 10, after: last });
    expect(next.map((e) => [e.time, e.kind])).toEqual([
      [200, 'api_request'],
      [300, 'tool_decision'],
    ]);
  });
});
