import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createBudgetGate, type BudgetGateOptions, type StewardBudgetGate } from '../../src/budgets/budget-gate.js';
import type { BudgetSubject } from '../../src/contracts/budget.js';
import type { Dialect, Store } from '../../src/store/store.js';
import { openTestStore, type TestStore } from './engines.js';

/**
 * A budget gate on a real store (SQLite or PostgreSQL) and, for the Redis backend, the real Redis at
 * 127.0.0.1:6379. Each rig uses an organisation id of its own, so its Redis keys never meet another test's, and
 * deletes exactly those keys afterwards (never FLUSHDB: the Redis is shared).
 */
export const REDIS_URL = 'redis://127.0.0.1:6379';
export type Backend = 'memory' | 'redis';
export const backends: readonly (readonly [Dialect, Backend])[] = [
  ['sqlite', 'memory'],
  ['postgres', 'memory'],
  ['sqlite', 'redis'],
  ['postgres', 'redis'],
];

export interface BudgetRig {
  t: TestStore;
  store: Store;
  orgId: string;
  redis: Redis | undefined;
  gate: StewardBudgetGate;
  /** Another gate (another replica, or this one after a restart) on the same store, Redis and organisation. */
  openGate(opts?: Partial<BudgetGateOptions>): Promise<StewardBudgetGate>;
  /** Deletes the organisation's Redis keys: a Redis restarted empty. */
  wipeRedis(): Promise<void>;
  cleanup(): Promise<void>;
}

export function newRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Deletes an organisation's budget keys, or only those of some budgets (a shared organisation such as `default`). */
export async function deleteOrgKeys(redis: Redis, orgId: string, budgetIds?: readonly string[]): Promise<void> {
  for (const pattern of budgetIds?.map((id) => `steward:budgets:{${orgId}}:${id}:*`) ?? [
    `steward:budgets:{${orgId}}:*`,
  ]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
}

export async function openBudgetRig(
  dialect: Dialect,
  backend: Backend,
  opts: Partial<BudgetGateOptions> = {},
): Promise<BudgetRig> {
  const t = await openTestStore(dialect);
  const orgId = `t${randomBytes(6).toString('hex')}`;
  const redis = backend === 'redis' ? newRedis() : undefined;
  const gates: StewardBudgetGate[] = [];
  const openGate = async (more: Partial<BudgetGateOptions> = {}) => {
    const g = await createBudgetGate({
      store: t.store,
      redis,
      orgId,
      refreshMs: 100,
      flushMs: 50,
      ...opts,
      ...more,
    });
    gates.push(g);
    return g;
  };
  const gate = await openGate();
  return {
    t,
    store: t.store,
    orgId,
    redis,
    gate,
    openGate,
    async wipeRedis() {
      if (redis) await deleteOrgKeys(redis, orgId);
    },
    async cleanup() {
      for (const g of gates) await g.close();
      if (redis) {
        await deleteOrgKeys(redis, orgId);
        redis.disconnect();
      }
      await t.cleanup();
    },
  };
}

export const subject = (over: Partial<BudgetSubject> = {}): BudgetSubject => ({
  personId: null,
  email: 'ann@example.com',
  department: 'Engineering',
  team: 'Platform',
  agent: null,
  workflow: null,
  keyId: null,
  ...over,
});

export const usd = (n: number) => ({ micros: Math.round(n * 1_000_000), tokens: 0 });
