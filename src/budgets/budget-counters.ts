import type { BudgetRecord } from '../store/budgets.repo.js';
import { isRolling, MINUTE_MS, minuteOf } from './budget-windows.js';

/**
 * What a counter backend (in-process or Redis) does for the gate, and the admission rule both apply. The rule is
 * written once here for the in-process backend and once in Lua (redis-scripts.ts); the same tests run against
 * both (budget-gate.test.ts).
 *
 * For each budget i that applies, with settled spend s, reserved (in flight) r, this request's estimate a in the
 * budget's unit and limit L, "over" means s + r + a > L:
 *   block    budget over → refused (block);
 *   throttle budget over → admitted only while the budget's current minute has admitted fewer than
 *            `requestsPerMinute` requests and fewer than `tokensPerMinute` estimated tokens (a request alone larger
 *            than the token rate passes when the minute is empty), else refused (throttle, retry at the next minute);
 *   warn     never refuses.
 * Block beats throttle. When nothing refuses, a is added to r of every budget at once (all or none) and the
 * throttle budgets that were over count the request in their minute.
 */
export interface HoldPlan {
  budget: BudgetRecord;
  /** Counter bucket: the window start (calendar) or the current minute start (rolling). */
  bucket: number;
  /** The estimate in the budget's unit. */
  amount: number;
  /** Estimated tokens, for a throttle's tokens-per-minute. */
  tokens: number;
}

export interface Level {
  settled: number;
  reserved: number;
}

export type CounterVerdict =
  | { kind: 'admitted'; levels: Level[] }
  | { kind: 'block' | 'throttle'; index: number; retryAfterSeconds: number; levels: Level[] };

/** One hold of a reservation as a backend needs it back: the budget, its counter bucket and what it reserved. */
export interface HeldAmount {
  budget: BudgetRecord;
  bucket: number;
  amount: number;
}

export interface BudgetCounters {
  readonly mode: 'memory' | 'redis';
  admit(reservationId: string, holds: readonly HoldPlan[], now: number, expiresAt: number): Promise<CounterVerdict>;
  /** Replaces the holds by the actual amounts; false when the reservation was already settled or released. */
  settle(reservationId: string, holds: readonly HeldAmount[], actual: readonly number[], now: number): Promise<boolean>;
  release(reservationId: string, holds: readonly HeldAmount[], now: number): Promise<boolean>;
  /** Settled and reserved spend of each budget's current window (expired reservations dropped first). */
  peek(holds: readonly { budget: BudgetRecord; bucket: number }[], now: number): Promise<Level[]>;
  close(): Promise<void>;
}

/** The counter's name: calendar counters are per window, a rolling budget has one counter with minute buckets. */
export const counterName = (b: BudgetRecord, bucket: number): string =>
  `${b.id}:${isRolling(b.window) ? '5h' : String(bucket)}`;

export interface RateUse {
  requests: number;
  tokens: number;
}

/** The admission rule over current levels (see above). `rates[i]` is budget i's use in the current minute. */
export function decide(
  holds: readonly HoldPlan[],
  levels: readonly Level[],
  rates: readonly RateUse[],
): { kind: 'admitted'; overThrottles: number[] } | { kind: 'block' | 'throttle'; index: number } {
  let throttled = -1;
  const overThrottles: number[] = [];
  for (let i = 0; i < holds.length; i++) {
    const h = holds[i] as HoldPlan;
    const lv = levels[i] as Level;
    if (lv.settled + lv.reserved + h.amount <= h.budget.limit) continue;
    if (h.budget.action === 'block') return { kind: 'block', index: i };
    if (h.budget.action !== 'throttle') continue;
    const use = rates[i] as RateUse;
    const rpm = h.budget.rate?.requestsPerMinute;
    const tpm = h.budget.rate?.tokensPerMinute;
    const overRate =
      (rpm !== undefined && use.requests + 1 > rpm) ||
      (tpm !== undefined && use.tokens > 0 && use.tokens + h.tokens > tpm);
    if (overRate) throttled = throttled < 0 ? i : throttled;
    else overThrottles.push(i);
  }
  return throttled >= 0 ? { kind: 'throttle', index: throttled } : { kind: 'admitted', overThrottles };
}

/** Seconds until the next minute starts (fixed one-minute rate windows), at least 1. */
export const retryAfter = (now: number): number =>
  Math.max(1, Math.ceil(((minuteOf(now) + 1) * MINUTE_MS - now) / 1000));
