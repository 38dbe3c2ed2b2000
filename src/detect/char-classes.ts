/**
 * ASCII character classes as bit flags in one 128-entry table, so detectors test a character with one load and
 * one AND instead of a regular expression (they run at every anchor hit; see scan.ts for why anchors).
 * Non-ASCII characters belong to no class: every token format we detect is ASCII.
 */

export const DIGIT = 1;
export const LOWER = 2;
export const UPPER = 4;
export const UNDERSCORE = 8;
export const DASH = 16;
export const PLUS = 32;
export const SLASH = 64;
export const EQUALS = 128;
export const DOT = 256;
export const TILDE = 512;
export const HEX_LETTER = 1024;
export const PERCENT = 2048;
export const COLON = 4096;

export const ALPHA = LOWER | UPPER;
export const ALNUM = DIGIT | LOWER | UPPER;
/** Characters of an identifier-like token: letters, digits, `_` and `-` (base64url, RFC 4648 §5). */
export const WORD = ALNUM | UNDERSCORE | DASH;
/** Standard base64 without padding (RFC 4648 §4). */
export const BASE64 = ALNUM | PLUS | SLASH;
export const HEX = DIGIT | HEX_LETTER;

const table = new Uint16Array(128);
for (let c = 48; c <= 57; c++) table[c] = DIGIT;
for (let c = 97; c <= 122; c++) table[c] = LOWER | (c <= 102 ? HEX_LETTER : 0);
for (let c = 65; c <= 90; c++) table[c] = UPPER | (c <= 70 ? HEX_LETTER : 0);
table[95] = UNDERSCORE;
table[45] = DASH;
table[43] = PLUS;
table[47] = SLASH;
table[61] = EQUALS;
table[46] = DOT;
table[126] = TILDE;
table[37] = PERCENT;
table[58] = COLON;

/**
 * The character code at `i`, -1 outside the text. Rules look at the characters around a hit, at the text's edges
 * too; where such a read can leave the text it goes through here rather than relying on charCodeAt's NaN: one read
 * out of bounds makes V8 deoptimise the function and afterwards call charCodeAt as a builtin at that place, on
 * every call (callgrind and --trace-deopt on bench/detect.bench.ts's documents). -1 fails every comparison with a
 * character as NaN did; a caller that tests `c < x` must not take it for a character.
 */
export function codeAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : -1;
}

/** The class bits of the character at `i` (0 outside the text or for non-ASCII); bounds checked as in codeAt. */
export function classAt(text: string, i: number): number {
  const c = i >= 0 && i < text.length ? text.charCodeAt(i) : 128;
  return c < 128 ? (table[c] as number) : 0;
}

export function isClass(text: string, i: number, mask: number): boolean {
  return (classAt(text, i) & mask) !== 0;
}

/** End (exclusive) of the run of `mask` characters starting at `start`, stopping after at most `max` of them. */
export function runEnd(text: string, start: number, mask: number, max: number): number {
  const limit = Math.min(text.length, start + max);
  let i = start;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ((table[c] as number) & mask) === 0) break;
    i++;
  }
  return i;
}

/** Start of the run of `mask` characters ending just before `end`, going back at most `max` characters. */
export function runStart(text: string, end: number, mask: number, max: number): number {
  const limit = Math.max(0, end - max);
  let i = end;
  while (i > limit) {
    const c = text.charCodeAt(i - 1);
    if (c >= 128 || ((table[c] as number) & mask) === 0) break;
    i--;
  }
  return i;
}

/** True when every character in [start, end) has a bit of `mask`. */
export function allOf(text: string, start: number, end: number, mask: number): boolean {
  return runEnd(text, start, mask, end - start) === end;
}

/**
 * Where `needle` first starts in [from, to), or -1: `indexOf` that stops where the caller stops caring, so a rule
 * that finds no terminator does not read to the end of the text at every hit (quadratic on repetitive input).
 */
export function indexWithin(text: string, needle: string, from: number, to: number): number {
  const end = Math.min(text.length, to + needle.length - 1);
  if (end - from < needle.length) return -1;
  const k = text.slice(from, end).indexOf(needle);
  return k < 0 ? -1 : from + k;
}

/** Case-insensitive comparison of ASCII `word` (given in lower case) with the text at `at`. */
export function matchesLower(text: string, at: number, word: string): boolean {
  if (at < 0 || at + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) {
    let c = text.charCodeAt(at + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** Letters, digits and `_` in any script: what a word boundary means for dictionaries and context words. */
export function isWordCharCode(c: number): boolean {
  if (c < 128) return ((table[c] as number) & (ALNUM | UNDERSCORE)) !== 0;
  return /[\p{L}\p{N}]/u.test(String.fromCharCode(c));
}
