/**
 * The fidelity check of the gateway benchmark: one request of each kind (SSE, JSON) through an arm, then what the
 * mock upstream received, compared with what the client sent. A gateway in front of Claude Code has to pass the body
 * byte for byte (paired header/body features such as context management 400 when split), keep `?beta=true`, and
 * forward every `anthropic-*` and `x-claude-code-*` header verbatim (claude-surfaces.md §6.2).
 */
import { Agent } from 'node:http';
import { sendRequest, type Target } from './load-slice.js';

export interface Fidelity {
  body_identical: boolean;
  beta_query: boolean;
  /** Required headers (anthropic-*, x-claude-code-*) that did not arrive, or arrived with another value. */
  headers_missing: string[];
  headers_changed: string[];
  /** Other client headers that did not arrive (x-app, user-agent, x-stainless-*…): reported, not required. */
  other_headers_missing: string[];
  /** When the body differs: top-level keys dropped, added or changed on the way. */
  body_keys_missing?: string[];
  body_keys_added?: string[];
  body_keys_changed?: string[];
  upstream_url: string;
  /** The credential the upstream saw (x-api-key or authorization), its first characters only. */
  upstream_credential: string;
  /** SSE only: the streaming probe (events 100 ms apart upstream): first and last byte at the client. */
  streaming?: { first_byte_ms: number; last_byte_ms: number; streams: boolean } | { error: string };
  ok: boolean;
}

interface Recorded {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const required = (name: string) => name.startsWith('anthropic-') || name.startsWith('x-claude-code-');

/** Headers the client may legitimately not see arrive: hop-by-hop, the credential (swapped) and the arm's own. */
const NOT_COMPARED = /^(host|connection|content-length|transfer-encoding|x-api-key|authorization|x-portkey-.*)$/;

function compareBodies(
  sent: Buffer,
  got: Buffer,
): Pick<Fidelity, 'body_keys_missing' | 'body_keys_added' | 'body_keys_changed'> {
  let a: Record<string, unknown>;
  let b: Record<string, unknown>;
  try {
    a = JSON.parse(sent.toString()) as Record<string, unknown>;
    b = JSON.parse(got.toString()) as Record<string, unknown>;
  } catch {
    return { body_keys_changed: ['<not JSON>'] };
  }
  return {
    body_keys_missing: Object.keys(a).filter((k) => !(k in b)),
    body_keys_added: Object.keys(b).filter((k) => !(k in a)),
    body_keys_changed: Object.keys(a).filter((k) => k in b && JSON.stringify(a[k]) !== JSON.stringify(b[k])),
  };
}

export async function checkFidelity(target: Target, mockUrl: string): Promise<Fidelity> {
  const agent = new Agent({ keepAlive: false });
  try {
    await sendRequest(target, agent);
  } catch (e) {
    throw new Error(`fidelity probe failed: ${(e as Error).message}`);
  } finally {
    agent.destroy();
  }
  const { last } = (await (await fetch(`${mockUrl}/__bench/last`)).json()) as { last: Recorded };
  const got = Buffer.from(last.body, 'base64');
  const query = new URL(last.url, 'http://x').searchParams;
  const value = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : v);
  const sent = Object.entries(target.headers).filter(([k]) => !NOT_COMPARED.test(k));
  const missing = sent.filter(([k]) => last.headers[k] === undefined).map(([k]) => k);
  const changed = sent
    .filter(([k, v]) => last.headers[k] !== undefined && value(last.headers[k]) !== v)
    .map(([k]) => k);
  const identical = got.equals(target.body);
  const credential = value(last.headers['x-api-key']) ?? value(last.headers.authorization) ?? '';
  const out: Fidelity = {
    body_identical: identical,
    beta_query: query.get('beta') === 'true',
    headers_missing: missing.filter(required),
    headers_changed: changed.filter(required),
    other_headers_missing: missing.filter((k) => !required(k)),
    ...(identical ? {} : compareBodies(target.body, got)),
    upstream_url: last.url,
    upstream_credential: credential.slice(0, 12) + (credential.length > 12 ? '…' : ''),
    ok: false,
  };
  if (target.sse) out.streaming = await checkStreaming(target);
  out.ok = out.body_identical && out.beta_query && out.headers_missing.length === 0 && out.headers_changed.length === 0;
  return out;
}

/**
 * Whether the arm passes the stream on as it comes: the same request for the mock's slow model, whose two later
 * writes come 100 ms apart. Streaming, the first byte arrives at once and the last ≥ 200 ms later; buffered, together.
 */
async function checkStreaming(target: Target): Promise<Fidelity['streaming']> {
  const body = JSON.parse(target.body.toString()) as Record<string, unknown>;
  const agent = new Agent({ keepAlive: false });
  try {
    const slow = { ...target, body: Buffer.from(JSON.stringify({ ...body, model: 'bench-slow-stream' })) };
    const [last, first] = await sendRequest(slow, agent);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return { first_byte_ms: r1(first), last_byte_ms: r1(last), streams: last - first >= 150 };
  } catch (e) {
    return { error: (e as Error).message.slice(0, 300) };
  } finally {
    agent.destroy();
  }
}
