import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted stand-in for the Anthropic Messages API that the real Claude Code CLI can talk to
 * (`ANTHROPIC_BASE_URL=<url>`). Claude Code 2.1.329 only ever calls `POST /v1/messages?beta=true`, streams by default and
 * falls back to `stream:false` after broken streams (shared/reference/claude-code-observed.md §2), so both modes are served.
 *
 * Script: a conversation whose last user message has no `tool_result` gets a Bash `tool_use` turn; once the tool result
 * comes back it gets the final text answer, so one `-p` run makes exactly two requests.
 */

/** Synthetic usage per response, the same numbers the reference probe used (claude-code-observed.md §9). */
export const MOCK_USAGE = {
  input_tokens: 123,
  output_tokens: 45,
  cache_read_input_tokens: 89,
  cache_creation_input_tokens: 67,
} as const;

export const MOCK_TOOL_INPUT = { command: 'echo hello-from-steward', description: 'say hello' } as const;
export const MOCK_FINAL_TEXT = 'Done.';

export interface MessagesRequestBody {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role: string; content: string | Array<Record<string, unknown>> }>;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/v1/messages?beta=true`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: MessagesRequestBody | undefined;
  /** The `request-id` this mock answered with (`req_mock_<n>`); Claude Code reports it as OTel `request_id`. */
  requestId: string;
}

export interface MockMessagesApi {
  /** Base URL for `ANTHROPIC_BASE_URL`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

type ContentBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** True when the last `user` message carries a tool_result. `role:"system"` entries can sit mid-conversation (§2), so
 *  the last message of role user is looked up rather than the last message. */
export function lastUserMessageHasToolResult(body: MessagesRequestBody | undefined): boolean {
  const users = (body?.messages ?? []).filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  return Array.isArray(last?.content) && last.content.some((block) => block.type === 'tool_result');
}

function scriptedTurn(
  body: MessagesRequestBody | undefined,
  n: number,
): { content: ContentBlock[]; stopReason: string } {
  if (lastUserMessageHasToolResult(body)) {
    return { content: [{ type: 'text', text: MOCK_FINAL_TEXT }], stopReason: 'end_turn' };
  }
  return {
    content: [{ type: 'tool_use', id: `toolu_mock_${n}`, name: 'Bash', input: { ...MOCK_TOOL_INPUT } }],
    stopReason: 'tool_use',
  };
}

function sse(res: ServerResponse, event: string, data: Record<string, unknown>): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
}

/** The Messages API event order (claude-surfaces.md §6.3): message_start (empty content, initial usage), per block
 *  start/delta/stop, message_delta with stop_reason and cumulative usage, message_stop. */
function writeStream(res: ServerResponse, id: string, model: string, turn: ReturnType<typeof scriptedTurn>): void {
  sse(res, 'message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...MOCK_USAGE, output_tokens: 1 },
    },
  });
  sse(res, 'ping', {});
  turn.content.forEach((block, index) => {
    if (block.type === 'text') {
      sse(res, 'content_block_start', { index, content_block: { type: 'text', text: '' } });
      sse(res, 'content_block_delta', { index, delta: { type: 'text_delta', text: block.text } });
    } else {
      sse(res, 'content_block_start', { index, content_block: { ...block, input: {} } });
      // Split the JSON so the client must accumulate partial_json, as with the real API.
      const json = JSON.stringify(block.input);
      const cut = Math.floor(json.length / 2);
      for (const part of [json.slice(0, cut), json.slice(cut)]) {
        sse(res, 'content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } });
      }
    }
    sse(res, 'content_block_stop', { index });
  });
  sse(res, 'message_delta', { delta: { stop_reason: turn.stopReason, stop_sequence: null }, usage: { ...MOCK_USAGE } });
  sse(res, 'message_stop', {});
  res.end();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): MessagesRequestBody | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as MessagesRequestBody) : undefined;
  } catch {
    return undefined;
  }
}

export async function startMockMessagesApi(): Promise<MockMessagesApi> {
  const requests: RecordedRequest[] = [];
  let counter = 0;

  const server = createServer((req, res) => {
    void (async () => {
      const n = ++counter;
      const requestId = `req_mock_${n}`;
      const body = parseJson(await readBody(req));
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, requestId });
      // The CLI joins OTel `request_id` to this header (claude-code-observed.md §2 "Correlation").
      res.setHeader('request-id', requestId);

      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || path !== '/v1/messages') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `mock: ${path}` } }));
        return;
      }

      const id = `msg_mock_${n}`;
      const model = body?.model ?? 'claude-opus-5-5';
      const turn = scriptedTurn(body, n);
      if (body?.stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        writeStream(res, id, model, turn);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: turn.content,
          stop_reason: turn.stopReason,
          stop_sequence: null,
          usage: { ...MOCK_USAGE },
        }),
      );
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The CLI's client keeps connections alive; drop them so close() does not wait for idle timeouts.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
