import { describe, expect, it } from 'vitest';
import { abaValid, cardBrand, ibanValid, luhnValid, ninoPrefixValid, ssnValid } from './validators.js';

describe('Luhn and card brands', () => {
  it('accepts published test numbers and rejects a changed digit', () => {
    for (const n of [
      '4242424242424242',
      '5555555555554444',
      '378282246310005',
      '6011111111111117',
      '3566002020360505',
    ]) {
      expect(luhnValid(n), n).toBe(true);
    }
    expect(luhnValid('4242424242424243')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('4242-4242')).toBe(false);
  });

  it('knows which lengths each scheme issues', () => {
    expect(cardBrand('4242424242424242')).toBe('visa');
    expect(cardBrand('4242424242424')).toBe('visa');
    expect(cardBrand('42424242424242')).toBeUndefined();
    expect(cardBrand('5555555555554444')).toBe('mastercard');
    expect(cardBrand('2223003122003222')).toBe('mastercard');
    expect(cardBrand('378282246310005')).toBe('amex');
    expect(cardBrand('3782822463100050')).toBeUndefined();
    expect(cardBrand('36227206271667')).toBe('diners');
    expect(cardBrand('1234567812345670')).toBeUndefined();
  });
});

describe('IBAN (ISO 13616, MOD 97-10)', () => {
  it('accepts valid IBANs of several countries', () => {
    for (const iban of [
      'GB82WEST12345698765432',
      'DE89370400440532013000',
      'FR1420041010050500013M02606',
      'NL91ABNA0417164300',
      'NO9386011117947',
    ]) {
      expect(ibanValid(iban), iban).toBe(true);
    }
  });

  it('rejects a wrong check digit, a wrong length and an unknown country', () => {
    expect(ibanValid('GB83WEST12345698765432')).toBe(false);
    expect(ibanValid('GB82WEST1234569876543')).toBe(false);
    expect(ibanValid('QQ82WEST12345698765432')).toBe(false);
  });
});

describe('US SSN allocation rules', () => {
  it('rejects area 000, 666 and 9xx, group 00, serial 0000 and repeated digits', () => {
    expect(ssnValid('536228495')).toBe(true);
    for (const n of ['000123456', '666123456', '900123456', '999123456', '536008495', '536220000', '111111111']) {
      expect(ssnValid(n), n).toBe(false);
    }
    expect(ssnValid('53622849')).toBe(false);
  });
});

describe('ABA routing checksum', () => {
  it('accepts valid routing numbers and rejects bad checksums and prefixes', () => {
    expect(abaValid('021000021')).toBe(true);
    expect(abaValid('111000025')).toBe(true);
    expect(abaValid('123456789')).toBe(false);
    expect(abaValid('000000000')).toBe(false);
    expect(abaValid('501000004')).toBe(false); // checksum fits, but 50 is no Federal Reserve prefix
  });
});

describe('UK NINO prefixes (HMRC NIM39110)', () => {
  it('rejects disallowed letters and prefixes', () => {
    expect(ninoPrefixValid('AB')).toBe(true);
    for (const p of ['DA', 'FA', 'QA', 'AD', 'AO', 'BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'])
      expect(ninoPrefixValid(p), p).toBe(false);
  });
});
