/**
 * Strict reading of HTTP/1.1 message heads (RFC 9112 §2–§6) for the gateway's forwarding loop (wire-gateway.ts).
 *
 * The loop serves only one shape of request — `POST /gateway/anthropic/v1/messages[/count_tokens]` over HTTP/1.1,
 * framed by at most one Content-Length — and hands every other connection to node:http, whose parser (llhttp) stays
 * the judge of everything unusual. So this reader never answers an error: a head it does not fully accept is
 * `FOREIGN`, and node:http answers it exactly as it did before the loop existed (400, 413, 431, 501…). What it
 * accepts is a strict subset of what llhttp accepts, which closes the request-smuggling gaps between two parsers
 * (RFC 9112 §6.3, §11.2): no Transfer-Encoding at all, one Content-Length of digits only, no obs-fold (§5.2), CRLF
 * line endings only (no bare LF), token field names with no space before the colon (§5.1), no control bytes in
 * values (RFC 9110 §5.5), exactly one Host (§3.2), no Expect or Upgrade, and none of the fields node:http would
 * discard or join differently when repeated.
 *
 * Responses from the upstream are read with the same field rules, framed per RFC 9112 §6.3 (a response is trusted
 * more than a request: repeated fields are joined, Transfer-Encoding is allowed and wins over Content-Length).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MessagesEndpoint } from '../anthropic-gateway.js';
import { listTokens } from '../forward-headers.js';
import { GATEWAY_PREFIX } from '../gateway.routes.js';

export const INCOMPLETE = 'incomplete';
export const FOREIGN = 'foreign';

/** The header fields of a head, in order: lower-cased names and values (latin1, OWS trimmed). */
export interface FieldLines {
  names: string[];
  values: string[];
  /**
   * The lines as received, to forward without rebuilding them: line i is `source[spans[2i], spans[2i + 1])`, its
   * CRLF included. Null for fields that came from node:http, which keeps the names as sent in `rawNames`.
   */
  source: Buffer | null;
  spans: number[] | null;
  rawNames: string[] | null;
}

export interface RequestHead {
  endpoint: MessagesEndpoint;
  /** The path and query after `/gateway/anthropic`, as sent (`/v1/messages?beta=true`). */
  path: string;
  fields: FieldLines;
  /** As node:http builds `req.headers` (null prototype, lower-case names). */
  headers: IncomingHttpHeaders;
  /** Body length; 0 when no Content-Length was sent. */
  contentLength: number;
  /** `Connection: close`: the connection ends after this exchange. */
  close: boolean;
  /** Offset of the first body byte. */
  headEnd: number;
}

export type ResponseFraming = 'length' | 'chunked' | 'close' | 'none';

export interface ResponseHead {
  status: number;
  fields: FieldLines;
  headers: IncomingHttpHeaders;
  framing: ResponseFraming;
  /** With framing `length`. */
  contentLength: number;
  /** The upstream will close the connection after this response (or it is HTTP/1.0 without keep-alive). */
  close: boolean;
  headEnd: number;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;

const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[c.charCodeAt(0)] = 1;
}
/** field-vchar / SP / HTAB / obs-text (RFC 9110 §5.5): everything but controls and DEL. */
const VALUE_BYTE = new Uint8Array(256);
for (let b = 0; b < 256; b++) VALUE_BYTE[b] = b === HTAB || (b >= 0x20 && b !== 0x7f) ? 1 : 0;

const HEAD_END = Buffer.from('\r\n\r\n');
const MESSAGES_PATH = GATEWAY_PREFIX + '/v1/messages';
const ROUTE_PREFIX = Buffer.from('POST ' + MESSAGES_PATH);
const HTTP11_CRLF = Buffer.from('HTTP/1.1\r\n');
const COUNT_TOKENS = '/count_tokens';

/**
 * Fields node:http keeps only the first of (`IncomingMessage` headers); a request repeating one is not ours to
 * judge. `x-api-key` is added: a repeated credential is ambiguous.
 */
const SINGLE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
  'x-api-key',
]);
/**
 * Request fields that always go to node:http: framing and protocol switches this loop does not serve.
 * `proxy-connection`: llhttp reads it as Connection (a `close` in it ends node's connection), RFC 9110 §7.6.1 does
 * not — not ours to judge.
 */
const REQUEST_FOREIGN = new Set(['transfer-encoding', 'expect', 'upgrade', 'set-cookie', 'cookie', 'proxy-connection']);

/** Each byte lower-cased (ASCII letters only: field names are tokens, RFC 9110 §5.1). */
const LOWER = new Uint8Array(256);
for (let b = 0; b < 256; b++) LOWER[b] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;

/**
 * Field names seen before, lower-cased, by a hash of their bytes. A client sends the same names on every request,
 * so each is one string for the life of the process instead of a slice and a lower-cased copy per request (with
 * the presized arrays: 6.8 → 4.9 KB allocated per Claude Code head). Before, `perf` showed V8 hashing the fresh
 * names and looking them up in its string table on every request. Bounded: past NAME_CACHE_MAX distinct names, new
 * ones are sliced as before.
 */
