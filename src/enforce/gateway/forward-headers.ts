import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { FieldLines, ResponseHead } from './wire/http1-head.js';

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

/**
 * The request's header section for the upstream, as `name: value\r\n` lines in the client's order and spelling
 * (the pool adds Host and Content-Length). Values were checked by the head reader (or llhttp) and the key by the
 * config schema, so no line can carry a CR or LF.
 */
export function upstreamFieldLines(client: FieldLines, apiKey: string | undefined): string {
  const { names, rawNames, values } = client;
  let listed: Set<string> | null = null;
  for (let i = 0; i < names.length; i++) if (names[i] === 'connection') listed = connectionListed(values[i]);
  let lines = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (REQUEST_DROP.has(name) || name === 'accept-encoding' || listed?.has(name)) continue;
    lines += `${rawNames[i] as string}: ${values[i] as string}\r\n`;
  }
  lines += 'accept-encoding: identity\r\n';
  if (apiKey) lines += `x-api-key: ${apiKey}\r\n`;
  return lines;
}

/** node:http's `req.rawHeaders` (name, value, name, value…) as field lines. */
export function fieldLinesOf(rawHeaders: string[]): FieldLines {
  const names: string[] = [];
  const rawNames: string[] = [];
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    rawNames.push(name);
    names.push(name.toLowerCase());
    values.push(rawHeaders[i + 1] as string);
  }
  return { names, rawNames, values };
}

/**
 * The upstream response's header lines for the client, as sent, less hop-by-hop fields and the framing fields
 * (Content-Length, Transfer-Encoding), which the loop writes itself for the framing it passes on.
 */
export function clientResponseLines(head: ResponseHead): string {
  const { names, rawNames, values } = head.fields;
  const listed = connectionListed(head.headers.connection);
  let lines = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (HOP_BY_HOP.has(name) || name === 'content-length' || listed?.has(name)) continue;
    lines += `${rawNames[i] as string}: ${values[i] as string}\r\n`;
  }
  return lines;
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
