/**
 * IP addresses, personal data under GDPR when they point at a person's device. IPv4 dotted quads come from the
 * number scanner; IPv6 (RFC 4291 §2.2 text forms, RFC 5952) from its own anchors. Loopback, unspecified and
 * broadcast addresses and netmasks are not reported; private and link-local ranges (RFC 1918, RFC 6598,
 * RFC 3927, RFC 4193) score low; documentation ranges (RFC 5737, RFC 3849) are examples.
 */
import { ALNUM, COLON, DOT, HEX, UNDERSCORE, codeAt, isClass, runEnd, runStart } from './char-classes.js';
import { groupEnd, groupLength, groupStart, separatorAfter, type DigitGroups } from './numbers.js';
import { addFinding, ContextWords, type ScanContext } from './scan-context.js';

const VERSION_WORDS = new ContextWords(['version', 'ver', 'v', 'release', 'build', 'firmware']);

export function ipv4At(ctx: ScanContext, groups: DigitGroups, g: number): number {
  if (g + 3 >= groups.count) return 0;
  const { text } = ctx;
  const octets: number[] = [];
  for (let k = g; k <= g + 3; k++) {
    const len = groupLength(groups, k);
    if (len > 3 || (k < g + 3 && separatorAfter(groups, k) !== '.')) return 0;
    const part = text.slice(groupStart(groups, k), groupEnd(groups, k));
    if (len > 1 && part[0] === '0') return 0;
    const n = Number(part);
    if (n > 255) return 0;
    octets.push(n);
  }
  const start = groupStart(groups, g);
  const end = groupEnd(groups, g + 3);
  if (isClass(text, start - 1, ALNUM | UNDERSCORE | DOT) || isClass(text, end, ALNUM | UNDERSCORE)) return 0;
  if (text.charCodeAt(end) === 46 && isClass(text, end + 1, ALNUM)) return 0;
  if (VERSION_WORDS.near(text, start, 12)) return 0;
  const [a = 0, b = 0, c = 0] = octets;
  if (a === 0 || a === 127 || a === 255 || a >= 224) return 4; // unspecified, loopback, masks, multicast
  const example =
    (a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113);
  const internal =
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127);
  addFinding(ctx, 'ipv4', start, end, internal ? 0.4 : 0.75, 'valid', example);
  return 4;
}

/**
 * IPv6 candidates are found at colons: one between two hex digits (a group boundary) or a `::`. The colon is a
 * cheap anchor (memchr); JSON's `"key":` and prose fail the neighbour check at once. (A regular-expression
 * alternative for hex groups measured slower on JSON-heavy payloads: bench/detect.bench.ts.)
 */
const V6 = HEX | COLON | DOT;

/** Runs its own indexOf loop (no rule dispatch per colon: JSON and YAML have one every few characters). */
export function detectIpv6(ctx: ScanContext): void {
  const { text } = ctx;
  let i = text.indexOf(':');
  while (i !== -1) {
    const next = codeAt(text, i + 1);
    let resume = i + 1;
    if (
      next === 58 ||
      (isHexCode(next) && isHexCode(codeAt(text, i - 1)) && colonWithin(text, i + 2) && sevenColons(text, i))
    ) {
      resume = ipv6Around(ctx, i);
    }
    i = text.indexOf(':', resume > i ? resume : i + 1);
  }
}

/** A full form has seven colons within 39 characters; times (10:12:12) and MACs give up here, cheaply. */
function sevenColons(text: string, i: number): boolean {
  let colons = 0;
  const limit = Math.min(text.length, i + 36);
  for (let k = i; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === 58) {
      if (++colons === 7 || codeAt(text, k + 1) === 58) return true;
    } else if (!isHexCode(c)) {
      return false;
    }
  }
  return false;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/** Another colon within the next four characters: a second group boundary (`:abcd:`). */
function colonWithin(text: string, from: number): boolean {
  return (
    codeAt(text, from) === 58 ||
    codeAt(text, from + 1) === 58 ||
    codeAt(text, from + 2) === 58 ||
    codeAt(text, from + 3) === 58
  );
}

/** Expands the hex/colon run around `at`, parses it, records it; returns the run's end. */
export function ipv6Around(ctx: ScanContext, at: number): number {
  const { text } = ctx;
  let start = runStart(text, at, V6, 45);
  let end = runEnd(text, at, V6, 45);
  const runEndAt = end;
  while (end > start && text.charCodeAt(end - 1) === 46) end--;
  if (text.charCodeAt(end - 1) === 58 && text.charCodeAt(end - 2) !== 58) end--;
  if (text.charCodeAt(start) === 58 && text.charCodeAt(start + 1) !== 58) start++;
  if (isClass(text, start - 1, ALNUM | UNDERSCORE) || isClass(text, runEndAt, ALNUM | UNDERSCORE)) return runEndAt;
  const value = text.slice(start, end);
  const parsed = parseIpv6(value);
  if (!parsed || parsed.present < 2 || !/\d/.test(value) || value.replace(/[:.]/g, '').length < 4) return runEndAt;
  const first = parsed.first;
  let confidence = 0.75;
  if ((first & 0xffc0) === 0xfe80 || (first & 0xfe00) === 0xfc00) confidence = 0.4;
  else if (value.toLowerCase().startsWith('::ffff:')) confidence = 0.6;
  const example = first === 0x2001 && parsed.second === 0x0db8;
  addFinding(ctx, 'ipv6', start, end, confidence, 'valid', example);
  return runEndAt;
}

interface Ipv6 {
  /** Groups written (an embedded IPv4 counts two). */
  present: number;
  first: number;
  second: number;
}

/** RFC 4291 §2.2: eight groups, or fewer with one `::`; an IPv4 dotted quad may stand for the last two. */
export function parseIpv6(value: string): Ipv6 | undefined {
  if (value.includes(':::')) return undefined;
  const halves = value.split('::');
  if (halves.length > 2) return undefined;
  let present = 0;
  for (let h = 0; h < halves.length; h++) {
    const half = halves[h] as string;
    if (half === '') continue;
    const parts = half.split(':');
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p] as string;
      if (part.includes('.')) {
        if (h !== halves.length - 1 || p !== parts.length - 1 || !dottedQuad(part)) return undefined;
        present += 2;
        continue;
      }
      if (!/^[0-9A-Fa-f]{1,4}$/.test(part)) return undefined;
      present++;
    }
  }
  if (halves.length === 1 ? present !== 8 : present > 7) return undefined;
  const head = (halves[0] as string).split(':');
  const hex = (part: string | undefined): number => (part && !part.includes('.') ? parseInt(part, 16) : 0);
  return { present, first: hex(head[0]), second: hex(head[1]) };
}

/** `a.b.c.d` with each part 0–255 and no leading zeros. */
function dottedQuad(value: string): boolean {
  const parts = value.split('.');
  return (
    parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && (p === '0' || p[0] !== '0') && Number(p) <= 255)
  );
}
