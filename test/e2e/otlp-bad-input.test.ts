import { request as httpRequest } from 'node:http';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  claudeLogs,
  kv,
  listAllEvents,
  postOtlp,
  readError,
  summariseLogs,
  type LogsSummary,
} from '../support/otlp.js';
import { fixtureBytes, fixtureJson } from '../support/fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * Bad OTLP/HTTP input over real HTTP (DESIGN §10: every parser answers a 4xx naming the problem, never a crash):
 * each bad request gets the catalogued status and an `{error:{code,message}}` body, the server keeps serving, and
 * nothing acknowledged before it is lost (checked after every test against the two real fixtures posted first).
 */
const MiB = 1024 * 1024;
const LIMITS = { maxRequestBytes: 1 * MiB, maxDecompressedBytes: 8 * MiB, maxAttributeBytes: 4096 };
const MARKER = '…[truncated]';
const DAY = 86_400_000;

let t: TestSteward;
let jsonFixture: LogsSummary;
let protobufFixture: LogsSummary;
const expectedPerSession = new Map<string, number>();

/** Status, Steward code and message; the body may be `{error:{code,message}}` or an OTLP Status (see readError). */
async function expectError(res: Response, status: number, code: string, message: RegExp): Promise<void> {
  const error = await readError(res);
  expect(res.status, JSON.stringify(error)).toBe(status);
  expect(error, 'a recognisable error body').not.toBeNull();
  expect(error?.code).toBe(code);
  expect(error?.message).toMatch(message);
}

async function countSession(sessionId: string, fromMs: number): Promise<number> {
  return (await listAllEvents(t, { from: fromMs - 3_600_000, to: Date.now() + DAY, session_id: sessionId })).length;
}

/** 200 MB of zeros, gzipped (≈ 200 KB on the wire), without holding 200 MB in memory. */
async function gzipBomb(decompressedBytes: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const zeros = Buffer.alloc(MiB);
  for (let written = 0; written < decompressedBytes; written += zeros.length) {
    if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(chunks);
}

/**
 * Sends headers announcing a large body, writes only its first KB, and resolves with the status the server answers
 * while the body is still incomplete — proof that the decision was taken before the body was read.
 */
function statusBeforeBody(path: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', 'content-length': String(50 * MiB), ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no response before the body was complete'));
    }, 5_000);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write(Buffer.alloc(1024, 0x20));
  });
}

beforeAll(async () => {
  t = await startTestSteward({ config: { ingest: LIMITS } });
  const json = fixtureBytes('otlp/http-json/logs.json');
  const res1 = await postOtlp(t, 'logs', json);
  expect(res1.status).toBe(200);
  expect(await res1.json()).toEqual({});
  jsonFixture = summariseLogs(JSON.parse(json.toString('utf8')));

  const res2 = await postOtlp(t, 'logs', fixtureBytes('otlp/http-protobuf/logs.bin'), {
    contentType: 'application/x-protobuf',
  });
  expect(res2.status).toBe(200);
  protobufFixture = summariseLogs(fixtureJson('otlp/http-protobuf/logs.decoded.json'));

  for (const f of [jsonFixture, protobufFixture]) {
    expect(f.sessionIds).toHaveLength(1);
    const sid = f.sessionIds[0] as string;
    expect(await countSession(sid, f.minTimeMs)).toBe(f.records);
    expectedPerSession.set(sid, f.records);
  }
});

afterEach(async () => {
  // The server still serves, and every event acknowledged before the bad request is still there.
  const health = await fetch(`${t.url}/healthz`);
  expect(health.status).toBe(200);
  for (const f of [jsonFixture, protobufFixture]) {
    const sid = f.sessionIds[0] as string;
    expect(await countSession(sid, f.minTimeMs)).toBe(expectedPerSession.get(sid));
  }
});

afterAll(async () => {
  await t?.stop();
});

