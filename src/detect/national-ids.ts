/**
 * US Social Security numbers (AAA-GG-SSSS, or nine digits next to "SSN") and UK National Insurance numbers
 * (two prefix letters, six digits, suffix A–D; written compact or in pairs: `AB123456C`, `AB 12 34 56 C`).
 */
import { ALNUM, UPPER, isClass } from './char-classes.js';
import { isExampleSsn } from './examples.js';
import {
  digitsOf,
  groupEnd,
  groupLength,
  groupStart,
  standsAlone,
  uniformSeparator,
  type DigitGroups,
} from './numbers.js';
import { addFinding, ContextWords, type ScanContext } from './scan-context.js';
import { ninoPrefixValid, ssnValid } from './validators.js';

export const SSN_WORDS = new ContextWords([
  'ssn',
  'ssns',
  'social security',
  'social-security',
  'ss#',
  'ss no',
  'ss number',
  'taxpayer',
]);
const NINO_WORDS = new ContextWords(['national insurance', 'nino', 'ni number', 'ni no', 'nin']);

export function ssnAt(ctx: ScanContext, groups: DigitGroups, g: number): number {
  const { text } = ctx;
  if (
    g + 2 < groups.count &&
    groupLength(groups, g) === 3 &&
    groupLength(groups, g + 1) === 2 &&
    groupLength(groups, g + 2) === 4
  ) {
    if (!uniformSeparator(groups, g, g + 2, '- ') || !standsAlone(groups, g, g + 2)) return 0;
    const digits = digitsOf(groups, g, g + 2);
    const example = isExampleSsn(digits);
    if (!example && !ssnValid(digits)) return 0;
    const start = groupStart(groups, g);
    const context = SSN_WORDS.near(text, start, 40);
    addFinding(ctx, 'us_ssn', start, groupEnd(groups, g + 2), context ? 0.95 : 0.65, 'valid', example);
    return 3;
  }
  if (groupLength(groups, g) === 9 && standsAlone(groups, g, g)) {
    const start = groupStart(groups, g);
    if (!SSN_WORDS.near(text, start, 40)) return 0;
    const digits = digitsOf(groups, g, g);
    const example = isExampleSsn(digits);
    if (!example && !ssnValid(digits)) return 0;
    addFinding(ctx, 'us_ssn', start, groupEnd(groups, g), 0.85, 'valid', example);
    return 1;
  }
  return 0;
}

/**
 * A NI number whose digits start at `digits`. Returns the end of the recorded number, or -1. HMRC's documents
 * use the unallocatable prefix QQ for examples (QQ 12 34 56 C); those are reported as examples.
 */
export function ninoAround(ctx: ScanContext, digits: number, _candidateEnd: number): number {
  const { text } = ctx;
  let letters: number;
  let end: number;
  if (isClass(text, digits - 1, UPPER)) {
    letters = digits - 2;
    if (!sixDigits(text, digits)) return -1;
    end = digits + 6;
  } else if (text.charCodeAt(digits - 1) === 32) {
    letters = digits - 3;
    if (!pairedDigits(text, digits)) return -1;
    end = digits + 8;
  } else {
    return -1;
  }
  if (!isClass(text, letters, UPPER) || !isClass(text, letters + 1, UPPER) || isClass(text, letters - 1, ALNUM))
    return -1;
  const prefix = text.slice(letters, letters + 2);
  const example = prefix === 'QQ';
  if (!example && !ninoPrefixValid(prefix)) return -1;
  const suffixAt = text.charCodeAt(end) === 32 ? end + 1 : end;
  const suffix = text.charCodeAt(suffixAt);
  const context = NINO_WORDS.near(text, letters, 40);
  if (suffix >= 65 && suffix <= 68) end = suffixAt + 1;
  else if (!context) return -1;
  if (isClass(text, end, ALNUM)) return -1;
  addFinding(ctx, 'uk_nino', letters, end, context ? 0.95 : 0.85, 'valid', example);
  return end;
}

function sixDigits(text: string, at: number): boolean {
  for (let k = 0; k < 6; k++) if (!isDigit(text, at + k)) return false;
  return !isDigit(text, at + 6);
}

function pairedDigits(text: string, at: number): boolean {
  return (
    isDigit(text, at) &&
    isDigit(text, at + 1) &&
    text.charCodeAt(at + 2) === 32 &&
    isDigit(text, at + 3) &&
    isDigit(text, at + 4) &&
    text.charCodeAt(at + 5) === 32 &&
    isDigit(text, at + 6) &&
    isDigit(text, at + 7) &&
    !isDigit(text, at + 8)
  );
}

function isDigit(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
}
