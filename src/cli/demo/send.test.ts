import { Server as GrpcServer, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_BANNER, registerDemoCommand } from './demo.command.js';
import { DemoExportError } from './otlp-exporters.js';
import { sendDemo } from './send.js';

/** A minimal OTLP/HTTP JSON receiver on 127.0.0.1:0 that records what the exporters POST (OTLP spec §OTLP/HTTP). */
interface Sink {
  readonly endpoint: string;
  readonly requests: { path: string; headers: IncomingHttpHeaders; body: OtlpJson; bytes: number }[];
  close(): Promise<void>;
}
type KeyValue = { key: string; value: Record<string, unknown> };
interface OtlpJson {
  resourceLogs?: {
    resource: { attributes: KeyValue[] };
    scopeLogs: { scope: { name: string }; logRecords: LogRecordJson[] }[];
  }[];
  resourceMetrics?: {
    resource: { attributes: KeyValue[] };
    scopeMetrics: { metrics: { name: string; sum?: { aggregationTemporality: number; dataPoints: PointJson[] } }[] }[];
  }[];
}
interface LogRecordJson {
  timeUnixNano: string;
  body: { stringValue: string };
  attributes: KeyValue[];
}
interface PointJson {
  startTimeUnixNano: string;
  timeUnixNano: string;
  asDouble: number;
  attributes: KeyValue[];
}

const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

async function startSink(status = 200): Promise<Sink> {
  const requests: Sink['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (status === 200) {
        requests.push({
          path: req.url ?? '',
          headers: req.headers,
          body:
            req.headers['content-type'] === 'application/json'
              ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJson)
              : {},
          bytes: Buffer.concat(chunks).length,
        });
      }
      // An empty body is a valid protobuf Export*ServiceResponse; JSON clients get `{}` (OTLP/HTTP response).
      const json = req.headers['content-type'] === 'application/json';
      res.writeHead(status, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(status !== 200 ? '{"code":16,"message":"unauthenticated"}' : json ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sink: Sink = {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  sinks.push(sink);
  return sink;
}

const attr = (attributes: KeyValue[], key: string) => attributes.find((a) => a.key === key)?.value;
// A Wednesday evening (UTC), so a two-day window has two working days behind it.
const END_MS = Date.UTC(2026, 10, 18, 21, 0, 0);

describe('sendDemo over OTLP/HTTP JSON', () => {
  it('delivers exactly the records and points the generator reports, with the CLI value types', async () => {
    const sink = await startSink();
    const summary = await sendDemo({
      protocol: 'http/json',
      endpoint: sink.endpoint,
      token: 'demo-token',
      people: 3,
      days: 2,
      seed: 1,
      endMs: END_MS,
      flushEveryEvents: 100,
    });
    expect(summary.sessions).toBeGreaterThan(0);
    expect(summary.metricPoints).toBeGreaterThan(0);

    const logs = sink.requests.filter((r) => r.path === '/v1/logs');
    const records = logs.flatMap((r) =>
      (r.body.resourceLogs ?? []).flatMap((rl) =>
        rl.scopeLogs.flatMap((sl) => sl.logRecords.map((lr) => ({ rl, lr }))),
      ),
    );
    expect(records).toHaveLength(summary.events);
    for (const request of sink.requests) expect(request.headers.authorization).toBe('Bearer demo-token');

    const types = (name: string, key: string) =>
      new Set(
        records
          .filter(({ lr }) => attr(lr.attributes, 'event.name')?.stringValue === name)
          .map(({ lr }) => Object.keys(attr(lr.attributes, key) ?? {})[0]),
      );
    expect(types('user_prompt', 'prompt_length')).toEqual(new Set(['stringValue']));
    expect(types('api_request', 'input_tokens')).toEqual(new Set(['intValue']));
    expect(types('api_request', 'cost_usd')).toEqual(new Set(['doubleValue']));
    expect(types('user_prompt', 'event.sequence')).toEqual(new Set(['intValue']));

    for (const { rl, lr } of records) {
      // Historic time: the record's time is the event's own, inside the window, not the export time.
      const ms = Number(BigInt(lr.timeUnixNano) / 1_000_000n);
      expect(ms).toBeLessThan(END_MS);
      expect(ms).toBeGreaterThan(END_MS - 3 * 86_400_000);
      expect(attr(lr.attributes, 'event.timestamp')?.stringValue).toBe(new Date(ms).toISOString());
      expect(attr(rl.resource.attributes, 'steward.demo')?.stringValue).toBe('true');
      expect(attr(lr.attributes, 'steward.demo')?.stringValue).toBe('true');
      const service = attr(rl.resource.attributes, 'service.name')?.stringValue;
      expect(lr.body.stringValue.startsWith(service === 'cowork' ? 'claude_' : 'claude_code.')).toBe(true);
    }

    const points = sink.requests
      .filter((r) => r.path === '/v1/metrics')
      .flatMap((r) => (r.body.resourceMetrics ?? []).flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)));
    const dataPoints = points.flatMap((m) => m.sum?.dataPoints ?? []);
    expect(dataPoints).toHaveLength(summary.metricPoints);
    for (const metric of points) expect(metric.sum?.aggregationTemporality).toBe(1); // DELTA
    for (const point of dataPoints) {
      expect(Number(BigInt(point.timeUnixNano) / 1_000_000n)).toBeLessThan(END_MS);
      expect(BigInt(point.startTimeUnixNano) <= BigInt(point.timeUnixNano)).toBe(true);
    }
  });

  it('surfaces the exporter result code when the receiver refuses the data', async () => {
    const sink = await startSink(401);
    const attempt = sendDemo({
      protocol: 'http/json',
      endpoint: sink.endpoint,
      token: 'wrong',
      people: 3,
      days: 2,
      seed: 1,
      endMs: END_MS,
    });
    await expect(attempt).rejects.toBeInstanceOf(DemoExportError);
    await expect(attempt).rejects.toMatchObject({ resultCode: 1, signal: 'logs' });
  });
});