describe('malformed bodies → 400 naming the problem', () => {
  it('malformed JSON → 400 invalid_json', async () => {
    await expectError(await postOtlp(t, 'logs', '{"resourceLogs": ['), 400, 'invalid_json', /invalid JSON/);
    await expectError(await postOtlp(t, 'metrics', '{"resourceMetrics": [}'), 400, 'invalid_json', /invalid JSON/);
    await expectError(await postOtlp(t, 'traces', ''), 400, 'invalid_json', /invalid JSON/);
  });

  it.each([
    ['array', '[{"resourceLogs": []}]'],
    ['number', '42'],
    ['string', '"resourceLogs"'],
    ['null', 'null'],
    ['boolean', 'true'],
  ])('a JSON %s at the top level → 400 invalid_otlp', async (_kind, body) => {
    await expectError(await postOtlp(t, 'logs', body), 400, 'invalid_otlp', /must be a JSON object/);
  });

  it('invalid UTF-8 inside a JSON string → 400 invalid_encoding', async () => {
    const body = Buffer.concat([
      Buffer.from('{"resourceLogs":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}}]}}]}'),
    ]);
    await expectError(await postOtlp(t, 'logs', body), 400, 'invalid_encoding', /UTF-8/);
    // Same bytes behind gzip: the check runs on the decompressed body.
    await expectError(
      await postOtlp(t, 'logs', gzipSync(body), { encoding: 'gzip' }),
      400,
      'invalid_encoding',
      /UTF-8/,
    );
  });

  it('a UTF-8 byte-order mark before the JSON is accepted and skipped', async () => {
    const json = JSON.stringify(claudeLogs({ sessionId: 'bom-prefixed', count: 2 }));
    const res = await postOtlp(t, 'logs', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]));
    expect(res.status).toBe(200);
    expect(await countSession('bom-prefixed', Date.now())).toBe(2);
  });

  it('malformed protobuf → 400 invalid_protobuf', async () => {
    const bin = fixtureBytes('otlp/http-protobuf/logs.bin');
    const pb = { contentType: 'application/x-protobuf' };
    const truncated = bin.subarray(0, Math.floor(bin.length / 2));
    await expectError(await postOtlp(t, 'logs', truncated, pb), 400, 'invalid_protobuf', /invalid protobuf/);
    // Field 15 with wire type 7, which does not exist.
    await expectError(
      await postOtlp(t, 'metrics', Uint8Array.from([0x7f, 0x01]), pb),
      400,
      'invalid_protobuf',
      /wire type/,
    );
    // A valid logs request sent to the traces endpoint is not a valid ExportTraceServiceRequest only if it breaks
    // the wire format; here: JSON text declared as protobuf.
    await expectError(
      await postOtlp(t, 'traces', '{"resourceSpans":[]}', pb),
      400,
      'invalid_protobuf',
      /invalid protobuf/,
    );
  });
});

describe('unsupported media → 415', () => {
  it('Content-Type text/plain → 415 unsupported_media_type', async () => {
    const res = await postOtlp(t, 'logs', JSON.stringify(claudeLogs({ sessionId: 'never-stored', count: 1 })), {
      contentType: 'text/plain',
    });
    // The message should name what was wrong (DESIGN §8): the Content-Type, and what is accepted instead.
    await expectError(res, 415, 'unsupported_media_type', /Content-Type.*text\/plain/i);
    expect(await countSession('never-stored', Date.now())).toBe(0);
  });

  it('no Content-Type at all → 415 unsupported_media_type', async () => {
    const res = await fetch(`${t.url}/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.ingest}` },
      body: new TextEncoder().encode('{}'),
    });
    expect(res.status).toBe(415);
    expect((await readError(res))?.code).toBe('unsupported_media_type');
  });

  it.each(['br', 'deflate', 'zstd', 'gzip, br'])(
    'Content-Encoding %s → 415 unsupported_media_type',
    async (encoding) => {
      const res = await postOtlp(t, 'logs', '{}', { encoding });
      await expectError(
        res,
        415,
        'unsupported_media_type',
        new RegExp(`Content-Encoding "${encoding}" is not supported`),
      );
    },
  );
});

