/**
 * IBANs (ISO 13616: country code, two check digits, BBAN; printed in groups of four or compact) checked by
 * country length and MOD 97-10, and US ABA routing numbers (nine digits with the ABA checksum) next to a word
 * such as "routing" — nine bare digits are too common to report without one.
 */
import { ALNUM, DIGIT, UPPER, isClass } from './char-classes.js';
import { isExampleIban } from './examples.js';
import { digitsOf, groupEnd, groupLength, groupStart, standsAlone, type DigitGroups } from './numbers.js';
import { addFinding, ContextWords, type ScanContext } from './scan-context.js';
import { abaValid, ibanLengths, ibanValid } from './validators.js';

const IBAN_WORDS = new ContextWords(['iban', 'account', 'bank', 'transfer', 'wire', 'sepa']);
export const ROUTING_WORDS = new ContextWords([
  'routing',
  'aba',
  'rtn',
  'routing number',
  'transit',
  'aba number',
  'routing_number',
]);

/**
 * Looks for an IBAN that contains the digit run starting at `digits` (the run may be its BBAN's tail: the
 * country code and check digits come first). Returns the end of the recorded IBAN, or -1.
 */
export function ibanAround(ctx: ScanContext, digits: number): number {
  const { text } = ctx;
  // Walk back over the IBAN's alphabet (upper-case letters, digits, single spaces) to candidate starts.
  const floor = Math.max(0, digits - 36);
  for (let p = digits; p >= floor; p--) {
    const c = text.charCodeAt(p - 1);
    const inIban = isClass(text, p - 1, UPPER | DIGIT) || (c === 32 && isClass(text, p - 2, UPPER | DIGIT));
    if (isIbanStart(text, p)) {
      const end = ibanAt(ctx, p);
      if (end > 0) return end;
    }
    if (!inIban) break;
  }
  return -1;
}

function isIbanStart(text: string, p: number): boolean {
  return (
    isClass(text, p, UPPER) &&
    isClass(text, p + 1, UPPER) &&
    isClass(text, p + 2, DIGIT) &&
    isClass(text, p + 3, DIGIT) &&
    !isClass(text, p - 1, ALNUM) &&
    ibanLengths[text.slice(p, p + 2)] !== undefined
  );
}

function ibanAt(ctx: ScanContext, p: number): number {
  const { text } = ctx;
  const length = ibanLengths[text.slice(p, p + 2)] as number;
  let compact = '';
  let k = p;
  while (compact.length < length && k < text.length) {
    const c = text.charCodeAt(k);
    if (isClass(text, k, UPPER | DIGIT)) {
      compact += text[k];
      k++;
    } else if (c === 32 && compact.length % 4 === 0 && isClass(text, k + 1, UPPER | DIGIT)) {
      k++; // printed form: a space after every four characters
    } else {
      break;
    }
  }
  if (compact.length !== length || isClass(text, k, ALNUM)) return -1;
  const example = isExampleIban(compact);
  if (!example && !ibanValid(compact)) return -1;
  const context = IBAN_WORDS.near(text, p, 40);
  addFinding(ctx, 'iban', p, k, context ? 0.97 : 0.9, 'valid', example);
  return k;
}

export function routingNumberAt(ctx: ScanContext, groups: DigitGroups, g: number): number {
  if (groupLength(groups, g) !== 9 || !standsAlone(groups, g, g)) return 0;
  const start = groupStart(groups, g);
  if (!ROUTING_WORDS.near(ctx.text, start, 40)) return 0;
  if (!abaValid(digitsOf(groups, g, g))) return 0;
  addFinding(ctx, 'aba_routing', start, groupEnd(groups, g), 0.9, 'valid');
  return 1;
}
