import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { fixtureJson } from '../test/support/fixtures.js';
import { encodeLogsRequestJson } from './encode-logs.js';

/**
 * Claude Code-shaped OTLP log batches: the real capture's records (resource attributes copied onto every
 * record, string-typed numbers, ~30 attributes each), cloned with a fresh session id per batch so every event is
 * new (no dedupe short-cuts).
 */
interface JsonBody {
  resourceLogs: { resource: unknown; scopeLogs: { scope: unknown; logRecords: Record<string, unknown>[] }[] }[];
}

export function claudeCodeBatch(eventsPerBatch: number): JsonBody {
  const template = fixtureJson('otlp/http-json/logs.json') as JsonBody;
  const rl = template.resourceLogs[0]!;
  const source = rl.scopeLogs[0]!.logRecords.filter((r) => JSON.stringify(r).includes('"prompt.id"'));
  const sessionId = randomUUID();
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < eventsPerBatch; i++) {
    const rec = structuredClone(source[i % source.length]!) as {
      attributes: { key: string; value: Record<string, unknown> }[];
      timeUnixNano: string;
    };
    for (const a of rec.attributes) {
      if (a.key === 'session.id') a.value = { stringValue: sessionId };
      if (a.key === 'event.sequence') a.value = { intValue: i };
    }
    rec.timeUnixNano = `${1795238132618 + i}000000`;
    records.push(rec);
  }
  return {
    resourceLogs: [{ resource: rl.resource, scopeLogs: [{ scope: rl.scopeLogs[0]!.scope, logRecords: records }] }],
  };
}

export interface Body {
  bytes: Buffer;
  contentType: string;
  events: number;
}

export function makeBodies(count: number, eventsPerBatch: number, protobuf: boolean): Body[] {
  const out: Body[] = [];
  for (let i = 0; i < count; i++) {
    const json = claudeCodeBatch(eventsPerBatch);
    out.push({
      bytes: protobuf ? encodeLogsRequestJson(json) : Buffer.from(JSON.stringify(json)),
      contentType: protobuf ? 'application/x-protobuf' : 'application/json',
      events: eventsPerBatch,
    });
  }
  return out;
}

export interface LoadResult {
  events: number;
  requests: number;
  seconds: number;
  eventsPerSecond: number;
  latenciesMs: number[];
  non2xx: number;
  /** CPU time this load generator used per wall second (it shares the machine with the server). */
  clientCpuShare: number;
}

/** `concurrency` exporters, each POSTing its next body as soon as the previous one is acknowledged. */
export async function runLoad(url: string, token: string, bodies: Body[], concurrency: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url + '/v1/logs');
  let next = 0;
  let events = 0;
  let non2xx = 0;
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const post = (b: Body) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': b.contentType,
            'content-length': b.bytes.length,
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.on('socket', (socket) => socket.setNoDelay(true));
      req.end(b.bytes);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const b = bodies[next++]!;
        const t0 = performance.now();
        const status = await post(b);
        latencies.push(performance.now() - t0);
        if (status === 200) events += b.events;
        else non2xx += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  return {
    events,
    requests: bodies.length,
    seconds,
    eventsPerSecond: events / seconds,
    latenciesMs: latencies,
    non2xx,
    clientCpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
