import protobuf from 'protobufjs/minimal.js';
import type { TestSteward } from './steward.js';

/**
 * OTLP request material for end-to-end tests (captured fixtures are read with ./fixtures.js): small synthetic
 * Claude Code-shaped log batches whose events are countable by session id, and readers for what Steward answers.
 */
export interface LogsSummary {
  records: number;
  sessionIds: string[];
  minTimeMs: number;
  maxTimeMs: number;
}

interface JsonKeyValue {
  key: string;
  value: { stringValue?: string };
}
interface JsonLogRecord {
  timeUnixNano: string;
  attributes: JsonKeyValue[];
}
interface JsonLogsRequest {
  resourceLogs: { scopeLogs: { logRecords: JsonLogRecord[] }[] }[];
}

/** Counts the records of an OTLP/JSON logs request and collects their session ids and time range. */
export function summariseLogs(request: unknown): LogsSummary {
  const sessions = new Set<string>();
  let records = 0;
  let minTimeMs = Infinity;
  let maxTimeMs = -Infinity;
  for (const rl of (request as JsonLogsRequest).resourceLogs) {
    for (const sl of rl.scopeLogs) {
      for (const rec of sl.logRecords) {
        records += 1;
        const t = Number(rec.timeUnixNano.slice(0, -6));
        minTimeMs = Math.min(minTimeMs, t);
        maxTimeMs = Math.max(maxTimeMs, t);
        const sid = rec.attributes.find((a) => a.key === 'session.id')?.value.stringValue;
        if (sid) sessions.add(sid);
      }
    }
  }
  return { records, sessionIds: [...sessions], minTimeMs, maxTimeMs };
}

export type AnyValue =
  { stringValue: string } | { intValue: number | string } | { doubleValue: number } | { boolValue: boolean };

export function kv(key: string, value: string | number | boolean): { key: string; value: AnyValue } {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return { key, value: Number.isInteger(value) ? { intValue: value } : { doubleValue: value } };
}

/**
 * A Claude Code-shaped OTLP/JSON logs request: `count` `user_prompt` events of one session with sequences
 * `0..count-1`, so every event has its own dedupe key and the stored count per session is exact.
 */
export function claudeLogs(opts: {
  sessionId: string;
  count: number;
  timeMs?: number;
  extra?: { key: string; value: AnyValue }[];
}): object {
  const timeMs = opts.timeMs ?? Date.now();
  const records = [];
  for (let i = 0; i < opts.count; i++) {
    const nanos = `${timeMs + i}000000`;
    records.push({
      timeUnixNano: nanos,
      observedTimeUnixNano: nanos,
      body: { stringValue: 'claude_code.user_prompt' },
      attributes: [
        kv('session.id', opts.sessionId),
        kv('user.email', 'fuzz@example.com'),
        kv('event.name', 'user_prompt'),
        kv('event.sequence', i),
        kv('prompt_length', 42),
        ...(opts.extra ?? []),
      ],
    });
  }
  return {
    resourceLogs: [
      {
        resource: { attributes: [kv('service.name', 'claude-code'), kv('service.version', '2.1.329')] },
        scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: records }],
      },
    ],
  };
}

export interface ApiEvent {
  session_id: string | null;
  name: string;
  kind: string;
  time: string;
  sequence: number | null;
  attributes: Record<string, unknown>;
}

/** Every event in a window (following `next_cursor`), optionally for one session. */
export async function listAllEvents(
  t: TestSteward,
  q: { from: number; to: number; session_id?: string },
): Promise<ApiEvent[]> {
  const out: ApiEvent[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ from: String(q.from), to: String(q.to), limit: '500' });
    if (q.session_id) params.set('session_id', q.session_id);
    if (cursor) params.set('cursor', cursor);
    const res = await t.api(`/api/v1/events?${params.toString()}`, { role: 'analyst' });
    if (res.status !== 200) throw new Error(`GET /api/v1/events → ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { items: ApiEvent[]; next_cursor: string | null };
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

/** POST an OTLP body with the ingest token (unless `role` says otherwise). */
export function postOtlp(
  t: TestSteward,
  signal: 'logs' | 'metrics' | 'traces',
  body: string | Uint8Array,
  opts: { contentType?: string; encoding?: string; role?: 'admin' | 'analyst' | 'ingest' | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  if (opts.encoding) headers['content-encoding'] = opts.encoding;
  return t.api(`/v1/${signal}`, {
    method: 'POST',
    headers,
    body,
    role: opts.role === undefined ? 'ingest' : opts.role,
  });
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export interface ParsedError {
  /** Steward's stable error code (docs/errors.md), e.g. `invalid_json`. */
  code: string;
  message: string;
  shape: 'error-object' | 'otlp-status-json' | 'otlp-status-protobuf';
}

/**
 * Reads an error response in either shape Steward uses: the REST `{error:{code,message}}` body, or — on the OTLP
 * routes — a google.rpc.Status (OTLP/HTTP "Failures": JSON or protobuf, following the request's encoding) whose
 * message leads with the Steward code (`invalid_json: …`). Returns null when the body is neither.
 */
export function parseError(bytes: Uint8Array, contentType: string | null): ParsedError | null {
  if ((contentType ?? '').startsWith('application/x-protobuf')) {
    try {
      const r = protobuf.Reader.create(bytes);
      let message = '';
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag === 18) message = r.string();
        else r.skipType(tag & 7);
      }
      return fromStatusMessage(message, 'otlp-status-protobuf');
    } catch {
      return null;
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { error, code, message } = body as { error?: unknown; code?: unknown; message?: unknown };
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string' && typeof e.message === 'string') {
      return { code: e.code, message: e.message, shape: 'error-object' };
    }
  }
  if (typeof code === 'number' && typeof message === 'string') return fromStatusMessage(message, 'otlp-status-json');
  return null;
}

function fromStatusMessage(message: string, shape: ParsedError['shape']): ParsedError | null {
  const m = /^([a-z_]+): ([\s\S]*)$/.exec(message);
  return m ? { code: m[1] as string, message: m[2] as string, shape } : null;
}

export async function readError(res: Response): Promise<ParsedError | null> {
  return parseError(new Uint8Array(await res.arrayBuffer()), res.headers.get('content-type'));
}
