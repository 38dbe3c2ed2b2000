import type { PreparedBatch } from '../contracts/canonical.js';
import { AppError } from '../errors/app-error.js';
import { isDataError } from '../store/store-errors.js';
import type { CommitResult } from './commit-batch.js';
import type { CommitItem, GroupCommitter } from './committer.js';
import type { TextBatch } from './writer/rows-text.js';

/**
 * Group commit: requests hand their normalised batch to this queue and are answered only after the transaction
 * holding it commits (DESIGN §4: 2xx only after commit). One writer drains everything waiting into one
 * transaction, so throughput grows with load instead of paying one fsync per request. The queue is bounded in
 * events; when full, or while draining for shutdown, submissions are refused with 503 + Retry-After, which OTLP
 * exporters retry (OTLP/HTTP "Failures", retryable 429/502/503/504).
 */
export interface GroupCommitOptions {
  /** Where a group's transaction runs: this thread, or the SQLite writer thread (committer.ts). */
  committer: GroupCommitter;
  maxQueueEvents: number;
  maxBatchEvents: number;
  retryAfterSeconds: number;
  /**
   * Lingering: a commit costs ~3-4 ms however small (measured), so while more batches are on their way (decodes in
   * flight) and fewer than `minGroupEvents` wait, the writer waits up to `lingerMs` for them to join the group.
   */
  minGroupEvents?: number;
  lingerMs?: number;
  moreComing?: () => boolean;
  now?: () => number;
  onCommit?: (info: { events: number; requests: number; ms: number; duplicates: number }) => void;
  onError?: (err: unknown) => void;
}

interface Pending {
  item: CommitItem;
  size: number;
  resolve: (r: CommitResult) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitQueue {
  private readonly pending: Pending[] = [];
  private queued = 0;
  private running = false;
  private isClosed = false;
  private idleWaiters: (() => void)[] = [];
  private wake: (() => void) | undefined;

  constructor(private readonly opts: GroupCommitOptions) {}

  /** Events waiting or being written. */
  get depth(): number {
    return this.queued;
  }

  submit(batch: PreparedBatch): Promise<CommitResult> {
    return this.submitItem({ size: batch.rows.length + batch.metrics.length, batch });
  }

  /** A batch whose rows are already text (writer/rows-text.ts): the writer thread takes it as it is. */
  submitText(text: TextBatch): Promise<CommitResult> {
    return this.submitItem({ size: text.rowCount + text.metrics.length, text });
  }

  /** A batch here, or one a decode worker already handed to the writer thread under a ticket. */
  submitItem(item: CommitItem): Promise<CommitResult> {
    const size = item.size;
    const refuse = (err: AppError): Promise<CommitResult> => {
      this.opts.committer.discard([item]);
      return Promise.reject(err);
    };
    if (this.isClosed) {
      return refuse(
        new AppError('overloaded', 'server is shutting down', undefined, {
          retryAfterSeconds: this.opts.retryAfterSeconds,
        }),
      );
    }
    if (size === 0) {
      this.opts.committer.discard([item]);
      return Promise.resolve({ eventsInserted: 0, eventsDuplicate: 0, metricsInserted: 0, metricsDuplicate: 0 });
    }
    if (this.queued > 0 && this.queued + size > this.opts.maxQueueEvents) {
      return refuse(
        new AppError('overloaded', `ingest queue full (${this.queued} events waiting)`, undefined, {
          retryAfterSeconds: this.opts.retryAfterSeconds,
        }),
      );
    }
    return new Promise<CommitResult>((resolve, reject) => {
      this.pending.push({ item, size, resolve, reject });
      this.queued += size;
      this.wake?.();
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.run());
      }
    });
  }

  /** Stop accepting and wait (up to timeoutMs) for everything already accepted to commit. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.isClosed = true;
    if (!this.running && this.pending.length === 0) return true;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    return outcome !== 'timeout';
  }

  /**
   * A group failed: commit its requests one by one so a single poisoned export cannot fail the healthy ones that
   * happened to share its transaction. Each failure is then classified on its own.
   */
  private async commitOneByOne(group: Pending[]): Promise<void> {
    for (const p of group) {
      try {
        p.resolve((await this.opts.committer.commit([p.item], (this.opts.now ?? Date.now)(), false)).result);
      } catch (err) {
        this.opts.committer.discard([p.item]);
        p.reject(this.failure(err));
      }
    }
  }

  /** Data errors are the client's batch (400, do not retry); anything else is the store (503, retry later). */
  private failure(err: unknown): AppError {
    if (isDataError(err)) {
      return new AppError('invalid_otlp', `the export could not be stored: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    }
    return new AppError('store_unavailable', 'could not commit the batch; retry later', undefined, {
      retryAfterSeconds: this.opts.retryAfterSeconds,
      cause: err,
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Waits (bounded) while the group is small and more batches are being decoded. */
  private async linger(): Promise<void> {
    const min = this.opts.minGroupEvents ?? 0;
    const lingerMs = this.opts.lingerMs ?? 0;
    if (min <= 0 || lingerMs <= 0 || !this.opts.moreComing) return;
    const deadline = performance.now() + lingerMs;
    while (!this.isClosed && this.queued < min && this.opts.moreComing()) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  private async run(): Promise<void> {
    while (this.pending.length > 0) {
      await this.linger();
      const group: Pending[] = [];
      let events = 0;
      while (
        this.pending.length > 0 &&
        (group.length === 0 || events + (this.pending[0]?.size ?? 0) <= this.opts.maxBatchEvents)
      ) {
        const next = this.pending.shift() as Pending;
        group.push(next);
        events += next.size;
      }
      const items = group.map((p) => p.item);
      try {
        const { result, ms } = await this.opts.committer.commit(items, (this.opts.now ?? Date.now)(), group.length > 1);
        this.opts.onCommit?.({
          events,
          requests: group.length,
          ms,
          duplicates: result.eventsDuplicate + result.metricsDuplicate,
        });
        // Each request learns the group's totals; per-request duplicate counts are not needed by OTLP responses.
        for (const p of group) p.resolve(result);
      } catch (err) {
        this.opts.onError?.(err);
        if (group.length === 1) {
          this.opts.committer.discard(items);
          (group[0] as Pending).reject(this.failure(err));
        } else await this.commitOneByOne(group);
      } finally {
        this.queued -= events;
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
