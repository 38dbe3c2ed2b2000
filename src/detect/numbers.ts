/**
 * Numbers that identify a person or an account: payment cards, phone numbers, US SSNs, ABA routing numbers,
 * IBANs, UK NI numbers and IPv4 addresses. One regular-expression pass finds where such a number can start (six
 * digits with single separators); the run around it — digits joined by at
 * most two separator characters (space . - ( ) /) — is then measured in code, split into digit groups, and
 * formats are tried group by group (so "2024 4111 1111 1111 1111" still yields the card). Dates, versions,
 * timestamps, hashes and identifiers fail the formats, the validators or the boundary checks.
 */
import { ALNUM, UNDERSCORE, codeAt, isClass } from './char-classes.js';
import { ibanAround, routingNumberAt } from './bank-accounts.js';
import { ipv4At } from './ip-addresses.js';
import { ninoAround, ssnAt } from './national-ids.js';
import { cardAt } from './payment-card.js';
import { phoneAt } from './phone.js';
import { gitlabRunnerToken } from './secret-tokens.js';
import { isConsumed, type ScanContext } from './scan-context.js';

/** A candidate run split into digit groups; separators are the text between consecutive groups. */
export interface DigitGroups {
  readonly text: string;
  count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

const MAX_GROUPS = 48;
const MAX_RUN = 200;
/** Longer than any value the formats accept with its separators (a 34-character IBAN in groups of four: 42). */
const OVERLAP = 48;
/**
 * Where a number can start: at the start of a digit run not glued to a lower-case letter or `_` (hex ids and
 * hashes, which cannot hold a standalone number, skip the pass; IBANs and NI numbers follow upper-case letters),
 * six digits with single separators between them, or a
 * dotted quad whose first part is one digit (1.69.4.88). ISO and common numeric dates (2024-05-01, 2024/05/01,
 * 01/02/2024, 01.02.2024) are skipped inside the expression: logs and JSON are full of them. An IPv4 address whose
 * first part has two or three digits is found when six digits follow one another with dots between (8.8.8.8 or
 * 10.0.0.1 are not, and are well-known or internal) — a trigger on every decimal point cost more than the rest of
 * this pass on version-heavy JSON (bench/detect.bench.ts). Simple enough for redos-detector to prove it linear
 * (redos.test.ts); the run's extent is measured in code. Written for Irregexp's Boyer–Moore lookahead, which only
 * sees fixed positions: the expression starts with a digit (the "not glued" lookbehind comes after it, where it
 * runs only at digits) and the digits are spelled out rather than counted (`{4}` hides them from the lookahead);
 * the same matches at 1.5–2× the speed on the bench's documents.
 */
const TRIGGER =
  /\d(?<![\da-z_]\d)(?:(?!\d{3}-[01]\d-[0-3]\d(?!\d)|\d{3}\/[01]\d\/[0-3]\d(?!\d)|\d\/[0-3]\d\/\d{4}(?!\d)|\d\.[0-3]\d\.\d{4}(?!\d))\d[ .()/-]?\d[ .()/-]?\d[ .()/-]?\d[ .()/-]?\d|(?<!\.\d)\.\d{1,3}\.\d{1,3}\.\d)/g;

export const numberTypes = ['payment_card', 'phone', 'us_ssn', 'aba_routing', 'iban', 'uk_nino', 'ipv4'] as const;

/** Reused between scans (scanning is synchronous): no allocation per call. */
const starts = new Int32Array(MAX_GROUPS);
const ends = new Int32Array(MAX_GROUPS);

export function detectNumbers(ctx: ScanContext): void {
  const { text } = ctx;
  const groups: DigitGroups = { text, count: 0, starts, ends };
  const re = TRIGGER; // scanning is synchronous, so one shared expression is safe
  re.lastIndex = 0;
  let examined = 0; // end of the last run examined
  // test() rather than exec(): no match array per hit; everything is derived from where the match ended.
  while (re.test(text)) {
    const last = re.lastIndex;
    if (isConsumed(ctx, last - 1)) continue;
    // A run longer than MAX_RUN is examined in pieces; the next piece starts at most OVERLAP characters into the
    // last (a value cut at the seam is still seen whole) rather than MAX_RUN back, which would re-read each
    // stretch many times in a long run of numbers.
    const floor = Math.max(0, last - 1 - MAX_RUN, examined - OVERLAP);
    const resume = examine(ctx, groups, runLeft(text, last - 1, floor));
    examined = Math.max(examined, resume);
    if (resume > re.lastIndex) re.lastIndex = resume;
  }
}

function isSeparator(c: number): boolean {
  return c === 32 || c === 46 || c === 40 || c === 41 || c === 47 || c === 45;
}

/**
 * Start of the run containing the digit at `at`, extended left over whole digit groups joined by one or two
 * separators, none starting before `floor`.
 */
function runLeft(text: string, at: number, floor: number): number {
  let start = at;
  while (start > 0 && isDigitCode(text.charCodeAt(start - 1))) start--;
  for (;;) {
    let k = start - 1;
    let seps = 0;
    while (k >= floor && seps < 2 && isSeparator(text.charCodeAt(k))) {
      k--;
      seps++;
    }
    if (seps === 0 || k < floor || !isDigitCode(text.charCodeAt(k))) return start;
    while (k >= floor && isDigitCode(text.charCodeAt(k))) k--;
    if (k >= 0 && k < floor && isDigitCode(text.charCodeAt(k))) return start; // that group starts before the floor
    start = k + 1;
  }
}

/**
 * Splits the run starting at `start` into digit groups (joined by at most two separator characters), tries the
 * formats group by group, and returns where scanning may resume.
 */
function examine(ctx: ScanContext, groups: DigitGroups, start: number): number {
  const { text } = ctx;
  const end = splitRun(groups, start);
  // As codeAt (char-classes.ts), written out: a call here changed what V8 inlined into examine (+12% instructions).
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  if (before === 82 && text.startsWith('GR1348941', start - 2)) return gitlabRunnerToken(ctx, start - 2);
  // Glued to a lower-case letter or `_` (hex ids, hashes, identifiers): nothing here stands alone.
  if ((before >= 97 && before <= 122) || before === 95) return end;
  let digits = 0;
  let dots = 0;
  for (let g = 0; g < groups.count; g++) digits += groupLength(groups, g);
  for (let g = 0; g + 1 < groups.count; g++) if (text.charCodeAt(groups.ends[g] as number) === 46) dots++;
  if (digits < 6 && !(dots === 3 && groups.count === 4)) return end;
  if (groups.count === 1 && !SINGLE_GROUP_LENGTHS.has(digits) && !isClass(text, start - 1, ALNUM)) return end;
  if (isClass(text, start - 1, ALNUM) || before === 32) {
    const iban = ibanAround(ctx, start);
    if (iban > 0) return iban;
    const nino = ninoAround(ctx, start, end);
    if (nino > 0) return nino;
  }
  let g = 0;
  while (g < groups.count) {
    const used =
      ipv4At(ctx, groups, g) ||
      cardAt(ctx, groups, g) ||
      routingNumberAt(ctx, groups, g) ||
      ssnAt(ctx, groups, g) ||
      phoneAt(ctx, groups, g);
    g += used > 0 ? used : 1;
  }
  return end;
}

/** Lengths a number written without separators can have and be reported: ABA/SSN 9, phone 10–11, card 13–19. */
const SINGLE_GROUP_LENGTHS = new Set([9, 10, 11, 13, 14, 15, 16, 17, 18, 19]);

/** Fills `groups` with the digit groups of the run starting at `start`; returns the run's end. */
function splitRun(groups: DigitGroups, start: number): number {
  const { text, starts, ends } = groups;
  const limit = Math.min(text.length, start + MAX_RUN);
  let n = 0;
  let k = start;
  let end = start;
  while (k < limit && n < MAX_GROUPS) {
    starts[n] = k;
    while (k < limit && isDigitCode(text.charCodeAt(k))) k++;
    ends[n++] = k;
    end = k;
    let seps = 0;
    while (k < limit && seps < 2 && isSeparator(text.charCodeAt(k))) {
      k++;
      seps++;
    }
    if (seps === 0 || !isDigitCode(codeAt(text, k))) break;
  }
  groups.count = n;
  return end;
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function groupLength(groups: DigitGroups, g: number): number {
  return (groups.ends[g] as number) - (groups.starts[g] as number);
}

export function groupStart(groups: DigitGroups, g: number): number {
  return groups.starts[g] as number;
}

export function groupEnd(groups: DigitGroups, g: number): number {
  return groups.ends[g] as number;
}

/** Digits of groups g..h (inclusive) without separators. */
export function digitsOf(groups: DigitGroups, g: number, h: number): string {
  let out = '';
  for (let k = g; k <= h; k++) out += groups.text.slice(groups.starts[k], groups.ends[k]);
  return out;
}

/** The separator between group g and g + 1. */
export function separatorAfter(groups: DigitGroups, g: number): string {
  return groups.text.slice(groups.ends[g], groups.starts[g + 1]);
}

/** True when groups g..h are joined by one and the same single-character separator from `allowed`. */
export function uniformSeparator(groups: DigitGroups, g: number, h: number, allowed: string): boolean {
  if (h === g) return true;
  const { text } = groups;
  const at = groups.ends[g] as number;
  if ((groups.starts[g + 1] as number) - at !== 1 || !allowed.includes(text[at] as string)) return false;
  const sep = text.charCodeAt(at);
  for (let k = g + 1; k < h; k++) {
    const e = groups.ends[k] as number;
    if ((groups.starts[k + 1] as number) - e !== 1 || text.charCodeAt(e) !== sep) return false;
  }
  return true;
}

/** Between group g-1 and g (or h and h+1): one or two spaces, the only separation that splits a run into two values. */
function spacesOnly(groups: DigitGroups, g: number): boolean {
  const { text } = groups;
  const from = groups.ends[g] as number;
  const to = groups.starts[g + 1] as number;
  for (let k = from; k < to; k++) if (text.charCodeAt(k) !== 32) return false;
  return to > from;
}

/**
 * Whether a value made of groups g..h stands on its own: not glued to letters, digits or `_` (hashes,
 * identifiers), not the tail of `ORD-123…` or a decimal `3.14…`, not followed by more of the same number.
 */
export function standsAlone(groups: DigitGroups, g: number, h: number): boolean {
  return leftClean(groups, g) && rightClean(groups, h);
}

export function leftClean(groups: DigitGroups, g: number): boolean {
  const { text } = groups;
  if (g > 0) return spacesOnly(groups, g - 1);
  const s = groups.starts[0] as number;
  const before = codeAt(text, s - 1);
  if (isClass(text, s - 1, ALNUM | UNDERSCORE)) return false;
  if ((before === 46 || before === 45 || before === 47 || before === 95) && isClass(text, s - 2, ALNUM)) {
    return false;
  }
  return true;
}

export function rightClean(groups: DigitGroups, h: number): boolean {
  const { text } = groups;
  if (h < groups.count - 1) return spacesOnly(groups, h);
  const e = groups.ends[h] as number;
  const after = codeAt(text, e);
  if (isClass(text, e, ALNUM | UNDERSCORE)) return false;
  if ((after === 46 || after === 45 || after === 47) && isClass(text, e + 1, ALNUM)) return false;
  return true;
}

export function charBefore(groups: DigitGroups, g: number): number {
  return groups.text.charCodeAt((groups.starts[g] as number) - 1);
}
