import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BudgetGate, BudgetState, BudgetSubject, BudgetVerdict, Reservation, Spend } from '../contracts/budget.js';
import type { BudgetRecord } from '../store/budgets.repo.js';
import type { Store } from '../store/store.js';
import { BUDGETS_CHANNEL, BudgetBook } from './budget-book.js';
import type { BudgetCounters, HeldAmount, HoldPlan, Level } from './budget-counters.js';
import { blockMessage, pausedMessage, throttleMessage } from './budget-messages.js';
import { bucketOf, windowBounds } from './budget-windows.js';
import { MemoryCounters } from './memory-counters.js';
import { RedisCounters } from './redis-counters.js';
import { SpendWriter } from './spend-writer.js';

/**
 * The budget gate (issue 5: budgets that really hold; docs/budgets.md). `admit` checks every budget that applies
 * to the request's subject and reserves the estimate on all of them at once; `settle` replaces the reservation by
 * what the request really cost; `release` drops it. Counters live in Redis when one is given (replicas agree)
 * and in process otherwise; settled spend always reaches the store (write-behind), which seeds counters on start.
 */
export type RejectionOutcome = 'block' | 'throttle' | 'paused';

export interface StewardBudgetGate extends BudgetGate {
  readonly mode: 'memory' | 'redis';
  readonly orgId: string;
  /** Budget states (window, spent, reserved, remaining): those applying to a subject, or all of them. */
  states(subject?: BudgetSubject, now?: number): Promise<BudgetState[]>;
  /** Every budget's state (`states()` without a subject). */
  listStates(now?: number): Promise<BudgetState[]>;
  /** The cached definitions (the store's as of the last refresh). */
  definitions(): readonly BudgetRecord[];
  /** Call after changing definitions on this replica: reloads now and tells the other replicas (Redis). */
  definitionsChanged(): Promise<void>;
  /** Reloads the definitions if the store's version moved (one primary-key read): a read that must be current. */
  refresh(): Promise<void>;
  /** Called on every refusal (for the `steward_budget_rejections_total` counter). */
  onRejection(listener: (outcome: RejectionOutcome) => void): void;
  /** Commits settled spend still waiting for the write-behind. */
  flush(): Promise<void>;
  /**
   * Flushes and stops the timers (a failed flush goes to `onError`); the store and the Redis client stay open
   * (their owner closes them).
   */
  close(): Promise<void>;
}

export interface BudgetGateOptions {
  store: Store;
  /** Shared counters across replicas; in-process counters without it (one replica only). */
  redis?: Redis | undefined;
  orgId?: string;
  /** How often the store's definition version is polled (also the bound on seeing a CLI change). Default 1 s. */
  refreshMs?: number;
  /** How long a reservation holds capacity without settle or release (a crashed replica's). Default 10 min. */
  reservationTtlMs?: number;
  /** Write-behind interval of settled spend to the store. Default 1 s. */
  flushMs?: number;
  onError?: (err: unknown) => void;
}

export const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

const amountIn = (b: BudgetRecord, s: Spend): number => Math.max(0, Math.round(b.unit === 'usd' ? s.micros : s.tokens));

function stateOf(b: BudgetRecord, level: Level, now: number): BudgetState {
  const { start, end } = windowBounds(b.window, now);
  return {
    budget: b,
    windowStart: start,
    windowEnd: end,
    spent: level.settled,
    reserved: level.reserved,
    remaining: Math.max(0, b.limit - level.settled - level.reserved),
  };
}

const warnsAt = (b: BudgetRecord): number => (b.warnAt ?? 0.8) * b.limit;

/**
 * Marks a reservation settled or released, so that a second settle or release does nothing. A property of the
 * reservation, not a WeakSet of them: a WeakSet entry per gateway request put a young key in an old table, so
 * every add paid V8's ephemeron write barrier and every scavenge walked the table (`ClearOldEphemerons`, about a
 * sixth of a scavenge's samples under `perf` at c=1).
 */
const FINISHED = Symbol('steward.reservation.finished');

/** True the first time only. */
function finishOnce(r: Reservation): boolean {
  const marked = r as Reservation & { [FINISHED]?: true };
  if (marked[FINISHED]) return false;
  marked[FINISHED] = true;
  return true;
}

