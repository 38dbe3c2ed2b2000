/**
 * Phone numbers: international E.164 form (`+44 20 7946 0958`, `+14155550132`, `0044 …`), North American
 * `(415) 555-0132` / `415-555-0132` / `1-415-555-0132`, and national numbers with a trunk 0 (`020 7946 0958`,
 * `01 23 45 67 89`, `030/1234567`) — in groups with consistent separators. Ten or eleven bare digits count only
 * next to a word such as "phone" (order numbers look the same). Country codes per ITU-T E.164 (assigned list).
 */
import { ALNUM, DIGIT, codeAt, isClass } from './char-classes.js';
import { isExamplePhone } from './examples.js';
import {
  digitsOf,
  groupEnd,
  groupLength,
  groupStart,
  leftClean,
  rightClean,
  separatorAfter,
  type DigitGroups,
} from './numbers.js';
import { addFinding, ContextWords, type ScanContext } from './scan-context.js';

export const PHONE_WORDS = new ContextWords([
  'phone', 'phones', 'telephone', 'tel', 'mobile', 'cell', 'cellphone', 'call', 'fax', 'whatsapp', 'sms', 'contact',
  'dial', 'ring', 'landline', 'phone_number', 'phonenumber', 'mob',
]); // prettier-ignore

/** Two-digit country calling codes (ITU-T E.164 assigned list); 1 and 7 are the one-digit codes. */
const TWO_DIGIT_CODES = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51',
  '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90',
  '91', '92', '93', '94', '95', '98',
]); // prettier-ignore

/** The country code at the start of `digits` (international form without +), or undefined. */
export function countryCode(digits: string): string | undefined {
  const d = digits[0];
  if (d === '1' || d === '7') return d;
  if (d === undefined || d === '0') return undefined;
  const two = digits.slice(0, 2);
  if (TWO_DIGIT_CODES.has(two)) return two;
  return '2345689'.includes(d) ? digits.slice(0, 3) : undefined;
}

function nanpValid(national: string): boolean {
  return (
    national.length === 10 && national[0] !== '0' && national[0] !== '1' && national[3] !== '0' && national[3] !== '1'
  );
}

interface Prefix {
  start: number;
  plus: boolean;
  code?: string;
  trunkOne: boolean;
  paren: boolean;
}

/** What precedes the first group: `(`, `+44 `, `+1 (`, `1-`. */
function lookBack(text: string, s: number): Prefix {
  let k = s;
  const paren = codeAt(text, k - 1) === 40;
  if (paren) k--;
  let j = k;
  while (j > k - 2 && (text[j - 1] === ' ' || text[j - 1] === '-' || text[j - 1] === '.')) j--;
  let d = j;
  while (d > j - 3 && isClass(text, d - 1, DIGIT)) d--;
  if (d < j && j < k) {
    if (codeAt(text, d - 1) === 43 && !isClass(text, d - 2, ALNUM)) {
      return { start: d - 1, plus: true, code: text.slice(d, j), trunkOne: false, paren };
    }
    if (j - d === 1 && text[d] === '1' && !isClass(text, d - 1, ALNUM))
      return { start: d, plus: false, trunkOne: true, paren };
  }
  if (!paren && codeAt(text, k - 1) === 43 && !isClass(text, k - 2, ALNUM)) {
    return { start: k - 1, plus: true, trunkOne: false, paren };
  }
  return { start: paren ? s - 1 : s, plus: false, trunkOne: false, paren };
}

/** Records a phone number starting at group g; returns the number of groups it used, or 0. */
export function phoneAt(ctx: ScanContext, groups: DigitGroups, g: number): number {
  const { text } = ctx;
  if (g > 0 && !leftClean(groups, g)) return 0;
  const s = groupStart(groups, g);
  const prefix: Prefix = g === 0 ? lookBack(text, s) : { start: s, plus: false, trunkOne: false, paren: false };
  if (g === 0 && prefix.start === s && !leftClean(groups, 0)) return 0;
  if (prefix.plus) return international(ctx, groups, g, prefix, prefix.code);
  const len = groupLength(groups, g);
  if (len >= 3 && len <= 5 && text.charCodeAt(s) === 48 && text.charCodeAt(s + 1) === 48 && !prefix.paren) {
    return international(ctx, groups, g, prefix, text.slice(s + 2, s + len), 1); // 0044 20 …
  }
  if (len === 1 && text.charCodeAt(s) === 49 && g + 3 < groups.count && !prefix.paren) {
    // 1-415-555-0132: the NANP trunk prefix as a group of its own.
    const sep = separatorAfter(groups, g);
    const paren = sep.endsWith('(');
    if (sep === '-' || sep === '.' || sep === ' ' || paren) {
      const used = northAmerican(ctx, groups, g + 1, { start: prefix.start, plus: false, trunkOne: true, paren });
      if (used > 0) return used + 1;
    }
  }
  return northAmerican(ctx, groups, g, prefix) || national(ctx, groups, g, prefix) || bare(ctx, groups, g, prefix);
}

