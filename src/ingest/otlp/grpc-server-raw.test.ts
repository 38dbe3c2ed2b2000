import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Client, compressionAlgorithms, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.js';
import { decodeRetryDelaySeconds, ERROR_CODE_TRAILER, STATUS_DETAILS_TRAILER } from './grpc-failure.js';
import { startOtlpGrpcServer, type GrpcListener, type OtlpExportOutcome, type OtlpSignal } from './grpc-server.js';
import { decodeExportResponse } from './protobuf.js';

// Wire-level checks with a bare grpc-js client: exact status codes, trailers and response bytes.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureDir = path.resolve(repoRoot, '../shared/fixtures/claude-code/otlp/http-protobuf');
const fixture = (signal: OtlpSignal) => readFileSync(path.join(fixtureDir, `${signal}.bin`));

const paths: Record<OtlpSignal, string> = {
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
};

interface Reply {
  response?: Buffer;
  error?: ServiceError;
}

function call(port: number, method: string, body: Uint8Array, opts: { gzip?: boolean; metadata?: Metadata } = {}) {
  const options = opts.gzip ? { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip } : {};
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), options);
  return new Promise<Reply>((resolve) => {
    client.makeUnaryRequest(
      method,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      body,
      opts.metadata ?? new Metadata(),
      (error, response) => {
        client.close();
        resolve(error ? { error } : { response: response ?? Buffer.alloc(0) });
      },
    );
  });
}

const received: Array<{ signal: OtlpSignal; request: unknown; headers: Record<string, string> }> = [];
const internalErrors: unknown[] = [];
let behaviour: () => Promise<OtlpExportOutcome>;
let listener: GrpcListener;

beforeAll(async () => {
  listener = await startOtlpGrpcServer({
    host: '127.0.0.1',
    port: 0,
    maxReceiveMessageBytes: 64 * 1024,
    handler: (signal, request, headers) => {
      received.push({ signal, request, headers });
      return behaviour();
    },
    onError: (error) => internalErrors.push(error),
  });
});
afterAll(() => listener.close());
beforeEach(() => {
  received.length = 0;
  internalErrors.length = 0;
  behaviour = async () => ({ rejected: 0 });
});

