import { FOREIGN, INCOMPLETE, readRequestHead, type FieldLines, type RequestHead } from './http1-head.js';

/** Request heads and helpers shared by the head reader's tests (http1-head.test.ts, http1-head.fuzz.test.ts). */
export const MAX_HEAD = 16_384; // node's default http.maxHeaderSize

/** mulberry32: a small seeded PRNG, so every run replays the same cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The head Claude Code sends through the gateway (ANTHROPIC_BASE_URL=…/gateway/anthropic), body length 23. */
export const CLAUDE_LINES = [
  'POST /gateway/anthropic/v1/messages?beta=true HTTP/1.1',
  'host: 127.0.0.1:8787',
  'connection: keep-alive',
  'Accept: application/json',
  'X-Stainless-Retry-Count: 0',
  'X-Stainless-Timeout: 600',
  'X-Stainless-Lang: js',
  'X-Stainless-Package-Version: 0.60.0',
  'X-Stainless-OS: Linux',
  'X-Stainless-Arch: x64',
  'X-Stainless-Runtime: node',
  'X-Stainless-Runtime-Version: v22.17.0',
  'anthropic-dangerous-direct-browser-access: true',
  'anthropic-version: 2023-06-01',
  'x-api-key: sk-ant-api03-test-key',
  'x-app: cli',
  'User-Agent: claude-cli/2.0.14 (external, cli)',
  'content-type: application/json',
  'anthropic-beta: claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14',
  'x-claude-code-session-id: 6f1c2a0e-8d3b-4c7a-9e21-5b0f4d3c2a19',
  'accept-language: *',
  'sec-fetch-mode: cors',
  'accept-encoding: gzip, deflate',
  'content-length: 23',
];
export const BODY = '{"model":"claude-opus"}';

export function head(lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
}

/** A minimal accepted head with `extra` field lines. */
export function minimal(extra: string[], target = '/gateway/anthropic/v1/messages'): Buffer {
  return head([`POST ${target} HTTP/1.1`, 'Host: gw', ...extra]);
}

export function accepted(buf: Buffer, max = MAX_HEAD): RequestHead {
  const r = readRequestHead(buf, max);
  if (r === INCOMPLETE || r === FOREIGN)
    throw new Error(`not accepted: ${r} ${JSON.stringify(buf.toString('latin1'))}`);
  return r;
}

/** The names of a head's fields as sent, read back from the lines the head reader kept. */
export function rawNames(fields: FieldLines): string[] {
  const { source, spans } = fields;
  if (source === null || spans === null) return fields.rawNames ?? [];
  return fields.names.map((_, i) => {
    const start = spans[2 * i] as number;
    return source.toString('latin1', start, source.indexOf(0x3a, start));
  });
}
