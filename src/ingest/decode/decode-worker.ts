import { parentPort, type MessagePort } from 'node:worker_threads';
import { toTextBatch } from '../writer/rows-text.js';
import type { HoldMessage } from '../writer/writer-protocol.js';
import { runDecodeJob, type DecodeJob, type DecodeOutcome } from './decode-job.js';

/**
 * Worker-thread entry: answers each {id, job} with {id, outcome}. Never throws: failures are outcomes.
 * With a port to the SQLite writer thread (`{ type: 'port' }`) and a ticket on the job, a decoded batch goes straight
 * to the writer and the main thread gets only its summary (decode-job.ts `HeldBatch`).
 */
interface Request {
  id: number;
  job: DecodeJob;
  ticket?: number;
}

let writer: MessagePort | undefined;

parentPort?.on('message', (msg: Request | { type: 'port'; port: MessagePort }) => {
  if ('type' in msg) {
    writer = msg.port;
    return;
  }
  let outcome: DecodeOutcome;
  try {
    outcome = runDecodeJob(msg.job);
  } catch (err) {
    // Defensive: decoders and normalisers are fuzzed not to throw, but a worker must not die on one bad body.
    outcome = {
      ok: false as const,
      code: 'invalid_otlp' as const,
      message: `could not process body: ${(err as Error).message}`,
    };
  }
  if (outcome.ok && 'batch' in outcome && msg.ticket !== undefined && writer) {
    const { batch } = outcome;
    const size = batch.rows.length + batch.metrics.length;
    if (size > 0)
      writer.postMessage({ type: 'hold', ticket: msg.ticket, batch: toTextBatch(batch) } satisfies HoldMessage);
    outcome = { ok: true, held: { ticket: msg.ticket, size, rejected: batch.rejected, errors: batch.errors } };
  }
  parentPort?.postMessage({ id: msg.id, outcome });
});
