/**
 * A structural reader over JSON bytes: finds where values start and end without building them, so the gateway
 * parses only the few values it reads out of a request it otherwise forwards untouched (a Claude Code request is tens
 * of kilobytes, its tool schemas and history included; the gateway needs the model, a few scalars and the newest
 * turn). Strings are skipped with a native search for the closing quote (an even run of backslashes before a quote
 * leaves it closing, RFC 8259 §7), structure byte by byte. It is structural only: a value it skips is not validated —
 * a body malformed inside such a value reaches the upstream, which answers its own 400 (forwarded unmodified). Keys
 * are compared after JSON unescaping and the last duplicate wins, as JSON.parse does, so what the policy reads is what
 * the upstream's parser reads.
 */
export class JsonScanError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export function skipSpace(b: Buffer, i: number): number {
  while (i < b.length && isSpace(b[i])) i++;
  return i;
}

/** `b[i]` is an opening quote; returns the index after the closing one. */
export function skipString(b: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, from);
    if (q < 0) throw new JsonScanError('unterminated string');
    let slashes = 0;
    for (let k = q - 1; b[k] === BACKSLASH; k--) slashes++;
    if ((slashes & 1) === 0) return q + 1;
    from = q + 1;
  }
}

/** Returns the index after the value starting at `i` (no leading space). */
export function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    while (i < b.length) {
      const ch = b[i] as number;
      if (ch === QUOTE) {
        i = skipString(b, i);
        continue;
      }
      if (ch === LBRACE || ch === LBRACKET) depth++;
      else if (ch === RBRACE || ch === RBRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new JsonScanError('unterminated object or array');
  }
  let j = i;
  while (j < b.length) {
    const ch = b[j];
    if (ch === COMMA || ch === RBRACE || ch === RBRACKET || isSpace(ch)) break;
    j++;
  }
  if (j === i) throw new JsonScanError(`unexpected ${i < b.length ? `'${String.fromCharCode(c as number)}'` : 'end'}`);
  return j;
}

/**
 * Whether the value at `i` ends by its own bytes — a string, an array or an object — so that bytes equal to a
 * complete value of that kind end where it did; a number or literal ends only at the byte after it.
 */
export function endsByItself(b: Buffer, i: number): boolean {
  const c = b[i];
  return c === QUOTE || c === LBRACE || c === LBRACKET;
}

export interface Span {
  start: number;
  end: number;
}

/**
 * Skips a member's value itself, returning the index after it, or -1 to leave it to `skipValue`: lets a reader keep
 * what it passes (the elements of an array it needs) or skip a value it has seen before without scanning it.
 */
export type MemberSkip = (key: string, at: number) => number;

/** The members of the object at `i` (key → value span, the last duplicate winning) and the index after it. */
export function objectMembers(b: Buffer, i: number, skip?: MemberSkip): { members: Map<string, Span>; end: number } {
  const out = new Map<string, Span>();
  if (b[i] !== LBRACE) throw new JsonScanError('not an object');
  i = skipSpace(b, i + 1);
  if (b[i] === RBRACE) return { members: out, end: i + 1 };
  for (;;) {
    if (b[i] !== QUOTE) throw new JsonScanError('expected a member name');
    const keyEnd = skipString(b, i);
    const raw = b.toString('latin1', i + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(b.toString('utf8', i, keyEnd)) as string) : raw;
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) throw new JsonScanError("expected ':'");
    i = skipSpace(b, i + 1);
    const skipped = skip ? skip(key, i) : -1;
    const valueEnd = skipped >= 0 ? skipped : skipValue(b, i);
    out.set(key, { start: i, end: valueEnd });
    i = skipSpace(b, valueEnd);
    if (b[i] === COMMA) {
      i = skipSpace(b, i + 1);
      continue;
    }
    if (b[i] === RBRACE) return { members: out, end: i + 1 };
    throw new JsonScanError("expected ',' or '}'");
  }
}

/** The element spans of the array at `i` and the index after it (the array read once, its elements kept). */
export function arrayElements(b: Buffer, i: number): { elements: Span[]; end: number } {
  const out: Span[] = [];
  if (b[i] !== LBRACKET) throw new JsonScanError('not an array');
  i = skipSpace(b, i + 1);
  if (b[i] === RBRACKET) return { elements: out, end: i + 1 };
  for (;;) {
    const end = skipValue(b, i);
    out.push({ start: i, end });
    i = skipSpace(b, end);
    if (b[i] === COMMA) {
      i = skipSpace(b, i + 1);
      continue;
    }
    if (b[i] === RBRACKET) return { elements: out, end: i + 1 };
    throw new JsonScanError("expected ',' or ']'");
  }
}

/** JSON.parse of one span (the only place values are built). */
export function parseSpan(b: Buffer, s: Span): unknown {
  return JSON.parse(b.toString('utf8', s.start, s.end));
}
