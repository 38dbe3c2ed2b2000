/**
 * The upstream of the gateway benchmark: a fast local stand-in for the Anthropic Messages API, run as its own process
 * (`node --import tsx bench/gateway/mock-upstream.ts`) so that its CPU is not taken from the arm under test nor from
 * the load generator. It prints `{"port":N}` on stdout once listening on 127.0.0.1.
 *
 * `POST /v1/messages` answers at once (no artificial delay): with `stream: true` the SSE sequence of the real API
 * (message_start with usage → ping → content_block_start → text_delta ×3 → content_block_stop → message_delta with
 * cumulative usage → message_stop) in three writes a turn of the event loop apart (100 ms apart for the streaming
 * probe's model, so that buffering shows); otherwise one JSON message with usage. Both carry a `request-id` header.
 *
 * For the fidelity check it keeps the last /v1/messages request it received (method, URL, headers, body bytes —
 * kept by reference, no copy, so the hot path does not pay for it) and answers it on `GET /__bench/last`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const MODEL = 'claude-opus-5-5';
/** Matches only a real `stream` key: inside a JSON string the quotes would be escaped. */
const STREAM_TRUE = Buffer.from('"stream":true');
/**
 * The streaming probe's model: its events come 100 ms apart, so a proxy that buffers the stream shows a first byte
 * as late as the last one. Only the probe uses it; the timed requests get their answers at once.
 */
const SLOW_MODEL = Buffer.from('"model":"bench-slow-stream"');
const SLOW_GAP_MS = 100;

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}
let last: Recorded | null = null;
let served = 0;

const usageStart = {
  input_tokens: 12,
  cache_creation_input_tokens: 1840,
  cache_read_input_tokens: 9210,
  cache_creation: { ephemeral_5m_input_tokens: 1840, ephemeral_1h_input_tokens: 0 },
  output_tokens: 1,
  service_tier: 'standard',
};
const TEXT = ['The totals are rounded', ' per line now, so the', ' failing test passes.'];
const usageEnd = { ...usageStart, output_tokens: 18 };

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

function sse(res: ServerResponse, id: string, requestId: string, slow: boolean): void {
  const later = (fn: () => void) => (slow ? setTimeout(fn, SLOW_GAP_MS) : setImmediate(fn));
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': requestId,
    'anthropic-organization-id': '00000000-0000-4000-8000-000000000bench',
  });
  const message = { id, type: 'message', role: 'assistant', model: MODEL, content: [], stop_reason: null };
  res.write(
    event('message_start', { type: 'message_start', message: { ...message, stop_sequence: null, usage: usageStart } }) +
      event('ping', { type: 'ping' }),
  );
  // The next events a turn of the event loop later, the end another turn later: a real stream arrives in pieces.
  later(() => {
    let body = event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    for (const text of TEXT)
      body += event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text },
      });
    res.write(body + event('content_block_stop', { type: 'content_block_stop', index: 0 }));
    later(() => {
      res.end(
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: usageEnd,
        }) + event('message_stop', { type: 'message_stop' }),
      );
    });
  });
}

function json(res: ServerResponse, id: string, requestId: string): void {
  const body = JSON.stringify({
    id,
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [{ type: 'text', text: TEXT.join('') }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: usageEnd,
  });
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'request-id': requestId,
    'anthropic-organization-id': '00000000-0000-4000-8000-000000000bench',
  });
  res.end(body);
}

const server = createServer((req, res) => {
  const path = req.url?.split('?')[0];
  if (req.method === 'GET' && path === '/__bench/last') {
    const out = last && { ...last, body: last.body.toString('base64') };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ last: out, served }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"type":"error","error":{"type":"not_found_error","message":"Not found"}}');
      return;
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    last = { method: req.method, url: req.url ?? '', headers: req.headers, body };
    served++;
    const id = `msg_bench${served.toString(36).padStart(8, '0')}`;
    const requestId = `req_bench${served.toString(36).padStart(8, '0')}`;
    if (body.indexOf(STREAM_TRUE) >= 0) sse(res, id, requestId, body.indexOf(SLOW_MODEL) >= 0);
    else json(res, id, requestId);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
