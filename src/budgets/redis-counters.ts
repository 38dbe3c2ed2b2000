import type { Redis } from 'ioredis';
import { readBudgetSpend, type BudgetRecord } from '../store/budgets.repo.js';
import type { Store } from '../store/store.js';
import {
  retryAfter,
  type BudgetCounters,
  type CounterVerdict,
  type HeldAmount,
  type HoldPlan,
  type Level,
} from './budget-counters.js';
import { isRolling, MINUTE_MS, minuteOf, ROLLING_MINUTES, ROLLING_MS, windowBounds } from './budget-windows.js';
import { ADMIT_LUA, PEEK_LUA, SEED_LUA, SETTLE_LUA } from './redis-scripts.js';
import type { SpendWriter } from './spend-writer.js';

/**
 * Counters in Redis, shared by every replica (DESIGN §4). Each operation is one Lua script (redis-scripts.ts)
 * sent with EVALSHA (ioredis `defineCommand`, which falls back to EVAL after a Redis restart). A counter that Redis
 * does not have (first use, expired, Redis restarted empty) is seeded from the store's settled spend before the
 * operation is retried, so losing Redis loses only the reservations in flight and the settles not yet flushed to
 * the store (at most the writer's flush interval).
 */
type Script = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;
interface BudgetScripts {
  stewardBudgetAdmit: Script;
  stewardBudgetSettle: Script;
  stewardBudgetPeek: Script;
  stewardBudgetSeed: Script;
}

/** Calendar counters outlive their window by an hour so settles of requests that straddle the reset land. */
const CALENDAR_GRACE_MS = 3_600_000;
/**
 * How long a settle/release marker lives. In one process the gate already refuses a second settle of the same
 * reservation; the marker guards against ioredis resending a script whose reply a dropped connection lost (it
 * resends unanswered commands on reconnect), which happens within seconds. Short, so markers stay few at high rates.
 */
const DONE_MARKER_MS = 60_000;

function scripts(client: Redis): BudgetScripts {
  const c = client as Redis & Partial<BudgetScripts>;
  if (!c.stewardBudgetAdmit) {
    client.defineCommand('stewardBudgetAdmit', { lua: ADMIT_LUA });
    client.defineCommand('stewardBudgetSettle', { lua: SETTLE_LUA });
    client.defineCommand('stewardBudgetPeek', { lua: PEEK_LUA });
    client.defineCommand('stewardBudgetSeed', { lua: SEED_LUA });
  }
  return c as unknown as BudgetScripts;
}

export class RedisCounters implements BudgetCounters {
  readonly mode = 'redis';
  private readonly s: BudgetScripts;
  private readonly prefix: string;

  constructor(
    private readonly client: Redis,
    private readonly store: Store,
    private readonly orgId: string,
    private readonly writer: SpendWriter,
    private readonly reservationTtlMs: number,
  ) {
    this.s = scripts(client);
    // The hash tag keeps one organisation's keys in one cluster slot, which multi-key scripts require.
    this.prefix = `steward:budgets:{${orgId}}`;
  }

  private keys(b: BudgetRecord, bucket: number): { c: string; z: string; a: string } {
    const w = `${this.prefix}:${b.id}:${isRolling(b.window) ? '5h' : String(bucket)}`;
    return { c: `${w}:c`, z: `${w}:z`, a: `${w}:a` };
  }

  private expiry(b: BudgetRecord, bucket: number, now: number): number {
    return isRolling(b.window)
      ? now + ROLLING_MS + this.reservationTtlMs
      : windowBounds(b.window, bucket).end + CALENDAR_GRACE_MS;
  }

