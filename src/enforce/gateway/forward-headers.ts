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
/** `accept-encoding` is replaced (upstreamExtraLines), the others are the gateway's own or the client's secret. */
const REQUEST_DROP = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length',
  'x-api-key',
  'authorization',
  'expect',
  'accept-encoding',
]);

/** The members of a comma-separated list (RFC 9110 §5.6.1), trimmed and lower-cased. */
export function listTokens(list: string): string[] {
  return list === '' ? [] : list.split(',').map((part) => part.trim().toLowerCase());
}

/** Whether a field is end-to-end: not hop-by-hop, not named in the message's Connection field. */
function endToEnd(connection: string | string[] | undefined): (name: string) => boolean {
  const listed =
    typeof connection !== 'string' || connection.toLowerCase() === 'keep-alive'
      ? null
      : new Set(listTokens(connection));
  return (name) => !HOP_BY_HOP.has(name) && !listed?.has(name);
}

/** Whether a client's request field goes upstream: credentials, hop-by-hop and framing fields are the gateway's. */
export function requestFieldKept(fields: FieldLines): (name: string) => boolean {
  const kept = endToEnd(fieldValue(fields, 'connection'));
  return (name) => !REQUEST_DROP.has(name) && kept(name);
}

/** Whether an upstream response field goes to the client: end-to-end and not framing (the loop writes its own). */
export function responseFieldKept(head: ResponseHead): (name: string) => boolean {
  const kept = endToEnd(head.headers.connection);
  return (name) => name !== 'content-length' && kept(name);
}

/** The lines after the gateway's own (`accept-encoding: identity`, the server-side key), before Content-Length. */
export function upstreamExtraLines(apiKey: string | undefined): string {
  return apiKey ? `accept-encoding: identity\r\nx-api-key: ${apiKey}\r\n` : 'accept-encoding: identity\r\n';
}

/**
 * A message head as one Buffer: `before`, the kept field lines as received (copied byte for byte from their source,
 * or rebuilt from node:http's names as sent), then `after`. Values were checked by the head reader (or llhttp) and
 * the key by the config schema, so no line can carry a CR or LF. One allocation, no string per line.
 */
export function composeHead(
  before: string,
  fields: FieldLines,
  keep: (name: string) => boolean,
  after: string,
): Buffer {
  const { names, values, source, spans, rawNames } = fields;
  if (source === null || spans === null) {
    let lines = before;
    for (let i = 0; i < names.length; i++) {
      if (keep(names[i] as string)) lines += `${(rawNames ?? names)[i] as string}: ${values[i] as string}\r\n`;
    }
    return Buffer.from(lines + after, 'latin1');
  }
  let size = before.length + after.length;
  for (let i = 0; i < names.length; i++)
    if (keep(names[i] as string)) size += (spans[2 * i + 1] as number) - (spans[2 * i] as number);
  const out = Buffer.allocUnsafe(size);
  let at = out.write(before, 0, 'latin1');
  for (let i = 0; i < names.length; i++) {
    if (keep(names[i] as string)) at += source.copy(out, at, spans[2 * i] as number, spans[2 * i + 1] as number);
  }
  out.write(after, at, 'latin1');
  return out;
}

function fieldValue(fields: FieldLines, name: string): string | undefined {
  const at = fields.names.indexOf(name);
  return at < 0 ? undefined : fields.values[at];
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
  return { names, values, source: null, spans: null, rawNames };
}

/** The upstream response's end-to-end headers for node:http, which frames the body itself (Content-Length kept). */
export function clientResponseHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept = endToEnd(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) if (kept(name)) out[name] = upstream[name];
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
