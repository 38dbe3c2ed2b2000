import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Headers as the upstream client takes them. */
export type UpstreamHeaders = Record<string, string | string[]>;

/**
 * Which headers cross the gateway (claude-surfaces.md §6.2: `anthropic-*`, `x-claude-code-*` and unknown headers are
 * open lists, forwarded verbatim). Dropped: hop-by-hop headers (RFC 9110 §7.6.1, plus those the client names in
 * `Connection`), `host`, and the client's credentials (the gateway key must never reach Anthropic; Steward adds the
 * server-side key). `accept-encoding` becomes `identity` so usage can be read from the response as it passes; the
 * client still gets the exact bytes the upstream sent.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const REQUEST_DROP = new Set([...HOP_BY_HOP, 'host', 'content-length', 'x-api-key', 'authorization', 'expect']);

function connectionListed(value: string | string[] | undefined): Set<string> | null {
  if (typeof value !== 'string' || value === '' || value.toLowerCase() === 'keep-alive') return null;
  return new Set(value.split(',').map((s) => s.trim().toLowerCase()));
}

export function upstreamRequestHeaders(
  client: IncomingHttpHeaders,
  apiKey: string | undefined,
  contentLength: number | null,
): UpstreamHeaders {
  const listed = connectionListed(client.connection);
  const out: UpstreamHeaders = {};
  for (const name in client) {
    if (REQUEST_DROP.has(name) || listed?.has(name)) continue;
    const value = client[name];
    if (value !== undefined) out[name] = value;
  }
  out['accept-encoding'] = 'identity';
  if (contentLength !== null) out['content-length'] = String(contentLength);
  if (apiKey) out['x-api-key'] = apiKey;
  return out;
}

export function clientResponseHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = connectionListed(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    out[name] = upstream[name];
  }
  return out;
}

/** The gateway key as presented: `x-api-key`, else `Authorization: Bearer` (apiKeyHelper sends both, equal). */
export function presentedKey(headers: IncomingHttpHeaders): string | null {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x !== '') return x.trim();
  const auth = headers.authorization;
  if (typeof auth !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m?.[1] ?? null;
}

export function headerText(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' ? s : null;
}