  /** Seeds the given counters from the store (a counter seeded meanwhile by another replica is left alone). */
  private async seed(budgets: readonly { budget: BudgetRecord; bucket: number }[], now: number): Promise<void> {
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const { budget, bucket } of budgets) {
      const rolling = isRolling(budget.window);
      const from = rolling ? windowBounds(budget.window, now).start : bucket;
      const rows = await readBudgetSpend(this.store.db, this.orgId, budget.id, from, rolling ? Infinity : bucket + 1);
      keys.push(this.keys(budget, bucket).c);
      const total = rows.reduce((sum, r) => sum + r.amount, 0);
      args.push(this.expiry(budget, bucket, now), total, rolling ? minuteOf(now) - ROLLING_MINUTES + 1 : '');
      args.push(rolling ? rows.length : 0);
      if (rolling) for (const r of rows) args.push(minuteOf(r.bucketStart), r.amount);
    }
    await this.s.stewardBudgetSeed(keys.length, ...keys, ...args);
  }

  /** Runs a script; when it reports unseeded counters, seeds them and runs it again. */
  private async seeded(
    budgets: readonly { budget: BudgetRecord; bucket: number }[],
    now: number,
    run: () => Promise<number[]>,
  ): Promise<number[]> {
    for (let attempt = 0; ; attempt++) {
      const out = await run();
      if (out[0] !== -1) return out;
      if (attempt >= 3) throw new Error('budget counters could not be seeded in Redis');
      await this.seed(
        out.slice(1).map((i) => budgets[i] as { budget: BudgetRecord; bucket: number }),
        now,
      );
    }
  }

  async admit(reservationId: string, holds: readonly HoldPlan[], now: number, expiresAt: number) {
    const keys: string[] = [];
    const args: (string | number)[] = [now, expiresAt, reservationId, holds.length, minuteOf(now)];
    for (const h of holds) {
      const k = this.keys(h.budget, h.bucket);
      keys.push(k.c, k.z, k.a, `${this.prefix}:${h.budget.id}:q:${minuteOf(now)}`);
      const b = h.budget;
      args.push(
        isRolling(b.window) ? 1 : 0,
        b.limit,
        b.action === 'block' ? 2 : b.action === 'throttle' ? 1 : 0,
        h.amount,
        b.rate?.requestsPerMinute ?? -1,
        b.rate?.tokensPerMinute ?? -1,
        h.tokens,
        this.expiry(b, h.bucket, now),
      );
    }
    const out = await this.seeded(
      holds,
      now,
      async () => (await this.s.stewardBudgetAdmit(keys.length, ...keys, ...args)) as number[],
    );
    const levels: Level[] = holds.map((_, i) => ({ settled: out[2 + i * 2] ?? 0, reserved: out[3 + i * 2] ?? 0 }));
    if (out[0] === 1) return { kind: 'admitted', levels } satisfies CounterVerdict;
    return {
      kind: out[0] === 2 ? 'block' : 'throttle',
      index: out[1] ?? 0,
      retryAfterSeconds: retryAfter(now),
      levels,
    } satisfies CounterVerdict;
  }

  private async finish(reservationId: string, held: readonly HeldAmount[], actual: readonly number[], now: number) {
    const keys: string[] = [];
    const args: (string | number)[] = [DONE_MARKER_MS, reservationId, held.length, minuteOf(now)];
    held.forEach((h, i) => {
      const k = this.keys(h.budget, h.bucket);
      keys.push(k.c, k.z, k.a);
      args.push(isRolling(h.budget.window) ? 1 : 0, actual[i] ?? 0);
    });
    keys.push(`${this.prefix}:done:${reservationId}`);
    return (await this.s.stewardBudgetSettle(keys.length, ...keys, ...args)) === 1;
  }

  async settle(reservationId: string, held: readonly HeldAmount[], actual: readonly number[], now: number) {
    const record = () =>
      held.forEach((h, i) => {
        const rolling = isRolling(h.budget.window);
        this.writer.add(h.budget.id, rolling ? minuteOf(now) * MINUTE_MS : h.bucket, actual[i] ?? 0, rolling);
      });
    let first: boolean;
    try {
      first = await this.finish(reservationId, held, actual, now);
    } catch (err) {
      // Redis unreachable: the spend happened all the same, and the store is the truth counters are seeded from.
      record();
      throw err;
    }
    if (first) record();
    return first;
  }

  async release(reservationId: string, held: readonly HeldAmount[], now: number) {
    return this.finish(
      reservationId,
      held,
      held.map(() => 0),
      now,
    );
  }

  async peek(budgets: readonly { budget: BudgetRecord; bucket: number }[], now: number): Promise<Level[]> {
    if (budgets.length === 0) return [];
    const keys: string[] = [];
    const args: (string | number)[] = [now, minuteOf(now), budgets.length];
    for (const b of budgets) {
      const k = this.keys(b.budget, b.bucket);
      keys.push(k.c, k.z, k.a);
      args.push(isRolling(b.budget.window) ? 1 : 0);
    }
    const out = await this.seeded(
      budgets,
      now,
      async () => (await this.s.stewardBudgetPeek(keys.length, ...keys, ...args)) as number[],
    );
    return budgets.map((_, i) => ({ settled: out[i * 2] ?? 0, reserved: out[i * 2 + 1] ?? 0 }));
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the caller (main.ts closes it).
  }
}
