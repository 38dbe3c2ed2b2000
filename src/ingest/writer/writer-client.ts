import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { PreparedBatch } from '../../contracts/canonical.js';
import type { CommitResult } from '../commit-batch.js';
import { startThread } from '../../thread-entry.js';
import { toTextBatch } from './rows-text.js';
import type { FromWriter, GroupEntry, ToWriter, WriterOptions } from './writer-protocol.js';

/**
 * The writer thread's V8 young generation (default 48 MB: two 16 MB semi-spaces + new large objects). Batches wait in
 * `held` for their commit and survive scavenges whatever the young generation's size, so a large one buys this
 * thread nothing. Measured under `npm run bench:ingest` (same run, default vs 16): writer heap peak 94–120 MB →
 * 74–88 MB, server peak RSS 370–389 MB → 312–316 MB, events/s unchanged within noise. `steward serve` as
 * launched (src/cli/serve-node-flags.ts) passes `--max-semi-space-size`, which V8 applies over this limit; it
 * holds where the server runs without those options (tests, embedding).
 */
const WRITER_YOUNG_GENERATION_MB = 16;

/**
 * The main thread's handle on the SQLite writer thread (writer-thread.ts). `commit` sends a group (tickets of
 * batches the decode workers handed over, or batches inline) and resolves with the commit's result, or rejects with
 * an error carrying the driver's code so the queue can tell a bad batch (400) from a store failure (503).
 * If the thread dies, everything waiting fails (exporters retry on 503) and a new thread is started; held batches
 * die with it, so commits naming tickets issued before the restart fail at once, and decode workers are given
 * ports to the new thread (`onRestart`).
 */
interface Waiting {
  resolve: (r: { result: CommitResult; ms: number }) => void;
  reject: (e: unknown) => void;
}

export class WriterClient {
  private worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private nextTicket = 1;
  /** Tickets below this were issued to a writer thread that has died. */
  private firstLiveTicket = 1;
  private readonly restartListeners: (() => void)[] = [];
  private closing = false;
  private readyPromise: Promise<void>;

  constructor(
    private readonly dataDir: string,
    private readonly options: WriterOptions = {},
  ) {
    [this.worker, this.readyPromise] = this.spawn();
  }

  /** Resolves once the thread has opened its connection (or rejects if it could not). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** A port a decode worker posts `hold` messages to; the other end is handed to the writer thread. */
  decoderPort(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.post({ type: 'port', port: port2 }, [port2]);
    return port1;
  }

  /** A ticket for a batch a decode worker will hand over. */
  newTicket(): number {
    return this.nextTicket++;
  }

  onRestart(listener: () => void): void {
    this.restartListeners.push(listener);
  }

  commit(entries: GroupEntry[], now: number, keepOnFailure: boolean): Promise<{ result: CommitResult; ms: number }> {
    if (this.closing) return Promise.reject(writerFailure(new Error('the ingest writer is closing')));
    if (entries.some((e) => 'ticket' in e && e.ticket < this.firstLiveTicket)) {
      return Promise.reject(writerFailure(new Error('the batch was held by a writer thread that has since restarted')));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ type: 'commit', id, entries, now, keepOnFailure });
    });
  }

  /** Frees batches held for requests that will never commit (refused after decoding, or failed one by one). */
  drop(tickets: number[]): void {
    if (tickets.length > 0 && !this.closing) this.post({ type: 'drop', tickets });
  }

  /**
   * Hands over a batch built on this thread under a ticket, as a decode worker would (tests; inline decoding uses
   * `{ batch }` entries). The batch's rows are consumed.
   */
  hold(ticket: number, batch: PreparedBatch): void {
    this.post({ type: 'hold', ticket, batch: toTextBatch(batch) });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const worker = this.worker;
    const closed = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToWriter);
    await closed;
  }

  private post(msg: ToWriter, transfer?: MessagePort[]): void {
    this.worker.postMessage(msg, transfer);
  }

  private spawn(): [Worker, Promise<void>] {
    const worker = startThread(import.meta.url, 'writer-thread', {
      workerData: { dataDir: this.dataDir, options: this.options },
      resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB },
    });
    let markReady: () => void = () => undefined;
    let markFailed: (e: unknown) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    ready.catch(() => undefined); // observed by ready(); an unobserved failure is reported through the exit path
    worker.on('message', (msg: FromWriter) => {
      if (msg.type === 'ready') return markReady();
      if (msg.type === 'closed') return;
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.type === 'committed') w.resolve({ result: msg.result, ms: msg.ms });
      else w.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      markFailed(new Error(`ingest writer exited with code ${code}`));
      this.failAll(new Error(`ingest writer exited with code ${code}`));
      if (this.closing) return;
      this.firstLiveTicket = this.nextTicket;
      [this.worker, this.readyPromise] = this.spawn();
      for (const listener of this.restartListeners) listener();
    });
    return [worker, ready];
  }

  private failAll(err: unknown): void {
    const failure = writerFailure(err);
    for (const w of this.waiting.values()) w.reject(failure);
    this.waiting.clear();
  }
}

/** Not a data error: `code` names the cause, so the queue answers 503 and exporters retry (store-errors.ts). */
function writerFailure(err: unknown): Error {
  return Object.assign(new Error(`ingest writer failed: ${(err as Error).message}`), {
    code: 'WRITER_THREAD',
    cause: err,
  });
}