describe('sendDemo over the other protocols', () => {
  const options = { token: 'demo-token', people: 3, days: 2, seed: 1, endMs: END_MS } as const;

  it('sends OTLP/HTTP protobuf to /v1/logs and /v1/metrics', async () => {
    const sink = await startSink();
    const summary = await sendDemo({ ...options, protocol: 'http/protobuf', endpoint: sink.endpoint });
    expect(summary.events).toBeGreaterThan(0);
    expect(new Set(sink.requests.map((r) => r.path))).toEqual(new Set(['/v1/logs', '/v1/metrics']));
    for (const request of sink.requests) {
      expect(request.headers['content-type']).toBe('application/x-protobuf');
      expect(request.headers.authorization).toBe('Bearer demo-token');
      expect(request.bytes).toBeGreaterThan(0);
    }
  });

  it('sends OTLP/gRPC with the token as authorization metadata', async () => {
    const calls: { path: string; authorization: unknown; bytes: number }[] = [];
    const server = new GrpcServer();
    const service = (path: string) => ({
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: (value: Buffer) => value,
        responseSerialize: (value: Buffer) => value,
        responseDeserialize: (value: Buffer) => value,
      },
    });
    const handler = (path: string) => ({
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        calls.push({ path, authorization: call.metadata.get('authorization')[0], bytes: call.request.length });
        callback(null, Buffer.alloc(0)); // an empty Export*ServiceResponse
      },
    });
    const logsPath = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
    const metricsPath = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';
    server.addService(service(logsPath), handler(logsPath));
    server.addService(service(metricsPath), handler(metricsPath));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    try {
      const summary = await sendDemo({ ...options, protocol: 'grpc', endpoint: `http://127.0.0.1:${port}` });
      expect(summary.events).toBeGreaterThan(0);
      expect(new Set(calls.map((c) => c.path))).toEqual(new Set([logsPath, metricsPath]));
      for (const call of calls) expect(call.authorization).toBe('Bearer demo-token');
    } finally {
      server.forceShutdown();
    }
  });
});

describe('steward demo command', () => {
  it('prints the banner first and a summary matching what the receiver got', async () => {
    const sink = await startSink();
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command().exitOverride();
    registerDemoCommand(program, {
      stdout: { write: (chunk) => out.push(chunk) > 0 },
      stderr: { isTTY: false, write: (chunk) => err.push(chunk) > 0 },
    });
    await program.parseAsync(['demo', '--endpoint', sink.endpoint, '--token', 't', '--people', '3', '--days', '2'], {
      from: 'user',
    });
    const text = out.join('');
    expect(text.startsWith(DEMO_BANNER)).toBe(true);
    const events = Number(/events\s+(\d+)/.exec(text)?.[1]);
    const received = sink.requests
      .filter((r) => r.path === '/v1/logs')
      .flatMap((r) => (r.body.resourceLogs ?? []).flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)));
    expect(received).toHaveLength(events);
    expect(text).toMatch(/people\s+3/);
    expect(err.join('')).toContain('demo: 100%');
  });

  it('rejects a missing token and bad numbers', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    registerDemoCommand(program, { stdout: { write: () => true }, stderr: { write: () => true } });
    await expect(program.parseAsync(['demo'], { from: 'user' })).rejects.toThrow(/--token/);
    await expect(program.parseAsync(['demo', '--token', 't', '--people', 'x'], { from: 'user' })).rejects.toThrow(
      /--people must be an integer/,
    );
  });
});
