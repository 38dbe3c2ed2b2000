import type { PreparedBatch } from '../contracts/canonical.js';
import type { PersonResolver } from '../identity/person-resolver.js';
import type { Store } from '../store/store.js';
import { commitBatch, type CommitOptions, type CommitResult } from './commit-batch.js';
import { mergePrepared } from './prepare-batch.js';
import { fromTextBatch, type TextBatch } from './writer/rows-text.js';
import type { WriterClient } from './writer/writer-client.js';
import type { GroupEntry } from './writer/writer-protocol.js';

/**
 * What the group-commit queue hands a group to. A request's batch is either here on the main thread (`batch`, or
 * `text`: its rows already as text, writer/rows-text.ts) or already with the SQLite writer thread under a ticket
 * (`ticket`: a decode worker handed it over directly).
 */
export interface CommitItem {
  /** Events + metric points: what the queue's bounds count. */
  size: number;
  batch?: PreparedBatch;
  text?: TextBatch;
  ticket?: number;
}

export interface Committed {
  result: CommitResult;
  ms: number;
}

export interface GroupCommitter {
  /** One transaction for the whole group. `retryable`: the queue will retry these items one by one on failure. */
  commit(items: readonly CommitItem[], now: number, retryable: boolean): Promise<Committed>;
  /** Items that will never be committed (refused, or failed for good): free what holds them. */
  discard(items: readonly CommitItem[]): void;
}

/** Commits on this thread through the store's own connection: PostgreSQL (asynchronous I/O), or SQLite inline. */
export class InlineCommitter implements GroupCommitter {
  constructor(
    private readonly store: Store,
    private readonly resolver: PersonResolver,
    private readonly options: CommitOptions = {},
  ) {}

  async commit(items: readonly CommitItem[], now: number): Promise<Committed> {
    const started = performance.now();
    const batches = items.map((i) => {
      if (i.batch) return i.batch;
      if (i.text) return fromTextBatch(i.text);
      throw new Error('inline commit given a ticket: decode handoff needs the writer thread');
    });
    const result = await commitBatch(this.store, this.resolver, mergePrepared(batches), now, this.options);
    return { result, ms: performance.now() - started };
  }

  discard(): void {
    // nothing is held elsewhere
  }
}

/** Commits on the SQLite writer thread (writer/writer-thread.ts); the event loop never waits on a transaction. */
export class ThreadCommitter implements GroupCommitter {
  constructor(readonly writer: WriterClient) {}

  commit(items: readonly CommitItem[], now: number, retryable: boolean): Promise<Committed> {
    const entries = items.map((i): GroupEntry => {
      if (i.ticket !== undefined) return { ticket: i.ticket };
      return i.text ? { text: i.text } : { batch: i.batch as PreparedBatch };
    });
    return this.writer.commit(entries, now, retryable);
  }

  discard(items: readonly CommitItem[]): void {
    this.writer.drop(items.flatMap((i) => (i.ticket !== undefined ? [i.ticket] : [])));
  }
}
