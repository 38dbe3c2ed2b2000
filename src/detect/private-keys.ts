/**
 * PEM and OpenSSH private keys (RFC 7468 textual encoding; OpenSSH's PROTOCOL.key uses the same armour), also
 * inside JSON strings and env values where line breaks are written `\n`. A key inside a Google Cloud
 * service-account JSON (`"type": "service_account"`, `client_email` …gserviceaccount.com) is reported as
 * `gcp_service_account`. The span is the whole armoured block: the BEGIN/END lines are part of the key's encoding.
 */
import type { AnchorRule } from './anchors.js';
import { BASE64, EQUALS, classAt, indexWithin } from './char-classes.js';
import { addFinding, type ScanContext } from './scan-context.js';

const LABEL = /^(?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?$/;
/** Search bounds: an 8192-bit RSA key is ~6.5 KB of PEM; PGP blocks can be larger. */
const MAX_KEY = 32_768;
/** Fewer base64 characters than this between the armour lines is a placeholder (`...`, `<your key>`). */
const MIN_BODY = 40;
/** How far around a key to look for the service-account markers of its JSON object. */
const GCP_WINDOW = 4096;

/** An armoured private key at `i` (its `-----BEGIN `); returns where scanning may resume. */
export const privateKey: AnchorRule = {
  anchor: '-----BEGIN ', // run through secret-tokens.ts (anchored on `BEGIN `)
  types: ['private_key', 'gcp_service_account'],
  at(ctx, i) {
    const { text } = ctx;
    if (text.charCodeAt(i + 1) !== 45 || !text.startsWith('----BEGIN ', i + 1)) return i + 1;
    const labelEnd = indexWithin(text, '-----', i + 11, i + 61);
    if (labelEnd < 0) return i + 5;
    const label = text.slice(i + 11, labelEnd);
    if (!LABEL.test(label)) return labelEnd + 5;
    const bodyStart = labelEnd + 5;
    const endMarker = `-----END ${label}-----`;
    const endAt = nextEndLine(ctx, endMarker, bodyStart);
    let end: number;
    let body: number;
    if (endAt >= 0 && endAt - bodyStart <= MAX_KEY) {
      end = endAt + endMarker.length;
      body = base64Count(text, bodyStart, endAt);
    } else {
      end = truncatedBodyEnd(text, bodyStart);
      body = base64Count(text, bodyStart, end);
      if (body < MIN_BODY) return bodyStart;
    }
    record(ctx, i, end, label, body < MIN_BODY);
    return end;
  },
};

/**
 * Where `marker` (an END line) next occurs at or after `from`. The last search per marker is remembered: BEGIN
 * lines without an END each ask again, and a fresh `indexOf` per ask would read to the end of the text every time.
 */
function nextEndLine(ctx: ScanContext, marker: string, from: number): number {
  const memo = (ctx.endLines ??= new Map());
  const known = memo.get(marker);
  if (known && known.from <= from && (known.at < 0 || known.at >= from)) return known.at;
  const at = ctx.text.indexOf(marker, from);
  memo.set(marker, { from, at });
  return at;
}

function record(ctx: ScanContext, start: number, end: number, label: string, placeholder: boolean): void {
  const confidence = label.startsWith('ENCRYPTED') ? 0.85 : 0.97;
  addFinding(
    ctx,
    inServiceAccount(ctx.text, start, end) ? 'gcp_service_account' : 'private_key',
    start,
    end,
    confidence,
    'none',
    placeholder,
  );
}

/** The key is the `private_key` member of a JSON object that also says `"type": "service_account"`. */
function inServiceAccount(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 40), start).replace(/\s/g, '');
  if (!before.endsWith('"private_key":"')) return false;
  const from = Math.max(0, start - GCP_WINDOW);
  const open = text.slice(from, start).lastIndexOf('{');
  const close = indexWithin(text, '}', end, end + GCP_WINDOW + 1);
  if (open < 0 || close < 0) return false;
  const object = text.slice(from + open, close);
  return object.includes('"service_account"') || object.includes('.iam.gserviceaccount.com');
}

/** Base64 characters in [start, end), counted up to MIN_BODY (all that matters). */
function base64Count(text: string, start: number, end: number): number {
  let n = 0;
  for (let k = start; k < end && n < MIN_BODY; k++) if (classAt(text, k) & BASE64) n++;
  return n;
}

/**
 * A key pasted without its END line: the body is the following lines (real or escaped `\n` line breaks, optional
 * indentation) that hold nothing but base64; the first other line ends it.
 */
function truncatedBodyEnd(text: string, start: number): number {
  const limit = Math.min(text.length, start + MAX_KEY);
  let last = start;
  let k = start;
  while (k < limit) {
    // line break(s) and indentation
    let c = text.charCodeAt(k);
    while (k < limit && (c === 10 || c === 13 || c === 32 || c === 9 || (c === 92 && isEscapedBreak(text, k)))) {
      k += c === 92 ? 2 : 1;
      c = text.charCodeAt(k);
    }
    let j = k;
    while (j < limit && classAt(text, j) & (BASE64 | EQUALS)) j++;
    const c2 = text.charCodeAt(j);
    const lineEnds = j >= text.length || c2 === 10 || c2 === 13 || (c2 === 92 && isEscapedBreak(text, j));
    if (j === k || !lineEnds) break;
    last = j;
    k = j;
  }
  return last;
}

function isEscapedBreak(text: string, k: number): boolean {
  const n = text[k + 1];
  return n === 'n' || n === 'r';
}