describe('OTLP/gRPC export calls', () => {
  it.each(['logs', 'metrics', 'traces'] as const)(
    'decodes the real %s capture and answers full success',
    async (signal) => {
      const reply = await call(listener.port, paths[signal], fixture(signal));
      expect(reply.error).toBeUndefined();
      expect(reply.response).toHaveLength(0);
      expect(received.map((r) => r.signal)).toEqual([signal]);
      const top = { logs: 'resourceLogs', metrics: 'resourceMetrics', traces: 'resourceSpans' }[signal];
      expect((received[0]?.request as Record<string, unknown[]>)[top]).toHaveLength(1);
    },
  );

  it('answers OTLP partial success with the rejected count and message', async () => {
    behaviour = async () => ({ rejected: 2, errorMessage: '2 log records lacked event.name' });
    const reply = await call(listener.port, paths.logs, fixture('logs'));
    expect(reply.error).toBeUndefined();
    expect(decodeExportResponse('logs', reply.response ?? Buffer.alloc(0))).toEqual({
      partial: { rejected: 2, errorMessage: '2 log records lacked event.name' },
    });
  });

  it('flattens metadata: lower-case keys, repeated values joined, binary values base64', async () => {
    const metadata = new Metadata();
    metadata.set('Authorization', 'Bearer stw_raw');
    metadata.add('x-team', 'close');
    metadata.add('x-team', 'fp&a');
    metadata.set('x-trace-bin', Buffer.from([1, 2, 3]));
    await call(listener.port, paths.logs, fixture('logs'), { metadata });
    const headers = received[0]?.headers ?? {};
    expect(headers.authorization).toBe('Bearer stw_raw');
    expect(headers['x-team']).toBe('close, fp&a');
    expect(headers['x-trace-bin']).toBe('AQID');
    expect(Object.keys(headers).every((k) => k === k.toLowerCase() && !k.startsWith(':'))).toBe(true);
  });

  it('answers garbage with INVALID_ARGUMENT naming the decode error, then keeps serving', async () => {
    const garbage = Buffer.from([0x7f, 0x01, 0xff, 0xff]);
    const bad = await call(listener.port, paths.logs, garbage);
    expect(bad.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.error?.details).toMatch(/^invalid protobuf: invalid wire type 7/);
    const truncated = await call(listener.port, paths.traces, fixture('traces').subarray(0, 100));
    expect(truncated.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(received).toHaveLength(0);

    const good = await call(listener.port, paths.logs, fixture('logs'));
    expect(good.error).toBeUndefined();
    expect(received).toHaveLength(1);
  });

  it('answers an unknown method with UNIMPLEMENTED', async () => {
    const reply = await call(
      listener.port,
      '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export',
      Buffer.alloc(0),
    );
    expect(reply.error?.code).toBe(status.UNIMPLEMENTED);
  });
});

describe('handler failures map to OTLP-retryability-preserving gRPC codes', () => {
  it.each([
    ['bad_request', status.INVALID_ARGUMENT],
    ['invalid_otlp', status.INVALID_ARGUMENT],
    ['payload_too_large', status.INVALID_ARGUMENT],
    ['unauthenticated', status.UNAUTHENTICATED],
    ['forbidden', status.PERMISSION_DENIED],
    ['rate_limited', status.UNAVAILABLE],
    ['overloaded', status.UNAVAILABLE],
    ['store_unavailable', status.UNAVAILABLE],
  ] as const)('%s → gRPC %i with its message and code trailer', async (code, grpcCode) => {
    behaviour = () => Promise.reject(new AppError(code, `steward says ${code}`));
    const reply = await call(listener.port, paths.metrics, fixture('metrics'));
    expect(reply.error?.code).toBe(grpcCode);
    expect(reply.error?.details).toBe(`steward says ${code}`);
    expect(reply.error?.metadata.get(ERROR_CODE_TRAILER)).toEqual([code]);
    expect(reply.error?.metadata.get(STATUS_DETAILS_TRAILER)).toEqual([]);
    expect(internalErrors).toHaveLength(0);
  });

  it('adds google.rpc.RetryInfo when the error carries a retry delay', async () => {
    behaviour = () =>
      Promise.reject(new AppError('overloaded', 'ingest queue full', undefined, { retryAfterSeconds: 7 }));
    const reply = await call(listener.port, paths.logs, fixture('logs'));
    expect(reply.error?.code).toBe(status.UNAVAILABLE);
    const [details] = reply.error?.metadata.get(STATUS_DETAILS_TRAILER) ?? [];
    expect(details).toBeInstanceOf(Buffer);
    expect(decodeRetryDelaySeconds(details as Buffer)).toBe(7);
  });

  it.each([
    ['an unexpected Error', () => new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2')],
    ['a 500 AppError', () => new AppError('internal', 'invariant broken in rollup 42')],
    ['a thrown string', () => 'boom'],
  ])('answers %s with a generic INTERNAL and reports it via onError', async (_label, make) => {
    const thrown = make();
    behaviour = () => Promise.reject(thrown);
    const reply = await call(listener.port, paths.logs, fixture('logs'));
    expect(reply.error?.code).toBe(status.INTERNAL);
    expect(reply.error?.details).toBe('internal error');
    expect(internalErrors).toEqual([thrown]);
  });

  it('treats a handler that throws synchronously like one that rejects', async () => {
    behaviour = () => {
      throw new AppError('forbidden', 'role viewer may not ingest');
    };
    const reply = await call(listener.port, paths.logs, fixture('logs'));
    expect(reply.error?.code).toBe(status.PERMISSION_DENIED);
  });
});

describe('message size limit (grpc.max_receive_message_length)', () => {
  it('answers RESOURCE_EXHAUSTED above the limit without calling the handler', async () => {
    const reply = await call(listener.port, paths.logs, Buffer.alloc(65 * 1024));
    expect(reply.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(received).toHaveLength(0);
  });

  it('applies the limit after decompression, so a small gzip bomb is refused too', async () => {
    const bomb = Buffer.alloc(8 * 1024 * 1024);
    expect(gzipSync(bomb).length).toBeLessThan(64 * 1024);
    const reply = await call(listener.port, paths.logs, bomb, { gzip: true });
    expect(reply.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    // grpc-js's post-decompression check, proving the body travelled gzip-compressed.
    expect(reply.error?.details).toMatch(/decompresses to a size larger than 65536/);
    expect(received).toHaveLength(0);
  });

  it('accepts a gzip-compressed request within the limit', async () => {
    const reply = await call(listener.port, paths.logs, fixture('logs'), { gzip: true });
    expect(reply.error).toBeUndefined();
    expect(received).toHaveLength(1);
  });
});

describe('close()', () => {
  it('lets an in-flight export finish, then stops accepting calls', async () => {
    const own = await startOtlpGrpcServer({
      host: '127.0.0.1',
      port: 0,
      maxReceiveMessageBytes: 1024 * 1024,
      handler: () => new Promise((resolve) => setTimeout(() => resolve({ rejected: 1, errorMessage: 'late' }), 200)),
    });
    const inFlight = call(own.port, paths.logs, fixture('logs'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await own.close();
    const reply = await inFlight;
    expect(decodeExportResponse('logs', reply.response ?? Buffer.alloc(0)).partial?.rejected).toBe(1);

    const after = await call(own.port, paths.logs, fixture('logs'));
    expect(after.error?.code).toBe(status.UNAVAILABLE);
    await own.close(); // idempotent
  });
});
