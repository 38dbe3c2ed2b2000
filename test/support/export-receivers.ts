import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Receivers for export tests: local HTTP servers on port 0 that speak the documented wire formats of the services
 * that cannot run here, and check what they receive the way those services do. Each can go down (connections
 * dropped, port closed) and come back on the same port, or answer with a chosen failure status for a while.
 *   HEC        Splunk HTTP Event Collector: `Authorization: Splunk <token>`, concatenated JSON event objects,
 *              `event` required, `time` numeric; indexer acknowledgement (channel header, ackId, /ack polling).
 *   webhook    verifies Standard Webhooks signatures (HMAC-SHA256 over `{id}.{timestamp}.{body}`), timestamps
 *              within 5 minutes.
 *   PagerDuty  Events API v2 /v2/enqueue: 32-character routing key, trigger, summary/source/severity; 202.
 *   Slack      incoming webhook: JSON with text or blocks; 200 `ok`, 400 `invalid_payload`.
 *   OCSF       a JSON array of objects.
 */
export interface Receiver<T> {
  url: string;
  port: number;
  /** Accepted items, in arrival order (duplicates included). */
  received: T[];
  /** Requests refused (status and reason), for assertions on validation. */
  refused: { status: number; reason: string }[];
  requests: number;
  /** Answer every request with this status until cleared (e.g. 503). */
  failWith(status: number | null): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

type Handler<T> = (
  req: IncomingMessage,
  body: Buffer,
  received: T[],
) => { status: number; body: string; reason?: string };

async function startReceiver<T>(handler: Handler<T>, opts: { port?: number } = {}): Promise<Receiver<T>> {
  const received: T[] = [];
  const refused: { status: number; reason: string }[] = [];
  let failure: number | null = null;
  let server: http.Server | null = null;
  let port = opts.port ?? 0;
  const r: Receiver<T> = {
    url: '',
    port: 0,
    received,
    refused,
    requests: 0,
    failWith(status) {
      failure = status;
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async restart() {
      await listen();
    },
  };
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.requests += 1;
      const body = Buffer.concat(chunks);
      const answer =
        failure !== null
          ? { status: failure, body: '{"text":"Server is busy","code":9}', reason: 'failWith' }
          : handler(req, body, received);
      if (answer.status >= 300) refused.push({ status: answer.status, reason: answer.reason ?? answer.body });
      res.writeHead(answer.status, { 'content-type': answer.body.startsWith('{') ? 'application/json' : 'text/plain' });
      res.end(answer.body);
    });
  };
  const listen = async (): Promise<void> => {
    const s = http.createServer(serve);
    s.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    port = (s.address() as AddressInfo).port;
    r.port = port;
    r.url = `http://127.0.0.1:${port}`;
    server = s;
  };
  await listen();
  return r;
}

function json(body: Buffer): unknown {
  return JSON.parse(body.toString('utf8')) as unknown;
}

/** Splits concatenated JSON objects (`{…}{…}` or newline-separated), as HEC's /services/collector/event does. */
export function splitConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new Error('unbalanced }');
    } else if (depth === 0 && !/\s/.test(c ?? '')) throw new Error(`junk between events at ${i}`);
  }
  if (depth !== 0) throw new Error('truncated event');
  return out;
}

export interface HecEvent {
  time: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: Record<string, unknown>;
  fields?: Record<string, unknown>;
}

export interface HecReceiver extends Receiver<HecEvent> {
  /** Events whose batch got an ackId that has not been acknowledged yet are held here. */
  ackPolls: number;
  /** Make acks answer false for this long after the batch (ms). */
  ackDelayMs: number;
}

export async function startHecReceiver(opts: { token: string; ack?: boolean; port?: number }): Promise<HecReceiver> {
  let nextAck = 0;
  const ackedAt = new Map<string, number>();
  const state = { ackPolls: 0, ackDelayMs: 0 };
  const refuse = (status: number, text: string, code: number) => ({
    status,
    body: JSON.stringify({ text, code }),
    reason: text,
  });
  const r = await startReceiver<HecEvent>((req, body, received) => {
    if (req.method !== 'POST') return refuse(405, 'Method not allowed', 7);
    const auth = req.headers.authorization ?? '';
    if (!auth) return refuse(401, 'Token is required', 2);
    if (auth !== `Splunk ${opts.token}`) return refuse(403, 'Invalid token', 4);
    const channel = req.headers['x-splunk-request-channel'];
    const path = (req.url ?? '').split('?')[0];
    if (path === '/services/collector/ack') {
      state.ackPolls += 1;
      const q = new URL(req.url ?? '', 'http://x').searchParams.get('channel');
      if (typeof channel !== 'string' || channel !== q) return refuse(400, 'Data channel is missing', 10);
      const ids = (json(body) as { acks?: unknown }).acks;
      if (!Array.isArray(ids)) return refuse(400, 'Invalid data format', 6);
      const acks: Record<string, boolean> = {};
      for (const id of ids) {
        const at = ackedAt.get(`${channel}/${String(id)}`);
        acks[String(id)] = at !== undefined && Date.now() >= at;
      }
      return { status: 200, body: JSON.stringify({ acks }) };
    }
    if (path !== '/services/collector/event')
      return refuse(404, 'The requested URL was not found on this server.', 404);
    if (opts.ack && typeof channel !== 'string') return refuse(400, 'Data channel is missing', 10);
    let events: unknown[];
    try {
      events = splitConcatenatedJson(body.toString('utf8'));
    } catch {
      return refuse(400, 'Invalid data format', 6);
    }
    if (events.length === 0) return refuse(400, 'No data', 5);
    for (const [n, e] of events.entries()) {
      const ev = e as Partial<HecEvent>;
      if (typeof ev.event !== 'object' || ev.event === null) {
        return {
          status: 400,
          body: JSON.stringify({ text: 'Event field is required', code: 12, 'invalid-event-number': n }),
        };
      }
      if (ev.time !== undefined && typeof ev.time !== 'number') {
        return {
          status: 400,
          body: JSON.stringify({ text: 'Invalid data format', code: 6, 'invalid-event-number': n }),
        };
      }
    }
    received.push(...(events as HecEvent[]));
    if (!opts.ack) return { status: 200, body: JSON.stringify({ text: 'Success', code: 0 }) };
    const ackId = nextAck++;
    ackedAt.set(`${String(channel)}/${ackId}`, Date.now() + state.ackDelayMs);
    return { status: 200, body: JSON.stringify({ text: 'Success', code: 0, ackId }) };
  }, opts);
  Object.defineProperties(r, {
    ackPolls: { get: () => state.ackPolls },
    ackDelayMs: { get: () => state.ackDelayMs, set: (v: number) => (state.ackDelayMs = v) },
  });
  return r as HecReceiver;
}