describe('gzip', () => {
  it('corrupt gzip → 400 invalid_encoding', async () => {
    const corrupt = Buffer.concat([
      Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]),
      Buffer.from('not deflate data'),
    ]);
    await expectError(
      await postOtlp(t, 'logs', corrupt, { encoding: 'gzip' }),
      400,
      'invalid_encoding',
      /not valid gzip/,
    );
    await expectError(
      await postOtlp(t, 'logs', Buffer.from('{}'), { encoding: 'gzip' }),
      400,
      'invalid_encoding',
      /not valid gzip/,
    );
    const valid = gzipSync(JSON.stringify(claudeLogs({ sessionId: 'truncated-gzip', count: 50 })));
    const truncated = valid.subarray(0, Math.floor(valid.length / 2));
    await expectError(
      await postOtlp(t, 'logs', truncated, { encoding: 'gzip' }),
      400,
      'invalid_encoding',
      /not valid gzip/,
    );
    expect(await countSession('truncated-gzip', Date.now())).toBe(0);
  });

  it('a gzip bomb (200 MB of zeros) → 413 payload_too_large after at most maxDecompressedBytes', async () => {
    const bomb = await gzipBomb(200 * MiB);
    expect(bomb.length).toBeLessThan(LIMITS.maxRequestBytes);
    const res = await postOtlp(t, 'logs', bomb, { encoding: 'gzip' });
    await expectError(
      res,
      413,
      'payload_too_large',
      new RegExp(`decompressed body exceeds ${LIMITS.maxDecompressedBytes} bytes`),
    );
    const pb = await postOtlp(t, 'metrics', bomb, { encoding: 'gzip', contentType: 'application/x-protobuf' });
    await expectError(pb, 413, 'payload_too_large', /decompressed body exceeds/);
  });
});

describe('size limits', () => {
  it('a body over ingest.maxRequestBytes → 413 payload_too_large', async () => {
    const big = JSON.stringify({ resourceLogs: [], padding: 'x'.repeat(2 * MiB) });
    await expectError(await postOtlp(t, 'logs', big), 413, 'payload_too_large', /too large/i);
    const bigPb = Buffer.alloc(LIMITS.maxRequestBytes + 1);
    await expectError(
      await postOtlp(t, 'traces', bigPb, { contentType: 'application/x-protobuf' }),
      413,
      'payload_too_large',
      /too large/i,
    );
  });

  it('a streamed (chunked, no Content-Length) body over the limit → 413', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * MiB) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${t.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.tokens.ingest}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 413, 'payload_too_large', /too large/i);
  });

  it('a 5 MB string attribute (gzipped, under the limits) is stored truncated to maxAttributeBytes with a marker', async () => {
    const ascii = 'a'.repeat(5 * 1000 * 1000);
    // 3-byte characters (2 MB): maxAttributeBytes (4096) falls inside a character, which must not be split.
    const euro = '€'.repeat(Math.ceil((2 * 1000 * 1000) / 3));
    const body = JSON.stringify(
      claudeLogs({
        sessionId: 'huge-attribute',
        count: 1,
        extra: [kv('custom.ascii', ascii), kv('custom.euro', euro)],
      }),
    );
    expect(Buffer.byteLength(body)).toBeGreaterThan(LIMITS.maxRequestBytes);
    const res = await postOtlp(t, 'logs', gzipSync(body), { encoding: 'gzip' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const [event] = await listAllEvents(t, {
      from: Date.now() - 3_600_000,
      to: Date.now() + DAY,
      session_id: 'huge-attribute',
    });
    expect(event).toBeDefined();
    for (const [key, full] of [
      ['custom.ascii', ascii],
      ['custom.euro', euro],
    ] as const) {
      const stored = event?.attributes[key];
      expect(typeof stored).toBe('string');
      const s = stored as string;
      expect(s.endsWith(MARKER)).toBe(true);
      const kept = s.slice(0, -MARKER.length);
      expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(LIMITS.maxAttributeBytes);
      expect(Buffer.byteLength(kept)).toBeGreaterThan(LIMITS.maxAttributeBytes - 4);
      expect(full.startsWith(kept)).toBe(true);
      expect(kept).not.toContain('\uFFFD');
    }
  });

  // Limits on attribute *values* are enforced; the event name (taken from the log body or the LogRecord
  // `eventName` when there is no `event.name` attribute) and attribute *keys* are stored whole.
  it('a 5 MB log body or eventName (which become the event name) is bounded by maxAttributeBytes too', async () => {
    const huge = 'n'.repeat(5 * 1000 * 1000);
    for (const [sessionId, extra] of [
      ['huge-body', { body: { stringValue: huge } }],
      ['huge-event-name', { eventName: huge }],
    ] as const) {
      const request = {
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  { timeUnixNano: `${Date.now()}000000`, attributes: [kv('session.id', sessionId)], ...extra },
                ],
              },
            ],
          },
        ],
      };
      const res = await postOtlp(t, 'logs', gzipSync(JSON.stringify(request)), { encoding: 'gzip' });
      expect(res.status).toBe(200);
      const [event] = await listAllEvents(t, {
        from: Date.now() - 3_600_000,
        to: Date.now() + DAY,
        session_id: sessionId,
      });
      expect(Buffer.byteLength(event?.name ?? '')).toBeLessThanOrEqual(
        LIMITS.maxAttributeBytes + Buffer.byteLength(MARKER),
      );
    }
  });

  it('a 5 MB attribute key is bounded by maxAttributeBytes too', async () => {
    const request = claudeLogs({ sessionId: 'huge-key', count: 1, extra: [kv('k'.repeat(5 * 1000 * 1000), 'v')] });
    const res = await postOtlp(t, 'logs', gzipSync(JSON.stringify(request)), { encoding: 'gzip' });
    expect(res.status).toBe(200);
    const [event] = await listAllEvents(t, {
      from: Date.now() - 3_600_000,
      to: Date.now() + DAY,
      session_id: 'huge-key',
    });
    const longestKey = Math.max(...Object.keys(event?.attributes ?? {}).map((k) => Buffer.byteLength(k)));
    expect(longestKey).toBeLessThanOrEqual(LIMITS.maxAttributeBytes + Buffer.byteLength(MARKER));
  });
});

