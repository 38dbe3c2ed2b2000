import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import {
  addBudgetSpend,
  budgetVersion,
  deleteBudget,
  getBudget,
  listBudgets,
  pauseScope,
  pruneBudgetSpend,
  readBudgetSpend,
  resumeScope,
  setBudgetPaused,
  upsertBudget,
  type BudgetInput,
} from './budgets.repo.js';

const ORG = 'default';
const team: BudgetInput = {
  orgId: ORG,
  scope: { kind: 'team', value: 'Platform' },
  window: 'daily',
  unit: 'usd',
  limit: 50_000_000,
  action: 'block',
  by: 'admin',
  now: 1000,
};

describe.each(engines)('budgets repository on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('creates a budget, then updates the same (scope, window, unit) slot in place, bumping the version', async () => {
    expect(await budgetVersion(t.store.db, ORG)).toBe(0);
    const a = await upsertBudget(t.store, { ...team, message: 'ask Ann', warnAt: 0.9 });
    expect(a.created).toBe(true);
    expect(a.record).toMatchObject({
      scope: { kind: 'team', value: 'Platform' },
      window: 'daily',
      unit: 'usd',
      limit: 50_000_000,
      action: 'block',
      warnAt: 0.9,
      message: 'ask Ann',
      paused: false,
      createdBy: 'admin',
    });
    const b = await upsertBudget(t.store, {
      ...team,
      limit: 80_000_000,
      action: 'throttle',
      rate: { requestsPerMinute: 5 },
      by: 'ops',
      now: 2000,
    });
    expect(b.created).toBe(false);
    expect(b.record.id).toBe(a.record.id);
    expect(await getBudget(t.store.db, ORG, a.record.id)).toMatchObject({
      limit: 80_000_000,
      action: 'throttle',
      rate: { requestsPerMinute: 5 },
      createdAt: 1000,
      updatedAt: 2000,
      updatedBy: 'ops',
    });
    // Another unit or window is another budget; the org scope stores no value.
    await upsertBudget(t.store, { ...team, unit: 'tokens', limit: 1_000_000 });
    const org = await upsertBudget(t.store, { ...team, scope: { kind: 'org', value: null } });
    expect(org.record.scope).toEqual({ kind: 'org', value: null });
    expect(await listBudgets(t.store.db, ORG)).toHaveLength(3);
    expect(await budgetVersion(t.store.db, ORG)).toBe(4);
  });

  it('pauses a scope (creating a kill-switch entry when it has no budget) and resumes it (removing the entry)', async () => {
    const agent = { kind: 'agent' as const, value: 'release-bot' };
    const [kill] = await pauseScope(t.store, ORG, agent, 'admin');
    expect(kill).toMatchObject({ scope: agent, paused: true, pauseOnly: true, limit: 0 });
    // A budget added to a paused scope starts paused, and the kill-switch entry does not take its slot.
    const added = await upsertBudget(t.store, { ...team, scope: agent });
    expect(added.record.paused).toBe(true);
    expect(await listBudgets(t.store.db, ORG)).toHaveLength(2);
    const resumed = await resumeScope(t.store, ORG, agent, 'admin');
    expect(resumed.map((r) => [r.id, r.paused])).toEqual([[added.record.id, false]]);
    expect((await listBudgets(t.store.db, ORG)).map((r) => r.id)).toEqual([added.record.id]);
    // Pausing a scope that has budgets pauses them all, by id too.
    expect((await pauseScope(t.store, ORG, agent, 'admin')).map((r) => r.paused)).toEqual([true]);
    expect(await setBudgetPaused(t.store, ORG, added.record.id, false, 'admin')).toMatchObject({ paused: false });
    expect(await setBudgetPaused(t.store, ORG, 'nope', true, 'admin')).toBeUndefined();
  });

  it('adds settled spend from several writers and reads it per bucket; deleting a budget drops its spend', async () => {
    const { record } = await upsertBudget(t.store, team);
    await Promise.all([
      addBudgetSpend(t.store, ORG, [
        { budgetId: record.id, bucketStart: 0, amount: 5 },
        { budgetId: record.id, bucketStart: 60_000, amount: 7 },
      ]),
      addBudgetSpend(t.store, ORG, [{ budgetId: record.id, bucketStart: 0, amount: 11 }]),
    ]);
    expect(await readBudgetSpend(t.store.db, ORG, record.id, 0, Infinity)).toEqual([
      { bucketStart: 0, amount: 16 },
      { bucketStart: 60_000, amount: 7 },
    ]);
    expect(await readBudgetSpend(t.store.db, ORG, record.id, 0, 1)).toEqual([{ bucketStart: 0, amount: 16 }]);
    await pruneBudgetSpend(t.store.db, ORG, [record.id], 60_000);
    expect(await readBudgetSpend(t.store.db, ORG, record.id, 0, Infinity)).toEqual([
      { bucketStart: 60_000, amount: 7 },
    ]);
    expect(await deleteBudget(t.store, ORG, record.id)).toBe(true);
    expect(await deleteBudget(t.store, ORG, record.id)).toBe(false);
    expect(await readBudgetSpend(t.store.db, ORG, record.id, 0, Infinity)).toEqual([]);
  });

  it('serialises concurrent upserts of one slot into one budget', async () => {
    const rows = await Promise.all(Array.from({ length: 6 }, (_, i) => upsertBudget(t.store, { ...team, limit: i })));
    expect(new Set(rows.map((r) => r.record.id)).size).toBe(1);
    expect(rows.filter((r) => r.created)).toHaveLength(1);
    expect(await budgetVersion(t.store.db, ORG)).toBe(6);
  });
});
