import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { claudeLogs, parseError } from '../support/otlp.js';
import { createTokenWithCli, ensureBuilt, spawnSteward, type StewardProcess } from '../support/steward-process.js';
import { startTestSteward } from '../support/steward.js';

/**
 * DESIGN §4/§10: an OTLP export is acknowledged only after its batch commits, so kill -9 at any moment loses
 * nothing that was answered 2xx; SIGTERM drains; overload answers 503 + Retry-After and memory stays bounded.
 * The server runs as the built CLI in its own process so it can really be killed; afterwards the store is opened
 * directly (which also runs SQLite's WAL recovery) and every acknowledged batch is counted by its session id.
 */
const EVENTS_PER_BATCH = 200;
const SENDERS = 8;

interface Outcome {
  sessionId: string;
  status: number | null;
  retryAfter: string | null;
  code: string | null;
  error: string | null;
  startedAt: number;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-durability-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  await ensureBuilt();
}, 180_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `senders` loops, each POSTing batches of unique sessions (one session per batch) until `stop()` is true. */
function startSenders(opts: {
  url: string;
  token: string;
  prefix: string;
  senders: number;
  eventsPerBatch: number;
  stop: () => boolean;
  maxBatchesPerSender?: number;
}): { outcomes: Outcome[]; done: Promise<void> } {
  const outcomes: Outcome[] = [];
  const loops = Array.from({ length: opts.senders }, async (_, s) => {
    for (let b = 0; !opts.stop() && b < (opts.maxBatchesPerSender ?? Infinity); b++) {
      const sessionId = `${opts.prefix}-s${s}-b${b}`;
      const body = JSON.stringify(claudeLogs({ sessionId, count: opts.eventsPerBatch }));
      const outcome: Outcome = {
        sessionId,
        status: null,
        retryAfter: null,
        code: null,
        error: null,
        startedAt: Date.now(),
      };
      outcomes.push(outcome);
      try {
        const res = await fetch(`${opts.url}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
          body,
          signal: AbortSignal.timeout(20_000),
        });
        const bytes = new Uint8Array(await res.arrayBuffer());
        outcome.status = res.status;
        outcome.retryAfter = res.headers.get('retry-after');
        if (res.status !== 200) {
          const error = parseError(bytes, res.headers.get('content-type'));
          outcome.code =
            error?.code ?? `(not a Steward error body) ${Buffer.from(bytes).toString('utf8').slice(0, 100)}`;
        }
      } catch (err) {
        outcome.error =
          (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
        if (!opts.stop()) await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  return { outcomes, done: Promise.all(loops).then(() => undefined) };
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface SessionCounts {
  events: Map<string, number>;
  sessionRows: Map<string, number>;
}

async function countBySession(store: Store, prefix: string): Promise<SessionCounts> {
  const events = await store.db
    .selectFrom('events')
    .select(['session_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('session_id', 'like', `${prefix}-%`)
    .groupBy('session_id')
    .execute();
  const sessions = await store.db
    .selectFrom('sessions')
    .select(['id', 'event_count'])
    .where('id', 'like', `${prefix}-%`)
    .execute();
  return {
    events: new Map(events.map((r) => [r.session_id ?? '', Number(r.n)])),
    sessionRows: new Map(sessions.map((r) => [r.id, Number(r.event_count)])),
  };
}

async function countInDataDir(dataDir: string, prefix: string): Promise<SessionCounts> {
  const store = await openStore({ dataDir });
  try {
    return await countBySession(store, prefix);
  } finally {
    await store.close();
  }
}

/** Every acknowledged batch is stored whole, and every stored batch is whole (one transaction per group). */
function expectAcknowledgedStored(outcomes: Outcome[], counts: SessionCounts, eventsPerBatch: number): void {
  const acked = outcomes.filter((o) => o.status === 200).map((o) => o.sessionId);
  const missing = acked.filter((sid) => counts.events.get(sid) !== eventsPerBatch);
  expect(missing, `acknowledged but not (fully) stored: ${missing.slice(0, 5).join(', ')}`).toEqual([]);
  for (const [sid, n] of counts.events) {
    expect(n, `partially stored batch ${sid}`).toBe(eventsPerBatch);
    expect(counts.sessionRows.get(sid), `session totals of ${sid}`).toBe(eventsPerBatch);
  }
}

function summary(outcomes: Outcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) {
    const k = o.status === null ? `error: ${o.error ?? '?'}` : `${o.status}${o.code ? ` ${o.code}` : ''}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

describe('kill -9 mid-stream loses nothing acknowledged', () => {
  it.each([1, 2, 3])(
    'round %i: SIGKILL at a random moment, then every 200-acknowledged batch is in the store',
    async (round) => {
      const dataDir = tempDir();
      const token = await createTokenWithCli(dataDir, 'ingest');
      const server = await spawnSteward({ dataDir });
      let killed = false;
      const prefix = `kill${round}`;
      const { outcomes, done } = startSenders({
        url: server.url,
        token,
        prefix,
        senders: SENDERS,
        eventsPerBatch: EVENTS_PER_BATCH,
        stop: () => killed,
      });
      // A random moment once the stream is flowing: after 5–40 acknowledged batches plus 0–25 ms.
      const ackTarget = 5 + Math.floor(Math.random() * 36);
      await waitUntil(() => outcomes.filter((o) => o.status === 200).length >= ackTarget, 20_000, `${ackTarget} acks`);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 25)));
      const inFlightAtKill = outcomes.filter((o) => o.status === null && o.error === null).length;
      server.child.kill('SIGKILL');
      killed = true;
      const exit = await server.exited;
      await done;
      expect(exit.signal).toBe('SIGKILL');
      expect(inFlightAtKill, 'requests in flight when killed').toBeGreaterThan(0);
      const serverErrors = outcomes.filter((o) => o.status !== null && o.status >= 500);
      expect(serverErrors, JSON.stringify(summary(outcomes))).toEqual([]);

      const counts = await countInDataDir(dataDir, prefix);
      expectAcknowledgedStored(outcomes, counts, EVENTS_PER_BATCH);

      // The killed server's data directory starts again and takes new telemetry.
      const again = await spawnSteward({ dataDir });
      try {
        const res = await fetch(`${again.url}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(claudeLogs({ sessionId: `${prefix}-after-restart`, count: EVENTS_PER_BATCH })),
        });
        expect(res.status).toBe(200);
      } finally {
        again.child.kill('SIGTERM');
        await again.exited;
      }
      const after = await countInDataDir(dataDir, prefix);
      expect(after.events.get(`${prefix}-after-restart`)).toBe(EVENTS_PER_BATCH);
      expectAcknowledgedStored(outcomes, after, EVENTS_PER_BATCH);
    },
    60_000,
  );
});

describe('SIGTERM drains', () => {
  it('every 200 is stored, the process exits 0, and requests during the drain get 503 + Retry-After or are refused', async () => {
    const dataDir = tempDir();
    const token = await createTokenWithCli(dataDir, 'ingest');
    const server: StewardProcess = await spawnSteward({ dataDir });
    let exitedAt = 0;
    void server.exited.then(() => (exitedAt = Date.now()));
    const prefix = 'term';
    const { outcomes, done } = startSenders({
      url: server.url,
      token,
      prefix,
      senders: 16,
      eventsPerBatch: EVENTS_PER_BATCH,
      // Keep sending through the drain until the process is gone.
      stop: () => exitedAt !== 0,
    });
    await waitUntil(() => outcomes.filter((o) => o.status === 200).length >= 20, 20_000, '20 acks');
    const termAt = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    await done;
    expect(exit, server.output()).toEqual({ code: 0, signal: null });

    const counts = await countInDataDir(dataDir, prefix);
    expectAcknowledgedStored(outcomes, counts, EVENTS_PER_BATCH);

    expect(outcomes.filter((o) => o.startedAt >= termAt).length, 'requests sent during the drain').toBeGreaterThan(0);
    // Any answer other than 200 (before or during the drain) must be a retryable 503 with Retry-After.
    const wrong = outcomes.filter(
      (o) =>
        o.status !== null &&
        o.status !== 200 &&
        !(o.status === 503 && o.retryAfter !== null && Number(o.retryAfter) > 0),
    );
    expect(
      wrong.map((o) => `${o.status} ${o.code ?? ''} retry-after=${o.retryAfter}`),
      JSON.stringify(summary(outcomes)),
    ).toEqual([]);
  }, 60_000);
});

/** Splits raw HTTP/1.1 responses read from one socket (bodies here are small JSON documents). */
function parseResponses(raw: string): { status: number; headers: Record<string, string>; body: string }[] {
  return raw
    .split(/(?=HTTP\/1\.1 \d{3} )/)
    .filter(Boolean)
    .map((chunk) => {
      const [head = '', body = ''] = chunk.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      return { status: Number(statusLine.split(' ')[1]), headers, body };
    });
}

describe('SIGTERM drains (deterministic, in-process)', () => {
  // `steward serve` answers SIGTERM with `steward.stop()`: drain the queue, then close the listeners. A request
  // whose body completes during the drain is refused by the queue; one that arrives (pipelined on a live
  // keep-alive connection) after the HTTP listener began closing must be refused the same way: 503, Retry-After,
  // and a Steward error body (an OTLP Status naming `overloaded`) — exporters (and load balancers) rely on Retry-After.
  it('requests arriving while the server drains and closes get 503 overloaded with Retry-After', async () => {
    const t = await startTestSteward();
    try {
      const sock = connect(t.steward.httpPort, '127.0.0.1');
      await once(sock, 'connect');
      const head = (body: string) =>
        `POST /v1/logs HTTP/1.1\r\nHost: steward\r\nAuthorization: Bearer ${t.tokens.ingest}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
      const first = JSON.stringify(claudeLogs({ sessionId: 'drain-during', count: 5 }));
      const second = JSON.stringify(claudeLogs({ sessionId: 'drain-after-close', count: 5 }));
      let received = '';
      sock.on('data', (c: Buffer) => (received += c.toString()));
      const closed = once(sock, 'close');
      sock.write(head(first) + first.slice(0, 10)); // the first request is routed; its body is still coming
      await new Promise((r) => setTimeout(r, 100));
      const stopping = t.steward.stop();
      await new Promise((r) => setTimeout(r, 100)); // queue drained (it was empty); HTTP listener closing
      sock.write(first.slice(10) + head(second) + second);
      await stopping;
      await closed;
      const responses = parseResponses(received);
      expect(responses.map((r) => r.status)).toEqual([503, 503]);
      for (const r of responses) {
        expect(r.headers['retry-after'], JSON.stringify(r)).toBe('2');
        expect(parseError(Buffer.from(r.body), r.headers['content-type'] ?? null)?.code, r.body).toBe('overloaded');
      }
    } finally {
      await t.stop();
    }
  });
});

describe('overload', () => {
  it('a tiny ingest queue answers 503 + Retry-After (never 500), keeps its depth bounded, and stores every 200', async () => {
    const t = await startTestSteward({ config: { ingest: { maxQueueEvents: 100, retryAfterSeconds: 1 } } });
    const eventsPerBatch = 500;
    let maxDepth = 0;
    const sampler = setInterval(() => (maxDepth = Math.max(maxDepth, t.steward.app.queue.depth)), 1);
    try {
      const { outcomes, done } = startSenders({
        url: t.url,
        token: t.tokens.ingest,
        prefix: 'overload',
        senders: 16,
        eventsPerBatch,
        stop: () => false,
        maxBatchesPerSender: 8,
      });
      await done;
      const statuses = summary(outcomes);
      expect(outcomes.filter((o) => o.status === 200).length, JSON.stringify(statuses)).toBeGreaterThan(0);
      const refused = outcomes.filter((o) => o.status === 503);
      expect(refused.length, JSON.stringify(statuses)).toBeGreaterThan(0);
      for (const o of refused) {
        expect(o.retryAfter).toBe('1');
        expect(o.code).toBe('overloaded');
      }
      expect(
        outcomes.filter((o) => o.status !== 200 && o.status !== 503),
        JSON.stringify(statuses),
      ).toEqual([]);
      // A batch larger than the queue is admitted only into an empty queue, so the depth never exceeds one batch.
      expect(maxDepth).toBeLessThanOrEqual(Math.max(100, eventsPerBatch));

      const counts = await countBySession(t.steward.store, 'overload');
      expectAcknowledgedStored(outcomes, counts, eventsPerBatch);
      // A refusal is a refusal: nothing of a 503 batch was stored (the exporter's retry is not a duplicate).
      for (const o of refused) expect(counts.events.get(o.sessionId) ?? 0).toBe(0);
    } finally {
      clearInterval(sampler);
      await t.stop();
    }
  }, 60_000);
});