/** `+CC …` (or `00CC …`): groups while the total stays within E.164's 15 digits. */
function international(
  ctx: ScanContext,
  groups: DigitGroups,
  g: number,
  prefix: Prefix,
  code: string | undefined,
  skip = 0,
): number {
  let h = g + skip - 1;
  let all = code ?? '';
  for (let k = g + skip; k < groups.count; k++) {
    const part = digitsOf(groups, k, k);
    if (all.length + part.length > 15) break;
    all += part;
    h = k;
  }
  if (h < g + skip) return 0;
  const cc = code ?? countryCode(all);
  if (cc === undefined || countryCode(cc + '0000') !== cc) return 0;
  const national = all.slice(cc.length).replace(/^0/, ''); // "+44 (0)20 …" writes the trunk 0
  if (all.length < 8 || national.length < 4 || (cc === '1' && !nanpValid(national))) return 0;
  if (!rightClean(groups, h)) return 0;
  return record(ctx, prefix.start, groupEnd(groups, h), 0.8, 'valid', cc, national) ? h - g + 1 : 0;
}

function northAmerican(ctx: ScanContext, groups: DigitGroups, g: number, prefix: Prefix): number {
  if (g + 2 >= groups.count) return 0;
  if (groupLength(groups, g) !== 3 || groupLength(groups, g + 1) !== 3 || groupLength(groups, g + 2) !== 4) return 0;
  const sep0 = separatorAfter(groups, g);
  const sep1 = separatorAfter(groups, g + 1);
  if (sep1 !== '-' && sep1 !== '.' && sep1 !== ' ') return 0;
  if (
    prefix.paren
      ? !(sep0 === ')' || sep0 === ') ' || sep0 === ')-')
      : !(sep0 === sep1 || (sep0 === ' ' && sep1 === '-'))
  )
    return 0;
  const national = digitsOf(groups, g, g + 2);
  if (!nanpValid(national) || !rightClean(groups, g + 2)) return 0;
  const confidence = prefix.trunkOne ? 0.75 : 0.7;
  return record(ctx, prefix.start, groupEnd(groups, g + 2), confidence, 'valid', '1', national) ? 3 : 0;
}

/** A national number with trunk prefix 0: 10–12 digits in groups, one separator throughout (or `(0xx) …`). */
function national(ctx: ScanContext, groups: DigitGroups, g: number, prefix: Prefix): number {
  const first = groupLength(groups, g);
  const text = groups.text;
  if (text.charCodeAt(groupStart(groups, g)) !== 48 || first < 2 || first > 5 || g + 1 >= groups.count) return 0;
  const sep0 = separatorAfter(groups, g);
  const sep = prefix.paren ? (sep0 === ') ' ? ' ' : '') : sep0;
  if (sep !== ' ' && sep !== '-' && sep !== '.' && sep !== '/') return 0;
  let total = first;
  let h = g;
  for (let k = g + 1; k < groups.count; k++) {
    const len = groupLength(groups, k);
    if (len < 2 || len > 8 || total + len > 12) break;
    if (
      k > g + 1 &&
      separatorAfter(groups, k - 1) !== (sep === '/' ? ' ' : sep) &&
      separatorAfter(groups, k - 1) !== sep
    )
      break;
    total += len;
    h = k;
  }
  if (total < 10 || h === g || !rightClean(groups, h)) return 0;
  const national = digitsOf(groups, g, h).slice(1);
  return record(ctx, prefix.start, groupEnd(groups, h), 0.6, 'none', '44', national) ? h - g + 1 : 0;
}

/** Ten or eleven digits written together, only next to a phone word. */
function bare(ctx: ScanContext, groups: DigitGroups, g: number, prefix: Prefix): number {
  const len = groupLength(groups, g);
  if ((len !== 10 && len !== 11) || prefix.paren || !rightClean(groups, g)) return 0;
  const digits = digitsOf(groups, g, g);
  const nanp = len === 10 ? nanpValid(digits) : digits[0] === '1' && nanpValid(digits.slice(1));
  if (!nanp && digits[0] !== '0') return 0;
  const start = groupStart(groups, g);
  if (!PHONE_WORDS.near(ctx.text, start, 32)) return 0;
  const cc = nanp ? '1' : '44';
  const national = nanp ? digits.slice(len - 10) : digits.slice(1);
  return record(ctx, prefix.start, groupEnd(groups, g), 0.7, nanp ? 'valid' : 'none', cc, national) ? 1 : 0;
}

function record(
  ctx: ScanContext,
  start: number,
  end: number,
  base: number,
  validator: 'valid' | 'none',
  cc: string,
  national: string,
): boolean {
  const context = PHONE_WORDS.near(ctx.text, start, 32);
  addFinding(
    ctx,
    'phone',
    start,
    end,
    context ? Math.min(0.95, base + 0.2) : base,
    validator,
    isExamplePhone(cc, national),
  );
  return true;
}
