import { readBudgetSpend, type BudgetRecord } from '../store/budgets.repo.js';
import type { Store } from '../store/store.js';
import {
  counterName,
  decide,
  retryAfter,
  type BudgetCounters,
  type CounterVerdict,
  type HeldAmount,
  type HoldPlan,
  type Level,
} from './budget-counters.js';
import { isRolling, MINUTE_MS, minuteOf, ROLLING_MINUTES, windowBounds } from './budget-windows.js';
import type { SpendWriter } from './spend-writer.js';

/**
 * In-process counters (no Redis): one replica. A counter is loaded from the store's settled spend the first time
 * its window is used (so a restart starts from what was spent), then lives in memory; settles go to the store
 * through the write-behind writer. Admission runs as a synchronous critical section after every counter it needs
 * is loaded — JavaScript runs it to the end before any other admit — so reserving on several budgets is all or
 * none. Reservations expire after the TTL like Redis's, so a lost settle cannot hold capacity forever.
 */
interface Counter {
  settled: number;
  reserved: number;
  /** Reservation id → amount and expiry, in insertion order (expiries grow with time). */
  holds: Map<string, { amount: number; expiresAt: number }>;
  /** Rolling only: minute index → settled amount, and the oldest minute still counted. */
  minutes: Map<number, number> | undefined;
  lo: number;
  /** Calendar only: when the window ends (for sweeping old counters). */
  end: number;
  rateMinute: number;
  rateRequests: number;
  rateTokens: number;
}

const SWEEP_MS = 60_000;

export class MemoryCounters implements BudgetCounters {
  readonly mode = 'memory';
  private readonly counters = new Map<string, Counter>();
  private readonly loads = new Map<string, Promise<void>>();
  private lastSweep = 0;

  constructor(
    private readonly store: Store,
    private readonly orgId: string,
    private readonly writer: SpendWriter,
  ) {}

  private async load(b: BudgetRecord, bucket: number, now: number): Promise<void> {
    const name = counterName(b, bucket);
    if (this.counters.has(name)) return;
    let p = this.loads.get(name);
    if (!p) {
      p = (async () => {
        const rolling = isRolling(b.window);
        const from = rolling ? windowBounds(b.window, now).start : bucket;
        const rows = await readBudgetSpend(this.store.db, this.orgId, b.id, from, rolling ? Infinity : bucket + 1);
        const c: Counter = {
          settled: rows.reduce((sum, r) => sum + r.amount, 0),
          reserved: 0,
          holds: new Map(),
          minutes: rolling ? new Map(rows.map((r) => [minuteOf(r.bucketStart), r.amount])) : undefined,
          lo: minuteOf(now) - ROLLING_MINUTES + 1,
          end: rolling ? Infinity : windowBounds(b.window, bucket).end,
          rateMinute: -1,
          rateRequests: 0,
          rateTokens: 0,
        };
        if (!this.counters.has(name)) this.counters.set(name, c);
      })().finally(() => this.loads.delete(name));
      this.loads.set(name, p);
    }
    await p;
  }

  /** Drops expired reservations and, for a rolling counter, the minutes that left the window. */
  private current(c: Counter, now: number): Counter {
    for (const [id, h] of c.holds) {
      if (h.expiresAt > now) break;
      c.reserved -= h.amount;
      c.holds.delete(id);
    }
    if (c.minutes) {
      const lo = minuteOf(now) - ROLLING_MINUTES + 1;
      if (lo > c.lo) {
        for (const [m, amount] of c.minutes) {
          if (m < lo) {
            c.settled -= amount;
            c.minutes.delete(m);
          }
        }
        c.lo = lo;
      }
    }
    return c;
  }

  private counter(b: BudgetRecord, bucket: number, now: number): Counter | undefined {
    const c = this.counters.get(counterName(b, bucket));
    return c ? this.current(c, now) : undefined;
  }

  async admit(reservationId: string, holds: readonly HoldPlan[], now: number, expiresAt: number) {
    for (const h of holds) {
      if (!this.counters.has(counterName(h.budget, h.bucket))) await this.load(h.budget, h.bucket, now);
    }
    this.sweep(now);
    // Critical section: no await from here to the return.
    const counters = holds.map((h) => this.counter(h.budget, h.bucket, now) as Counter);
    const minute = minuteOf(now);
    const levels: Level[] = counters.map((c) => ({ settled: c.settled, reserved: c.reserved }));
    const rates = counters.map((c) =>
      c.rateMinute === minute ? { requests: c.rateRequests, tokens: c.rateTokens } : { requests: 0, tokens: 0 },
    );
    const d = decide(holds, levels, rates);
    if (d.kind !== 'admitted') {
      return { kind: d.kind, index: d.index, retryAfterSeconds: retryAfter(now), levels } satisfies CounterVerdict;
    }
    holds.forEach((h, i) => {
      const c = counters[i] as Counter;
      c.reserved += h.amount;
      c.holds.set(reservationId, { amount: h.amount, expiresAt });
      (levels[i] as Level).reserved = c.reserved;
    });
    for (const i of d.overThrottles) {
      const c = counters[i] as Counter;
      if (c.rateMinute !== minute) Object.assign(c, { rateMinute: minute, rateRequests: 0, rateTokens: 0 });
      c.rateRequests += 1;
      c.rateTokens += (holds[i] as HoldPlan).tokens;
    }
    return { kind: 'admitted', levels } satisfies CounterVerdict;
  }

  private drop(reservationId: string, held: readonly HeldAmount[], now: number): boolean {
    let found = false;
    for (const h of held) {
      const c = this.counter(h.budget, h.bucket, now);
      const hold = c?.holds.get(reservationId);
      if (!c || !hold) continue;
      found = true;
      c.reserved -= hold.amount;
      c.holds.delete(reservationId);
    }
    return found;
  }

  async settle(reservationId: string, held: readonly HeldAmount[], actual: readonly number[], now: number) {
    // A reservation already dropped (expired, released, settled) still settles: the spend happened. Settling
    // twice is the caller's bug; the gate refuses a second settle of the same reservation object.
    this.drop(reservationId, held, now);
    held.forEach((h, i) => {
      const amount = actual[i] ?? 0;
      if (amount <= 0) return;
      const c = this.counter(h.budget, h.bucket, now);
      if (c) c.settled += amount;
      if (!isRolling(h.budget.window)) {
        this.writer.add(h.budget.id, h.bucket, amount, false);
        return;
      }
      // Rolling spend is charged to the minute it settled in (never before the window's oldest counted minute).
      const m = Math.max(minuteOf(now), c?.lo ?? 0);
      c?.minutes?.set(m, (c.minutes.get(m) ?? 0) + amount);
      this.writer.add(h.budget.id, m * MINUTE_MS, amount, true);
    });
    return true;
  }

  async release(reservationId: string, held: readonly HeldAmount[], now: number) {
    return this.drop(reservationId, held, now);
  }

  async peek(budgets: readonly { budget: BudgetRecord; bucket: number }[], now: number): Promise<Level[]> {
    for (const b of budgets) await this.load(b.budget, b.bucket, now);
    return budgets.map((b) => {
      const c = this.counter(b.budget, b.bucket, now) as Counter;
      return { settled: c.settled, reserved: c.reserved };
    });
  }

  /** Forgets calendar counters of windows over for an hour with nothing in flight (their spend is in the store). */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_MS) return;
    this.lastSweep = now;
    for (const [name, c] of this.counters) {
      if (c.end + 3_600_000 < now && c.holds.size === 0) this.counters.delete(name);
    }
  }

  async close(): Promise<void> {
    this.counters.clear();
  }
}
