import { addBudgetSpend, pruneBudgetSpend, type SpendDelta } from '../store/budgets.repo.js';
import type { Store } from '../store/store.js';
import { ROLLING_MS } from './budget-windows.js';

/**
 * Write-behind of settled spend to the store (`budget_spend`). Settles add to an in-memory delta per (budget,
 * bucket); a timer commits them every `flushMs` in one transaction, and `close()` commits what is left, so a
 * graceful stop loses nothing. A crash loses at most the last `flushMs` of settled spend from the store (with
 * Redis the counters still have it). A failed flush keeps its deltas for the next one.
 */
export class SpendWriter {
  private pending = new Map<string, SpendDelta>();
  private flushing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private lastPrune = 0;
  private readonly rollingBudgets = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly orgId: string,
    flushMs: number,
    private readonly onError: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.flush().catch(onError), flushMs);
    this.timer.unref();
  }

  add(budgetId: string, bucketStart: number, amount: number, rolling: boolean): void {
    if (amount <= 0) return;
    const key = `${budgetId}\u0000${bucketStart}`;
    const d = this.pending.get(key);
    if (d) d.amount += amount;
    else this.pending.set(key, { budgetId, bucketStart, amount });
    if (rolling) this.rollingBudgets.add(budgetId);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Commits every pending delta; concurrent calls share one flush and then run another for what arrived since. */
  async flush(now = Date.now()): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = (async () => {
      try {
        await addBudgetSpend(this.store, this.orgId, [...batch.values()]);
      } catch (err) {
        for (const [k, d] of batch) {
          const cur = this.pending.get(k);
          if (cur) cur.amount += d.amount;
          else this.pending.set(k, d);
        }
        throw err;
      }
      // Minute buckets older than any rolling window are dead weight; drop them every few minutes.
      if (now - this.lastPrune > 5 * 60_000 && this.rollingBudgets.size > 0) {
        this.lastPrune = now;
        await pruneBudgetSpend(this.store.db, this.orgId, [...this.rollingBudgets], now - ROLLING_MS - 3_600_000);
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
