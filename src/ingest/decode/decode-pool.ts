import type { Worker } from 'node:worker_threads';
import { startThread } from '../../thread-entry.js';
import type { WriterClient } from '../writer/writer-client.js';
import { runDecodeJob, type DecodeJob, type DecodeOutcome } from './decode-job.js';

/**
 * Decode workers: decompression, JSON/protobuf decoding and normalisation are CPU-bound and independent per
 * request, while commits must be serialised on the main thread. Moving the former off the event loop lets the
 * writer commit one group while the next requests are decoded (bench/ingest.bench.ts measures the effect).
 * With `size` 0 the same job runs inline. A worker that dies is replaced; its in-flight jobs fail with 503 so
 * exporters retry.
 */
interface Pending {
  resolve: (o: DecodeOutcome) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

export class DecodePool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  /**
   * With `writer` (SQLite with the writer thread), each worker holds a port to it and hands decoded batches over
   * directly: the rows are cloned once, worker → writer, never through the main thread.
   */
  constructor(
    private readonly size: number,
    private readonly writer?: WriterClient,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
    writer?.onRestart(() => {
      for (const s of this.slots) this.connect(s.worker);
    });
  }

  run(job: DecodeJob): Promise<DecodeOutcome> {
    if (this.closed) return Promise.reject(new Error('decode pool is closed'));
    if (this.slots.length === 0) return Promise.resolve(runDecodeJob(job));
    // Least-loaded worker (by jobs in flight).
    let slot = this.slots[0] as Slot;
    for (const s of this.slots) if (s.inFlight.size < slot.inFlight.size) slot = s;
    const id = this.nextId++;
    const ticket = this.writer?.newTicket();
    return new Promise<DecodeOutcome>((resolve, reject) => {
      slot.inFlight.set(id, { resolve, reject });
      slot.worker.postMessage({ id, job, ticket }, transferable(job.body));
    });
  }

  /** Jobs handed to workers and not yet answered. */
  get inFlight(): number {
    let n = 0;
    for (const s of this.slots) n += s.inFlight.size;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = startThread(import.meta.url, 'decode-worker');
    this.connect(worker);
    const slot: Slot = { worker, inFlight: new Map() };
    worker.on('message', (msg: { id: number; outcome: DecodeOutcome }) => {
      const p = slot.inFlight.get(msg.id);
      slot.inFlight.delete(msg.id);
      p?.resolve(msg.outcome);
    });
    const failAll = (err: unknown) => {
      for (const p of slot.inFlight.values()) p.reject(err);
      slot.inFlight.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      failAll(new Error(`decode worker exited with code ${code}`));
      if (this.closed) return;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
    });
    worker.unref();
    return slot;
  }

  private connect(worker: Worker): void {
    if (!this.writer) return;
    const port = this.writer.decoderPort();
    worker.postMessage({ type: 'port', port }, [port]);
  }
}

/**
 * The body's memory moves to the worker instead of being copied when the body owns its whole ArrayBuffer (a request
 * body read in full is its own allocation; a slice of a pooled or larger buffer is copied as before). The caller's
 * Buffer is left empty: nothing reads it after decoding is handed off. Measured under `npm run bench:ingest`: the
 * main thread's peak ArrayBuffer memory 41–47 MB → 33–37 MB.
 */
function transferable(body: Uint8Array): ArrayBuffer[] | undefined {
  const buffer = body.buffer;
  if (!(buffer instanceof ArrayBuffer)) return undefined;
  return body.byteOffset === 0 && body.byteLength === buffer.byteLength ? [buffer] : undefined;
}
