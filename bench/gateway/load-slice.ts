/**
 * The load generator of the gateway benchmark: closed-loop workers on node:http with a keep-alive agent (one socket
 * per worker, reused, as an SDK client keeps its connections). A slice runs `concurrency` workers for `ms`
 * milliseconds against one arm; each worker sends its next request as soon as the previous answer has fully arrived.
 * Latency is the time from sending the request to the last byte of the answer; for SSE the time to the first body
 * byte (the message_start event) is kept too. An answer counts only if it is a 200 and, for SSE, ends with
 * message_stop.
 */
import { Agent, request } from 'node:http';

export interface Target {
  /** Base URL of the arm (the mock itself for `direct`); the Claude Code path is appended. */
  base: URL;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  sse: boolean;
}

export interface SliceResult {
  latencies: number[];
  ttfb: number[];
  count: number;
  errors: number;
  firstError?: string;
  wallMs: number;
}

const MESSAGE_STOP = 'event: message_stop';

/** One request; resolves with [latency ms, first-byte ms] or rejects with why it does not count. */
export function sendRequest(target: Target, agent: Agent): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    const req = request(
      {
        host: target.base.hostname,
        port: target.base.port,
        method: 'POST',
        path: target.path,
        headers: { ...target.headers, 'content-length': String(target.body.length) },
        agent,
      },
      (res) => {
        let tail = '';
        res.on('data', (chunk: Buffer) => {
          if (first === 0) first = performance.now() - t0;
          // Only the end matters for the completeness check: keep the last bytes, not the body.
          tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 64))).slice(-64);
        });
        res.on('end', () => {
          const done = performance.now() - t0;
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${tail}`));
          else if (target.sse && !tail.includes(MESSAGE_STOP))
            reject(new Error(`stream without message_stop: ${tail}`));
          else resolve([done, first]);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(target.body);
  });
}

export function agentFor(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, keepAliveMsecs: 30_000 });
}

export async function runSlice(target: Target, agent: Agent, concurrency: number, ms: number): Promise<SliceResult> {
  const out: SliceResult = { latencies: [], ttfb: [], count: 0, errors: 0, wallMs: 0 };
  const t0 = performance.now();
  const end = t0 + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      try {
        const [latency, first] = await sendRequest(target, agent);
        out.latencies.push(latency);
        if (target.sse) out.ttfb.push(first);
        out.count++;
      } catch (e) {
        out.errors++;
        out.firstError ??= (e as Error).message.slice(0, 300);
        if (out.errors > 50 && out.count === 0) break; // a broken arm: stop hammering it
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  out.wallMs = performance.now() - t0;
  return out;
}
