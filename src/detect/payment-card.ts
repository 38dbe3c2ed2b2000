/**
 * Payment card numbers (PANs): 13–19 digits, unseparated or in the printed layouts (4-4-4-4, Amex 4-6-5,
 * Diners 4-6-4, 4-4-4-4-3 …) with one consistent space or dash, a Luhn check digit and an issuer prefix whose
 * scheme issues that length (validators.ts). Published test numbers are examples.
 */
import { TEST_CARDS } from './examples.js';
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
import { cardBrand, luhnValid } from './validators.js';

const LAYOUTS: readonly (readonly number[])[] = [
  [4, 4, 4, 4, 3],
  [4, 4, 4, 4, 2],
  [4, 4, 4, 4, 1],
  [4, 4, 4, 4],
  [4, 6, 5],
  [4, 6, 4],
  [4, 4, 4, 3],
  [4, 4, 4, 2],
  [4, 4, 4, 1],
];

export const CARD_WORDS = new ContextWords([
  'card', 'cards', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'american express', 'discover', 'jcb', 'diners',
  'unionpay', 'maestro', 'cc', 'ccn', 'pan', 'payment', 'cardnumber', 'card_number',
]); // prettier-ignore

/** Records a card at group g; returns the number of groups it used, or 0. */
export function cardAt(ctx: ScanContext, groups: DigitGroups, g: number): number {
  const first = groupLength(groups, g);
  if (first >= 13 && first <= 19) return record(ctx, groups, g, g) ? 1 : 0;
  if (first !== 4) return 0;
  for (const layout of LAYOUTS) {
    const h = g + layout.length - 1;
    if (h >= groups.count) continue;
    let fits = true;
    for (let k = 1; k < layout.length && fits; k++) fits = groupLength(groups, g + k) === layout[k];
    if (fits && uniformSeparator(groups, g, h, ' -') && record(ctx, groups, g, h)) return layout.length;
  }
  return 0;
}

function record(ctx: ScanContext, groups: DigitGroups, g: number, h: number): boolean {
  if (!standsAlone(groups, g, h)) return false;
  const digits = digitsOf(groups, g, h);
  if (!luhnValid(digits) || cardBrand(digits) === undefined) return false;
  const start = groupStart(groups, g);
  const end = groupEnd(groups, h);
  const context = CARD_WORDS.near(ctx.text, start, 48, end, 24);
  if (h === g && !context && namedIdentifier(ctx.text, start)) return false;
  const confidence = context ? 0.95 : h > g ? 0.85 : 0.7;
  addFinding(ctx, 'payment_card', start, end, confidence, 'valid', TEST_CARDS.has(digits));
  return true;
}

/** Names of identifiers whose digits are not card numbers: `request_id=…`, `"trace_id": "…"`, `seq: …`. */
const ID_NAMES = new Set([
  'id',
  'ids',
  'uuid',
  'guid',
  'trace',
  'span',
  'request',
  'ref',
  'seq',
  'nonce',
  'hash',
  'checksum',
  'ts',
  'timestamp',
  'epoch',
  'offset',
]);

/** The number is the value of an identifier whose last word is one of ID_NAMES. */
function namedIdentifier(text: string, start: number): boolean {
  let k = start - 1;
  const skip = (chars: string): void => {
    while (k >= 0 && k > start - 6 && chars.includes(text[k] as string)) k--;
  };
  skip(' "\'');
  if (text[k] !== '=' && text[k] !== ':') return false;
  k--;
  skip(' "\'');
  const end = k + 1;
  while (k >= 0 && end - k <= 24 && /[A-Za-z0-9]/.test(text[k] as string)) k--;
  return ID_NAMES.has(text.slice(k + 1, end).toLowerCase());
}
