import type { AuditEntryInput } from '../contracts/audit.js';
import type { Store } from '../store/store.js';
import { appendEntries } from './vault-append.js';

export interface AuditRecorderOptions {
  /** How long entries wait to share one append transaction (config `audit.appendLingerMs`). */
  lingerMs: number;
  /** An append that failed (logged and counted by the caller); the entries are retried with the next flush. */
  onError: (err: unknown) => void;
  /** Most entries kept while the store refuses appends; older ones beyond this are dropped and reported. */
  maxPending?: number;
}

/**
 * The API process's way into the vault: admin actions, logins, token use, governance changes and exports are
 * recorded here without holding up the request, and appended in batches (one transaction per `lingerMs`).
 * Ingest seals and enforcement decisions do not pass through here: they are appended inside the ingest commit that
 * stores them (ingest/commit-batch.ts), so they can never be stored unsealed.
 */
export class AuditRecorder {
  private pending: AuditEntryInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly maxPending: number;

  constructor(
    private readonly store: Store,
    private readonly options: AuditRecorderOptions,
  ) {
    this.maxPending = options.maxPending ?? 100_000;
  }

  record(input: AuditEntryInput): void {
    // One entry canonical JSON cannot represent would fail its whole batch on every retry and block the vault:
    // values JSON has no form for are made representable here, before they can reach a batch.
    const entry = representable(input);
    if (this.pending.length >= this.maxPending) {
      this.options.onError(new Error(`audit recorder full (${this.maxPending} entries waiting); entry dropped`));
      return;
    }
    this.pending.push(entry);
    if (this.closed) return;
    this.timer ??= setTimeout(() => void this.flush(), this.options.lingerMs);
  }

  /** Appends everything recorded so far; resolves when it is committed (or failed and was kept for later). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.running) await this.running;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.running = this.append(batch);
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  private async append(batch: AuditEntryInput[]): Promise<void> {
    try {
      const now = Date.now();
      await this.store.db.transaction().execute((trx) => appendEntries(trx, this.store, batch, now));
    } catch (err) {
      // Keep them, ahead of anything recorded since, and try again on the next flush.
      this.pending = batch.concat(this.pending);
      this.options.onError(err);
      if (!this.closed) this.timer ??= setTimeout(() => void this.flush(), Math.max(this.options.lingerMs, 1000));
    }
  }

  /** Flushes and stops scheduling; entries recorded afterwards wait for an explicit flush. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}

// `String.prototype.toWellFormed` (ES2024, in Node ≥ 20) is not in the ES2023 lib this project compiles against.
const toWellFormed = (String.prototype as unknown as { toWellFormed: (this: string) => string }).toWellFormed;

/**
 * The entry as RFC 8785 can encode it (I-JSON, RFC 7493): lone surrogates become U+FFFD, bigints their decimal
 * text, non-finite numbers null (as JSON.stringify writes them), functions and symbols are dropped. An entry that is
 * already representable — every entry Steward builds — comes back unchanged.
 */
export function representable(entry: AuditEntryInput): AuditEntryInput {
  return JSON.parse(
    JSON.stringify(entry, (_key, value: unknown) => {
      if (typeof value === 'string') return toWellFormed.call(value);
      if (typeof value === 'bigint') return value.toString();
      return value;
    }),
  ) as AuditEntryInput;
}