export async function createBudgetGate(opts: BudgetGateOptions): Promise<StewardBudgetGate> {
  const orgId = opts.orgId ?? 'default';
  const onError = opts.onError ?? (() => undefined);
  const ttl = opts.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  const writer = new SpendWriter(opts.store, orgId, opts.flushMs ?? 1000, onError);
  const counters: BudgetCounters = opts.redis
    ? new RedisCounters(opts.redis, opts.store, orgId, writer, ttl)
    : new MemoryCounters(opts.store, orgId, writer);
  const book = new BudgetBook(opts.store, orgId, onError);
  await book.start(opts.refreshMs ?? 1000, opts.redis);
  const listeners: ((o: RejectionOutcome) => void)[] = [];
  // Reservation ids are unique across replicas (Redis holds are keyed by them) through a random prefix per gate, and
  // cheap: one per gateway request, where randomUUID's string took ~20 allocations.
  const idPrefix = randomUUID();
  let idSeq = 0;
  const reject = (o: RejectionOutcome): void => {
    for (const l of listeners) l(o);
  };

  /** The reservation's holds with their definitions; holds of budgets deleted since admission are dropped. */
  const held = (r: Reservation): HeldAmount[] =>
    r.holds.flatMap((h) => {
      const budget = book.get(h.budgetId);
      return budget ? [{ budget, bucket: h.windowStart, amount: h.amount }] : [];
    });

  const gate: StewardBudgetGate = {
    mode: counters.mode,
    orgId,

    async admit(subject, estimate, now = Date.now()): Promise<BudgetVerdict> {
      const defs = book.applicable(subject);
      const paused = defs.find((d) => d.paused);
      if (paused) {
        reject('paused');
        return { outcome: 'paused', budget: paused, message: pausedMessage(paused) };
      }
      const id = `${idPrefix}.${(++idSeq).toString(36)}`;
      if (defs.length === 0) {
        return { outcome: 'allow', reservation: { id, holds: [], estimate, createdAt: now }, warnings: [] };
      }
      const holds: HoldPlan[] = defs.map((b) => ({
        budget: b,
        bucket: bucketOf(b.window, now),
        amount: amountIn(b, estimate),
        tokens: Math.max(0, Math.round(estimate.tokens)),
      }));
      const v = await counters.admit(id, holds, now, now + ttl);
      if (v.kind !== 'admitted') {
        const b = (holds[v.index] as HoldPlan).budget;
        const state = stateOf(b, v.levels[v.index] as Level, now);
        reject(v.kind);
        return v.kind === 'block'
          ? { outcome: 'block', state, message: blockMessage(b, now) }
          : {
              outcome: 'throttle',
              state,
              retryAfterSeconds: v.retryAfterSeconds,
              message: throttleMessage(b, v.retryAfterSeconds),
            };
      }
      const warnings = holds.flatMap((h, i) => {
        const lv = v.levels[i] as Level;
        return lv.settled + lv.reserved >= warnsAt(h.budget) ? [stateOf(h.budget, lv, now)] : [];
      });
      const reservation: Reservation = {
        id,
        // Rolling holds name their window's start; their counter is the budget's single rolling counter.
        holds: holds.map((h) => ({ budgetId: h.budget.id, windowStart: h.bucket, amount: h.amount })),
        estimate,
        createdAt: now,
      };
      return { outcome: 'allow', reservation, warnings };
    },

    async settle(reservation, actual, now = Date.now()) {
      if (reservation.holds.length === 0 || !finishOnce(reservation)) return;
      const h = held(reservation);
      await counters.settle(
        reservation.id,
        h,
        h.map((x) => amountIn(x.budget, actual)),
        now,
      );
    },

    async release(reservation) {
      if (reservation.holds.length === 0 || !finishOnce(reservation)) return;
      await counters.release(reservation.id, held(reservation), Date.now());
    },

    async states(subject, now = Date.now()) {
      const defs = subject ? book.applicable(subject) : book.list();
      const counted = defs.filter((d) => !d.pauseOnly);
      const levels = await counters.peek(
        counted.map((b) => ({ budget: b, bucket: bucketOf(b.window, now) })),
        now,
      );
      const byId = new Map(counted.map((b, i) => [b.id, levels[i] as Level]));
      return defs.map((b) => stateOf(b, byId.get(b.id) ?? { settled: 0, reserved: 0 }, now));
    },

    listStates: (now) => gate.states(undefined, now),

    definitions: () => book.list(),

    async definitionsChanged() {
      await book.reload();
      if (opts.redis) await opts.redis.publish(BUDGETS_CHANNEL, orgId).catch(onError);
    },

    refresh: () => book.refreshIfChanged(),

    onRejection(listener) {
      listeners.push(listener);
    },

    flush: () => writer.flush(),

    async close() {
      await book.close();
      // A failed last flush is reported, not thrown: the caller still has its store and Redis to close.
      await writer.close().catch(onError);
      await counters.close();
    },
  };
  return gate;
}
