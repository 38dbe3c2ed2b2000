import type { Redis } from 'ioredis';
import type { BudgetSubject } from '../contracts/budget.js';
import { budgetVersion, listBudgets, type BudgetRecord } from '../store/budgets.repo.js';
import type { Store } from '../store/store.js';
import { scopeKey, subjectScopeKeys } from './budget-scope.js';

/** Redis channel on which a replica announces a definition change (DESIGN §4: policy-change notifications). */
export const BUDGETS_CHANNEL = 'steward:budgets';

/**
 * The budget definitions of one organisation, cached in process and indexed by scope so a request finds the
 * budgets that apply to it without I/O. Freshness: every `refreshMs` the store's version counter is read (one
 * primary-key row) and the definitions reloaded when it moved — this catches changes made by the CLI or any
 * replica; with Redis, a change made through a replica's API is also published on `steward:budgets` and every
 * subscriber reloads at once.
 */
export class BudgetBook {
  private byScope = new Map<string, BudgetRecord[]>();
  private all: BudgetRecord[] = [];
  private byId = new Map<string, BudgetRecord>();
  private version = -1;
  private timer: NodeJS.Timeout | undefined;
  private subscriber: Redis | undefined;
  private loading: Promise<void> | undefined;
  private again: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly orgId: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(refreshMs: number, redis: Redis | undefined): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.refreshIfChanged().catch(this.onError), refreshMs);
    this.timer.unref();
    if (redis) {
      // A subscribed connection can do nothing else, so it is a duplicate of the command connection.
      // Connected explicitly: the command connection may refuse to queue commands while disconnected.
      const sub = redis.duplicate({ lazyConnect: true });
      sub.on('error', () => undefined);
      await sub.connect();
      sub.on('message', (_channel: string, org: string) => {
        if (org === this.orgId) void this.reload().catch(this.onError);
      });
      await sub.subscribe(BUDGETS_CHANNEL);
      this.subscriber = sub;
    }
  }

  /** Definitions applying to the subject: every scope it falls under (org, department, team, person, …). */
  applicable(subject: BudgetSubject): BudgetRecord[] {
    const out: BudgetRecord[] = [];
    for (const k of subjectScopeKeys(subject)) {
      const defs = this.byScope.get(k);
      if (defs) out.push(...defs);
    }
    return out;
  }

  get(id: string): BudgetRecord | undefined {
    return this.byId.get(id);
  }

  list(): readonly BudgetRecord[] {
    return this.all;
  }

  get loadedVersion(): number {
    return this.version;
  }

  async refreshIfChanged(): Promise<void> {
    if ((await budgetVersion(this.store.db, this.orgId)) !== this.version) await this.reload();
  }

  /**
   * Reads the version, then the definitions. A reload asked for while one runs runs again after it, so a change
   * announced mid-read is never missed.
   */
  async reload(): Promise<void> {
    if (this.loading) {
      this.again ??= this.loading.then(() => {
        this.again = undefined;
        return this.reload();
      });
      return this.again;
    }
    this.loading = (async () => {
      try {
        const version = await budgetVersion(this.store.db, this.orgId);
        const defs = await listBudgets(this.store.db, this.orgId);
        const byScope = new Map<string, BudgetRecord[]>();
        for (const d of defs) {
          // A resumed kill-switch entry is deleted; one still present but not paused has nothing to enforce.
          if (d.pauseOnly && !d.paused) continue;
          const k = scopeKey(d.scope);
          const list = byScope.get(k);
          if (list) list.push(d);
          else byScope.set(k, [d]);
        }
        this.byScope = byScope;
        this.all = defs;
        this.byId = new Map(defs.map((d) => [d.id, d]));
        this.version = version;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.subscriber) this.subscriber.disconnect();
  }
}
