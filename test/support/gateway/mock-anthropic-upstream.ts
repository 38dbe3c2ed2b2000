import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Anthropic Messages API, speaking its wire format (claude-surfaces.md §6.3): SSE with
 * message_start (initial usage, cache writes split 5m/1h) → ping → an unknown event type → content blocks (text or
 * tool_use with partial_json) → message_delta with **cumulative** usage → message_stop; non-streaming JSON; count_tokens;
 * models. It records each request's exact bytes and headers, so tests assert on what the upstream really received.
 * Scripting: `next` replaces the answer of upcoming requests (errors, a held-open stream for abort tests).
 */
export const UPSTREAM_USAGE = {
  input_tokens: 1200,
  cache_read_input_tokens: 30_000,
  cache_creation_input_tokens: 900,
  cache_creation: { ephemeral_5m_input_tokens: 600, ephemeral_1h_input_tokens: 300 },
  output_tokens: 250,
  service_tier: 'standard',
} as const;

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  requestId: string;
  /** Resolves when the client side of this request closed; `aborted` says whether it closed before the answer ended. */
  closed: Promise<{ aborted: boolean }>;
}

export type Scripted =
  | { kind: 'error'; status: number; body: string; headers?: Record<string, string> }
  /** Sends message_start (with usage) and a text delta, then holds the stream open until the client goes away. */
  | { kind: 'hold' }
  /** Sends message_start (with usage) and a text delta, then drops the connection mid-stream. */
  | { kind: 'cut' }
  /** Never answers (the gateway's idle timeout must end it). */
  | { kind: 'silent' }
  | { kind: 'no-request-id' }
  /** A text answer with this text (streamed word by word, or as one JSON message). */
  | { kind: 'text'; text: string };

export interface MockUpstream {
  url: string;
  requests: UpstreamRequest[];
  /** Answers for the next requests, in order (then the default behaviour resumes). */
  next: Scripted[];
  close(): Promise<void>;
}

function sse(res: ServerResponse, event: string, data: Record<string, unknown>): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
}

function lastUserHasToolResult(body: Record<string, unknown>): boolean {
  const messages = (body.messages as { role: string; content: unknown }[] | undefined) ?? [];
  const users = messages.filter((m) => m.role === 'user');
  const last = users[users.length - 1]?.content;
  return Array.isArray(last) && last.some((b: { type?: string }) => b.type === 'tool_use' || b.type === 'tool_result');
}

/** Tools offered and no tool result yet → a tool_use turn; otherwise a text answer. */
function turn(body: Record<string, unknown>, n: number) {
  const tools = body.tools as { name: string }[] | undefined;
  if (tools?.length && !lastUserHasToolResult(body)) {
    return {
      stop: 'tool_use',
      block: { type: 'tool_use', id: `toolu_up_${n}`, name: tools[0]?.name ?? 'tool', input: { city: 'Paris' } },
    };
  }
  return { stop: 'end_turn', block: { type: 'text', text: 'Hello from the mock upstream.' } };
}

export async function startMockUpstream(): Promise<MockUpstream> {
  const requests: UpstreamRequest[] = [];
  const next: Scripted[] = [];
  let counter = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = ++counter;
      const requestId = `req_up_${n}`;
      const closed = new Promise<{ aborted: boolean }>((resolve) =>
        res.on('close', () => resolve({ aborted: !res.writableFinished })),
      );
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, requestId, closed });
      const script = next.shift();
      if (script?.kind === 'silent') return;
      if (script?.kind !== 'no-request-id') res.setHeader('request-id', requestId);
      if (script?.kind === 'error') {
        res.writeHead(script.status, { 'content-type': 'application/json', ...script.headers });
        res.end(script.body);
        return;
      }
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            data: [
              {
                type: 'model',
                id: 'claude-sonnet-5',
                display_name: 'Claude Sonnet 5',
                created_at: '2026-06-30T00:00:00Z',
              },
            ],
            has_more: false,
            first_id: 'claude-sonnet-5',
            last_id: 'claude-sonnet-5',
          }),
        );
        return;
      }
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'mock: bad JSON' } }));
        return;
      }
      if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ input_tokens: Math.ceil(body.length / 4) }));
        return;
      }
      if (req.method !== 'POST' || path !== '/v1/messages') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `mock: ${path}` } }));
        return;
      }
      const model = typeof parsed.model === 'string' ? parsed.model : 'claude-sonnet-5';
      const t =
        script?.kind === 'text' ? { stop: 'end_turn', block: { type: 'text', text: script.text } } : turn(parsed, n);
      const id = `msg_up_${n}`;
      if (parsed.stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        sse(res, 'message_start', {
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { ...UPSTREAM_USAGE, output_tokens: 1 },
          },
        });
        sse(res, 'ping', {});
        sse(res, 'steward_unknown_future_event', { note: 'clients and gateways must tolerate unknown events' });
        if (script?.kind === 'hold' || script?.kind === 'cut') {
          sse(res, 'content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
          sse(res, 'content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Thinking about it' } });
          // 'hold': held open until the client goes away; 'cut': the connection drops once the bytes are out.
          if (script.kind === 'cut') setTimeout(() => res.socket?.destroy(), 20);
          return;
        }
        if (t.block.type === 'text') {
          sse(res, 'content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
          for (const word of (t.block.text as string).split(' ')) {
            sse(res, 'content_block_delta', { index: 0, delta: { type: 'text_delta', text: word + ' ' } });
          }
        } else {
          sse(res, 'content_block_start', { index: 0, content_block: { ...t.block, input: {} } });
          const json = JSON.stringify(t.block.input);
          for (const part of [json.slice(0, 5), json.slice(5)]) {
            sse(res, 'content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: part } });
          }
        }
        sse(res, 'content_block_stop', { index: 0 });
        // Cumulative: an intermediate delta, then the final one (the gateway must take the last, not add them).
        sse(res, 'message_delta', { delta: { stop_reason: null, stop_sequence: null }, usage: { output_tokens: 100 } });
        sse(res, 'message_delta', {
          delta: { stop_reason: t.stop, stop_sequence: null },
          usage: { output_tokens: UPSTREAM_USAGE.output_tokens },
        });
        sse(res, 'message_stop', {});
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [t.block],
          stop_reason: t.stop,
          stop_sequence: null,
          usage: UPSTREAM_USAGE,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    next,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
