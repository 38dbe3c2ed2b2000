import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteOrgKeys, newRedis, REDIS_URL, subject, usd } from '../../test/support/budget-rig.js';
import { openTestStore, PG_URL, type TestStore } from '../../test/support/engines.js';
import { waitFor } from '../../test/support/steward.js';
import { readBudgetSpend, upsertBudget } from '../store/budgets.repo.js';
import { openStore, type Store } from '../store/store.js';
import { pauseBudgetScope, setBudget } from './budget-admin.js';
import { createBudgetGate, type StewardBudgetGate } from './budget-gate.js';

/**
 * Three replicas sharing one PostgreSQL database and one Redis: first three gates in this process, each with its
 * own PostgreSQL pool and Redis connection, then three real processes (test/support/budget-replica.ts).
 */
const run = promisify(execFile);
const LIMIT = 2_000_000;
const ESTIMATE = 50_000;

describe('budgets across three replicas on PostgreSQL + Redis', () => {
  let t: TestStore;
  const stores: Store[] = [];
  const clients: Redis[] = [];
  const gates: StewardBudgetGate[] = [];
  let orgId: string;
  let budgetId: string;

  beforeAll(async () => {
    t = await openTestStore('postgres');
    orgId = `t${randomBytes(6).toString('hex')}`;
    const { record } = await setBudget(
      t.store,
      orgId,
      { scope: 'team:Platform', window: 'daily', limit_usd: LIMIT / 1e6, action: 'block' },
      'test',
    );
    budgetId = record.id;
    for (let i = 0; i < 3; i++) {
      const store = await openStore({ dataDir: t.dataDir, databaseUrl: PG_URL, pgSchema: t.pgSchema });
      const redis = newRedis();
      stores.push(store);
      clients.push(redis);
      gates.push(await createBudgetGate({ store, redis, orgId, flushMs: 50 }));
    }
  });
  afterAll(async () => {
    for (const g of gates) await g.close();
    for (const r of clients) {
      await deleteOrgKeys(r, orgId);
      r.disconnect();
    }
    for (const s of stores) await s.close();
    await t.cleanup();
  });

  const replica = async (o: Record<string, unknown>) => {
    const options = { databaseUrl: PG_URL, pgSchema: t.pgSchema, redisUrl: REDIS_URL, orgId, startAt: 0, ...o };
    const { stdout } = await run(
      'node',
      ['--import', 'tsx', 'test/support/budget-replica.ts', JSON.stringify(options)],
      {
        cwd: new URL('../../', import.meta.url).pathname,
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop() as string) as { admitted: number; settled: number };
  };

  const stored = async (id = budgetId) =>
    (await readBudgetSpend(t.store.db, orgId, id, 0, Infinity)).reduce((s, r) => s + r.amount, 0);

  it('500 concurrent admit→settle cycles spread over three gates never admit past the limit', async () => {
    let settled = 0;
    let admitted = 0;
    await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const gate = gates[i % 3] as StewardBudgetGate;
        const v = await gate.admit(subject(), { micros: ESTIMATE, tokens: 0 });
        if (v.outcome !== 'allow') return;
        admitted += 1;
        await new Promise((r) => setTimeout(r, Math.random() * 20));
        const actual = Math.floor(Math.random() * (ESTIMATE + 1));
        settled += actual;
        await gate.settle(v.reservation, { micros: actual, tokens: 0 });
      }),
    );
    expect(settled).toBeLessThanOrEqual(LIMIT);
    expect(admitted).toBeGreaterThanOrEqual(LIMIT / ESTIMATE);
    for (const g of gates) expect((await g.states(subject()))[0]).toMatchObject({ spent: settled, reserved: 0 });
    for (const g of gates) await g.flush();
    expect(await stored()).toBe(settled);
  });

  it('three real processes sharing a budget: settled spend stays within it, and the store has every micro', async () => {
    const ops = { team: 'Ops', email: 'cy@example.com' };
    const { record } = await setBudget(
      t.store,
      orgId,
      { scope: 'team:Ops', window: 'daily', limit_usd: LIMIT / 1e6, action: 'block' },
      'test',
    );
    // Processes start in about a second; a common start time makes their 300 cycles each really overlap.
    const startAt = Date.now() + 3000;
    const results = await Promise.all(
      [0, 1, 2].map(() => replica({ cycles: 300, estimateMicros: ESTIMATE, startAt, subject: ops })),
    );
    const settled = results.reduce((s, r) => s + r.settled, 0);
    expect(settled).toBeLessThanOrEqual(LIMIT);
    expect(results.reduce((s, r) => s + r.admitted, 0)).toBeGreaterThanOrEqual(LIMIT / ESTIMATE);
    expect(await stored(record.id)).toBe(settled);
    await gates[1]!.definitionsChanged();
    expect((await gates[1]!.states(subject(ops)))[0]).toMatchObject({ spent: settled, reserved: 0 });
  }, 60_000);

  it('a crashed process holds its reservations only until their TTL', async () => {
    const data = { team: 'Data', email: 'bo@example.com' };
    await setBudget(t.store, orgId, { scope: 'team:Data', window: 'daily', limit_usd: 1, action: 'block' }, 'test');
    await gates[0]!.definitionsChanged();
    // The dying replica admits ten $0.10 requests with a 2 s reservation TTL and exits without settling any.
    const died = await replica({
      cycles: 10,
      estimateMicros: 100_000,
      crash: true,
      reservationTtlMs: 2000,
      subject: data,
    });
    expect(died.admitted).toBe(10);
    const diedAt = Date.now();
    const [held] = await gates[1]!.states(subject(data));
    expect(held).toMatchObject({ reserved: 1_000_000, remaining: 0 });
    expect((await gates[1]!.admit(subject(data), usd(0.1))).outcome).toBe('block');
    await waitFor(async () => (await gates[2]!.admit(subject(data), usd(0.1))).outcome === 'allow', 5000);
    expect(Date.now() - diedAt).toBeGreaterThan(500);
  }, 30_000);

  it('a change made on one replica reaches the others within a second; one made in the store alone, by polling', async () => {
    await pauseBudgetScope(t.store, orgId, 'agent:release-bot', true, 'test');
    const started = Date.now();
    await gates[0]!.definitionsChanged();
    const bot = subject({ agent: 'release-bot' });
    for (const g of gates) await waitFor(async () => (await g.admit(bot, usd(0))).outcome === 'paused', 1000);
    const viaPubSub = Date.now() - started;
    expect(viaPubSub).toBeLessThan(1000);
    // The CLI writes the store only (no Redis message): the version poll (1 s) picks it up.
    await upsertBudget(t.store, {
      orgId,
      scope: { kind: 'person', value: 'ann@example.com' },
      window: 'daily',
      unit: 'usd',
      limit: 0,
      action: 'block',
      by: 'cli',
    });
    const t0 = Date.now();
    for (const g of gates) await waitFor(async () => (await g.admit(subject(), usd(0.01))).outcome === 'block', 2500);
    expect(Date.now() - t0).toBeLessThan(1600);
  });
});