describe('authentication and roles, decided before the body is read', () => {
  it('no token → 401, an unknown or malformed token → 401, an analyst token → 403', async () => {
    const body = JSON.stringify(claudeLogs({ sessionId: 'auth-never-stored', count: 3 }));
    await expectError(await postOtlp(t, 'logs', body, { role: null }), 401, 'unauthenticated', /missing Authorization/);
    for (const authorization of [
      'Bearer stw_ingest_' + 'A'.repeat(43),
      'Bearer not-a-token',
      `Basic ${Buffer.from('ingest:' + t.tokens.ingest).toString('base64')}`,
      'Bearer',
    ]) {
      const res = await fetch(`${t.url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body,
      });
      await expectError(res, 401, 'unauthenticated', /token|Authorization/);
    }
    await expectError(await postOtlp(t, 'logs', body, { role: 'analyst' }), 403, 'forbidden', /role "analyst" may not/);
    expect(await countSession('auth-never-stored', Date.now())).toBe(0);
  });

  it('a gzip bomb without a valid ingest token is refused with 401/403, not decompressed (413)', async () => {
    const bomb = await gzipBomb(64 * MiB);
    await expectError(
      await postOtlp(t, 'logs', bomb, { encoding: 'gzip', role: null }),
      401,
      'unauthenticated',
      /Authorization/,
    );
    await expectError(
      await postOtlp(t, 'logs', bomb, { encoding: 'gzip', role: 'analyst' }),
      403,
      'forbidden',
      /analyst/,
    );
  });

  it('answers 401/403 while the announced 50 MB body is still being sent', async () => {
    expect(await statusBeforeBody('/v1/logs', {})).toBe(401);
    expect(await statusBeforeBody('/v1/logs', { authorization: 'Bearer stw_ingest_' + 'B'.repeat(43) })).toBe(401);
    expect(await statusBeforeBody('/v1/metrics', { authorization: `Bearer ${t.tokens.analyst}` })).toBe(403);
    // Control: with a valid ingest token auth passes and the announced length meets the body limit instead.
    await expect(statusBeforeBody('/v1/logs', { authorization: `Bearer ${t.tokens.ingest}` })).resolves.toBe(413);
  });
});
