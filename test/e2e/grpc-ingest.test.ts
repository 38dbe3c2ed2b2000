import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeExportResponse } from '../../src/ingest/otlp/protobuf.js';
import { fixtureBytes } from '../support/fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

const LOGS = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** Raw OTLP/gRPC calls against Steward itself: bodies are decoded on the decode workers, errors map to gRPC codes. */
function call(port: number, token: string | null, body: Buffer): Promise<{ err: ServiceError | null; res?: Buffer }> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  const md = new Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      LOGS,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      md,
      (err, res) => {
        client.close();
        resolve({ err, ...(res ? { res } : {}) });
      },
    );
  });
}

describe('OTLP/gRPC ingest into Steward', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('stores the real protobuf capture sent over gRPC and answers an empty ExportLogsServiceResponse', async () => {
    const { err, res } = await call(t.grpcPort, t.tokens.ingest, fixtureBytes('otlp/http-protobuf/logs.bin'));
    expect(err).toBeNull();
    expect(decodeExportResponse('logs', res!)).toEqual({});
    const status = (await (await t.api('/api/v1/status')).json()) as { events: number; sessions: number };
    expect(status.sessions).toBe(1);
    expect(status.events).toBeGreaterThan(10);
  });

  it('answers garbage with INVALID_ARGUMENT naming the problem, and keeps serving', async () => {
    const { err } = await call(t.grpcPort, t.tokens.ingest, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]));
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/invalid protobuf/);
    const again = await call(t.grpcPort, t.tokens.ingest, fixtureBytes('otlp/http-protobuf/logs.bin'));
    expect(again.err).toBeNull();
  });

  it('refuses a missing or non-ingest token before decoding', async () => {
    expect((await call(t.grpcPort, null, Buffer.alloc(0))).err?.code).toBe(status.UNAUTHENTICATED);
    expect((await call(t.grpcPort, t.tokens.analyst, Buffer.alloc(0))).err?.code).toBe(status.PERMISSION_DENIED);
  });
});