const NAME_CACHE_MAX = 1024;
const nameCache = new Map<number, string>();

/** Most heads have fewer fields than this: the field arrays start at this size instead of growing by copies. */
const FIELDS_GUESS = 32;

/** Node's default cap on header pairs (`server.maxHeadersCount`). */
const MAX_FIELDS = 2000;
/** A Content-Length of more digits than this is not a length anyone means (and would lose precision). */
const MAX_LENGTH_DIGITS = 15;

/**
 * Reads a request head at the start of `buf`. `INCOMPLETE`: wait for more bytes (the head may still become ours);
 * `FOREIGN`: hand the connection to node:http with these bytes.
 */
export function readRequestHead(buf: Buffer, maxHeadBytes: number): RequestHead | typeof INCOMPLETE | typeof FOREIGN {
  // Anything but a POST to the Messages routes is decided on its first bytes.
  const prefix = Math.min(buf.length, ROUTE_PREFIX.length);
  if (buf.compare(ROUTE_PREFIX, 0, prefix, 0, prefix) !== 0) return FOREIGN;
  const end = buf.indexOf(HEAD_END);
  if (end < 0 || end + 4 > maxHeadBytes) {
    if (buf.length >= maxHeadBytes || hasBareLf(buf)) return FOREIGN;
    return INCOMPLETE;
  }
  const headEnd = end + 4;

  // request-line = method SP request-target SP HTTP-version CRLF (RFC 9112 §3), origin-form target only.
  let i = 5; // after "POST "
  while (i < end && buf[i] !== SP) {
    const b = buf[i] as number;
    if (b < 0x21 || b > 0x7e || b === 0x23 /* '#' */) return FOREIGN;
    i++;
  }
  if (i + 1 + HTTP11_CRLF.length > end + 2) return FOREIGN;
  // One decode of the whole head; names, values and the target are slices of it (a decode per field, each a call
  // into C++, was most of this reader's time).
  const text = buf.toString('latin1', 0, end);
  const target = text.slice(5, i);
  if (buf.compare(HTTP11_CRLF, 0, HTTP11_CRLF.length, i + 1, i + 1 + HTTP11_CRLF.length) !== 0) return FOREIGN;
  const endpoint = endpointOf(target);
  if (endpoint === null) return FOREIGN;

  const fields = readFields(buf, text, i + 1 + HTTP11_CRLF.length, end);
  if (fields === null) return FOREIGN;

  const headers = Object.create(null) as Record<string, string>;
  let contentLength = 0;
  let close = false;
  let host = 0;
  const { names, values } = fields;
  for (let f = 0; f < names.length; f++) {
    const name = names[f] as string;
    const value = values[f] as string;
    if (REQUEST_FOREIGN.has(name)) return FOREIGN;
    const earlier = headers[name];
    if (earlier !== undefined) {
      if (SINGLE.has(name)) return FOREIGN;
      headers[name] = earlier + ', ' + value;
    } else headers[name] = value;
    if (name === 'content-length') {
      contentLength = digits(value);
      if (contentLength < 0) return FOREIGN;
    } else if (name === 'host') host++;
    else if (name === 'connection') close ||= hasToken(value, 'close');
  }
  if (host !== 1) return FOREIGN;
  return {
    endpoint,
    path: target.slice(GATEWAY_PREFIX.length),
    fields,
    headers,
    contentLength,
    close,
    headEnd,
  };
}

/** Reads a response head; null when it is malformed (the upstream broke the protocol). */
export function readResponseHead(
  buf: Buffer,
  maxHeadBytes: number,
  requestMethod: string,
): ResponseHead | typeof INCOMPLETE | null {
  const end = buf.indexOf(HEAD_END);
  if (end < 0 || end + 4 > maxHeadBytes) return buf.length >= maxHeadBytes || hasBareLf(buf) ? null : INCOMPLETE;
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF (RFC 9112 §4)
  const text = buf.toString('latin1', 0, end);
  if (end < 12 || !text.startsWith('HTTP/1.') || buf[8] !== SP) return null;
  const minor = buf[7];
  if (minor !== 0x30 && minor !== 0x31) return null;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const d = (buf[i] as number) - 0x30;
    if (d < 0 || d > 9) return null;
    status = status * 10 + d;
  }
  if (status < 100) return null;
  const lineEnd = buf.indexOf(CR, 12);
  if ((lineEnd !== 12 && buf[12] !== SP) || buf[lineEnd + 1] !== LF) return null;
  for (let i = 13; i < lineEnd; i++) if (VALUE_BYTE[buf[i] as number] === 0) return null;
  const fields = readFields(buf, text, lineEnd + 2, end);
  if (fields === null) return null;

  const headers = Object.create(null) as Record<string, string | string[]>;
  let length = -1;
  let chunked = false;
  let transferEncoded = false;
  const { names, values } = fields;
  for (let f = 0; f < names.length; f++) {
    const name = names[f] as string;
    const value = values[f] as string;
    const earlier = headers[name];
    if (name === 'set-cookie') headers[name] = Array.isArray(earlier) ? [...earlier, value] : [value];
    else headers[name] = earlier === undefined ? value : `${earlier as string}, ${value}`;
    if (name === 'content-length') {
      const n = digits(value);
      if (n < 0 || (length >= 0 && n !== length)) return null;
      length = n;
    } else if (name === 'transfer-encoding') {
      transferEncoded = true;
      // The final coding decides (RFC 9112 §6.3 rule 4); with any other, the body runs to the close.
      const codings = (headers[name] as string).toLowerCase().split(',');
      chunked = (codings[codings.length - 1] as string).trim() === 'chunked';
    }
  }
  const connection = (headers.connection as string | undefined) ?? '';
  const http10 = minor === 0x30;
  const close = hasToken(connection, 'close') || (http10 && !hasToken(connection, 'keep-alive'));
  let framing: ResponseFraming;
  if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) framing = 'none';
  else if (transferEncoded) framing = chunked ? 'chunked' : 'close';
  else if (length >= 0) framing = 'length';
  else framing = 'close';
  return {
    status,
    fields,
    headers,
    framing,
    contentLength: length < 0 ? 0 : length,
    close: close || framing === 'close',
    headEnd: end + 4,
  };
}

