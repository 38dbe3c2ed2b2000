import { parentPort } from 'node:worker_threads';
import { runDecodeJob, type DecodeJob } from './decode-job.js';

/** Worker-thread entry: answers each {id, job} with {id, outcome}. Never throws: failures are outcomes. */
interface Request {
  id: number;
  job: DecodeJob;
}

parentPort?.on('message', (msg: Request) => {
  let outcome;
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
  parentPort?.postMessage({ id: msg.id, outcome });
});
