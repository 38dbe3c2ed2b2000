import type { MessagePort } from 'node:worker_threads';
import type { PreparedBatch } from '../../contracts/canonical.js';
import type { CommitOptions, CommitResult } from '../commit-batch.js';
import type { TextBatch } from './rows-text.js';

/**
 * Messages between the main thread, the decode workers and the SQLite writer thread (writer-thread.ts).
 *
 * A decode worker hands its prepared batch straight to the writer over its own MessagePort (`HoldMessage`), so the
 * rows are cloned once, decode worker → writer, and the main thread never touches them. The main thread keeps the
 * group commit's queue, bounds and lingering (group-commit.ts) and sends only which tickets make a group
 * (`CommitMessage`); batches built on the main thread travel inline in the commit message: decision records as
 * values, gateway usage records with their rows already as text (rows-text.ts `TextBatchBuilder`).
 */
/** How the writer thread commits, and whether it also checkpoints the WAL. */
export interface WriterOptions extends CommitOptions {
  /**
   * Run a PASSIVE WAL checkpoint on the writer's connection at most this often, after a commit or when idle;
   * 0 (the default) leaves checkpoints to another thread (store/sqlite-checkpointer.ts).
   */
  checkpointIntervalMs?: number;
}

export interface HoldMessage {
  type: 'hold';
  ticket: number;
  /** Rows as text (rows-text.ts): compact while held, and the seal's input as they are. */
  batch: TextBatch;
}

/** One entry of a group: a batch already held under a ticket, or one sent inline. */
/** A batch held under a ticket, one posted with the commit as values, or one posted with its rows as text. */
export type GroupEntry = { ticket: number } | { batch: PreparedBatch } | { text: TextBatch };

export interface CommitMessage {
  type: 'commit';
  id: number;
  entries: GroupEntry[];
  now: number;
  /**
   * Keep held batches when the commit fails: the queue then retries the group's requests one by one
   * (group-commit.ts), and those retries name the same tickets.
   */
  keepOnFailure: boolean;
}

export interface DropMessage {
  type: 'drop';
  tickets: number[];
}

export interface PortMessage {
  type: 'port';
  port: MessagePort;
}

export interface CloseMessage {
  type: 'close';
}

export type ToWriter = CommitMessage | DropMessage | PortMessage | CloseMessage | HoldMessage;

/** The store error's message and driver code (SQLITE_…), so the main thread can classify it (store-errors.ts). */
export interface WriterError {
  message: string;
  code: string | undefined;
}

export type FromWriter =
  | { type: 'committed'; id: number; result: CommitResult; ms: number }
  | { type: 'failed'; id: number; error: WriterError }
  | { type: 'ready' }
  | { type: 'closed' };