/** field-line = field-name ":" OWS field-value OWS, each ending CRLF, from `start` to `end` (the final CRLF). */
function readFields(buf: Buffer, text: string, start: number, end: number): FieldLines | null {
  // Sized once for the common head (holes past the count are cut off at the end), not grown push by push.
  const names = new Array<string>(FIELDS_GUESS);
  const values = new Array<string>(FIELDS_GUESS);
  const spans = new Array<number>(2 * FIELDS_GUESS);
  let count = 0;
  let p = start;
  while (p < end) {
    // A line starting with whitespace is obs-fold (RFC 9112 §5.2); a field name is a token (no space before ':').
    let i = p;
    let hash = 0;
    for (let b = buf[i] as number; TCHAR[b] === 1; b = buf[++i] as number)
      hash = (Math.imul(hash, 31) + (LOWER[b] as number)) | 0;
    if (i === p || buf[i] !== COLON) return null;
    const nameEnd = i;
    i++;
    while (buf[i] === SP || buf[i] === HTAB) i++;
    const valueStart = i;
    let valueEnd = i;
    let trailingTab = false;
    for (; i < end; i++) {
      const b = buf[i] as number;
      if (b === CR) break;
      if (VALUE_BYTE[b] === 0) return null;
      if (b === HTAB) trailingTab = true;
      else if (b !== SP) {
        valueEnd = i + 1;
        trailingTab = false;
      }
    }
    // Each line ends in CRLF; the CR at `end` starts the head's closing CRLF CRLF.
    if (buf[i] !== CR || buf[i + 1] !== LF) return null;
    if (count === MAX_FIELDS) return null;
    const name = fieldName(buf, text, p, nameEnd, hash);
    // OWS after a Content-Length is SP or HTAB (RFC 9112 §5.1), but llhttp refuses an HTAB after its digits (400):
    // a length the two parsers do not both read is not one to frame by.
    if (trailingTab && name === 'content-length') return null;
    names[count] = name;
    values[count] = text.slice(valueStart, valueEnd);
    spans[2 * count] = p;
    spans[2 * count + 1] = i + 2;
    count++;
    p = i + 2;
  }
  names.length = count;
  values.length = count;
  spans.length = 2 * count;
  return { names, values, source: buf, spans, rawNames: null };
}

/** The lower-cased name `buf[from, to)`, whose bytes hash (lower-cased) to `hash`: the cached string when it is one. */
function fieldName(buf: Buffer, text: string, from: number, to: number, hash: number): string {
  const cached = nameCache.get(hash);
  if (cached !== undefined && cached.length === to - from) {
    let k = 0;
    while (k < cached.length && cached.charCodeAt(k) === LOWER[buf[from + k] as number]) k++;
    if (k === cached.length) return cached;
  }
  if (cached !== undefined || nameCache.size >= NAME_CACHE_MAX) return text.slice(from, to).toLowerCase();
  // A string of its own: a slice of `text` would keep this request's whole head alive for as long as it is cached.
  const name = buf.toString('latin1', from, to).toLowerCase();
  nameCache.set(hash, name);
  return name;
}

function endpointOf(target: string): MessagesEndpoint | null {
  if (!target.startsWith(MESSAGES_PATH)) return null;
  const q = target.indexOf('?');
  const route = (q < 0 ? target : target.slice(0, q)).slice(MESSAGES_PATH.length);
  if (route === '') return 'messages';
  if (route === COUNT_TOKENS) return 'count_tokens';
  return null;
}

/** 1*DIGIT (RFC 9110 §8.6) as a number; -1 for anything else. */
function digits(value: string): number {
  if (value.length === 0 || value.length > MAX_LENGTH_DIGITS) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function hasToken(list: string, token: string): boolean {
  return listTokens(list).includes(token);
}

/** An LF not preceded by CR: a line ending this reader refuses (llhttp's lenient modes accept it). */
function hasBareLf(buf: Buffer): boolean {
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) if (i === 0 || buf[i - 1] !== CR) return true;
  return false;
}