export interface SignedWebhook {
  id: string;
  timestamp: number;
  body: Record<string, unknown>;
}

/** Verifies per the Standard Webhooks spec, written from the spec (not with the code under test). */
export function verifyStandardWebhook(
  secret: string,
  headers: http.IncomingHttpHeaders,
  raw: Buffer,
  now = Date.now(),
): { id: string; timestamp: number } | string {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') return 'missing headers';
  if (Math.abs(now / 1000 - Number(ts)) > 300) return 'timestamp outside tolerance';
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.`).update(raw).digest();
  const ok = sigs.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  return ok ? { id, timestamp: Number(ts) } : 'bad signature';
}

export function startWebhookReceiver(secret: string, opts: { port?: number } = {}): Promise<Receiver<SignedWebhook>> {
  return startReceiver<SignedWebhook>((req, body, received) => {
    const v = verifyStandardWebhook(secret, req.headers, body);
    if (typeof v === 'string') return { status: 401, body: v };
    if (req.headers['content-type'] !== 'application/json') return { status: 415, body: 'json only' };
    received.push({ ...v, body: json(body) as Record<string, unknown> });
    return { status: 204, body: '' };
  }, opts);
}

export interface PagerDutyEvent {
  routing_key: string;
  event_action: string;
  dedup_key?: string;
  payload: {
    summary: string;
    source: string;
    severity: string;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
}

const PD_SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

export function startPagerDutyReceiver(opts: { port?: number } = {}): Promise<Receiver<PagerDutyEvent>> {
  return startReceiver<PagerDutyEvent>((req, body, received) => {
    const invalid = (message: string) => ({
      status: 400,
      body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: [message] }),
      reason: message,
    });
    if (req.url !== '/v2/enqueue') return { status: 404, body: '{"status":"not found"}' };
    let e: PagerDutyEvent;
    try {
      e = json(body) as PagerDutyEvent;
    } catch {
      return invalid('body is not JSON');
    }
    if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) return invalid("'routing_key' is invalid");
    if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action)) return invalid("'event_action' is invalid");
    if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255)) {
      return invalid("'dedup_key' is invalid");
    }
    const p = e.payload;
    if (!p || typeof p.summary !== 'string' || p.summary.length === 0 || p.summary.length > 1024) {
      return invalid("'payload.summary' is missing or blank");
    }
    if (typeof p.source !== 'string' || p.source.length === 0) return invalid("'payload.source' is missing or blank");
    if (!PD_SEVERITIES.has(p.severity)) return invalid("'payload.severity' is invalid");
    if (p.timestamp !== undefined && Number.isNaN(Date.parse(p.timestamp)))
      return invalid("'payload.timestamp' is invalid");
    received.push(e);
    return {
      status: 202,
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: e.dedup_key ?? 'generated' }),
    };
  }, opts);
}

export interface SlackMessage {
  text?: string;
  blocks?: { type: string }[];
}

export function startSlackReceiver(opts: { port?: number } = {}): Promise<Receiver<SlackMessage>> {
  return startReceiver<SlackMessage>((req, body, received) => {
    let m: SlackMessage;
    try {
      m = json(body) as SlackMessage;
    } catch {
      return { status: 400, body: 'invalid_payload' };
    }
    if (typeof m.text !== 'string' && !Array.isArray(m.blocks)) return { status: 400, body: 'no_text' };
    if (Array.isArray(m.blocks) && m.blocks.some((b) => typeof b.type !== 'string')) {
      return { status: 400, body: 'invalid_blocks' };
    }
    received.push(m);
    return { status: 200, body: 'ok' };
  }, opts);
}

export function startOcsfReceiver(
  opts: { token?: string; port?: number } = {},
): Promise<Receiver<Record<string, unknown>>> {
  return startReceiver<Record<string, unknown>>((req, body, received) => {
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`)
      return { status: 401, body: 'unauthorized' };
    const events = json(body);
    if (!Array.isArray(events)) return { status: 400, body: 'expected a JSON array' };
    received.push(...(events as Record<string, unknown>[]));
    return { status: 200, body: '{}' };
  }, opts);
}
