import { describe, expect, it } from 'vitest';
import type { DetectorType } from '../contracts/detection.js';
import { scan } from './scan.js';

function found(text: string, types?: readonly DetectorType[]): [string, string, boolean][] {
  return scan(text, types ? { types } : {}).map((f) => [f.type, text.slice(f.start, f.end), f.example === true]);
}

const confidence = (text: string): number => scan(text)[0]?.confidence ?? 0;

describe('e-mail addresses', () => {
  it('finds addresses in prose, headers, JSON and mailto links', () => {
    for (const text of [
      'write to ana.silva@acme-corp.io today',
      'From: kenji_tanaka+billing@globex.co.uk',
      '{"email":"dev42@hooli.xyz"}',
      '<a href="mailto:priya@northwind.org">x</a>',
    ]) {
      expect(found(text, ['email']), text).toHaveLength(1);
    }
    expect(found('mailto:priya@northwind.org', ['email'])).toEqual([['email', 'priya@northwind.org', false]]);
  });

  it('skips scp remotes, file names, versions, scopes, hosts without a TLD and service identities', () => {
    expect(
      found(
        'git@github.com:acme/app.git logo@2x.png lodash@4.17.21 @types/node user@localhost svc@p.iam.gserviceaccount.com',
      ),
    ).toEqual([]);
  });

  it('reports reserved example domains as examples', () => {
    expect(found('jane@example.com')).toEqual([['email', 'jane@example.com', true]]);
  });
});

describe('phone numbers', () => {
  it('finds international, North American and national formats', () => {
    for (const [text, phone] of [
      ['call +44 20 5123 4567 now', '+44 20 5123 4567'],
      ['+14155550132 is not fiction but 415-555-0132 is', '+14155550132'],
      ['Mobile: (415) 829-3712.', '(415) 829-3712'],
      ['ring 1-415-829-3712', '1-415-829-3712'],
      ['+1 (415) 829-3712', '+1 (415) 829-3712'],
      ['Escalate to 020 7123 4567.', '020 7123 4567'],
      ['appelez le 01 23 45 67 89', '01 23 45 67 89'],
      ['Berlin office +49 30 12345678', '+49 30 12345678'],
    ]) {
      expect(found(text as string, ['phone'])[0]?.[1], text).toBe(phone);
    }
  });

  it('needs a phone word for bare digits, and ignores order numbers, dates and times', () => {
    expect(found('Order #4158293712 shipped', ['phone'])).toEqual([]);
    expect(found('phone: 4158293712', ['phone'])).toEqual([['phone', '4158293712', false]]);
    expect(found('2024-05-01 10:12:12 and v1.2.3 and 12:34:56', ['phone'])).toEqual([]);
  });

  it('raises confidence with a phone word and marks fiction numbers as examples', () => {
    expect(confidence('tel: (415) 829-3712')).toBeGreaterThan(confidence('see (415) 829-3712'));
    expect(found('(415) 555-0123', ['phone'])).toEqual([['phone', '(415) 555-0123', true]]);
    expect(found('+44 20 7946 0123', ['phone'])).toEqual([['phone', '+44 20 7946 0123', true]]);
  });
});

describe('payment cards', () => {
  it('finds Luhn-valid numbers of a real scheme in printed layouts', () => {
    for (const card of ['4532 1234 5678 9014', '4532-1234-5678-9014', '4532123456789014', '3712 345678 90120']) {
      expect(found(`charge ${card} please`, ['payment_card']), card).toEqual([['payment_card', card, false]]);
    }
    expect(found('Card number: 4532 1234 5678 9014 exp 09/27', ['payment_card'])).toEqual([
      ['payment_card', '4532 1234 5678 9014', false],
    ]);
  });

  it('rejects Luhn failures, unknown prefixes, mixed separators and ids; test numbers are examples', () => {
    expect(found('Reference 4532123456789015 reconciled', ['payment_card'])).toEqual([]);
    expect(found('epoch 1716200000000 and 1234567812345670', ['payment_card'])).toEqual([]);
    expect(found('4532 1234-5678 9014', ['payment_card'])).toEqual([]);
    expect(found('request_id=4532123456789014', ['payment_card'])).toEqual([]);
    expect(found('use 4242 4242 4242 4242 in test mode', ['payment_card'])).toEqual([
      ['payment_card', '4242 4242 4242 4242', true],
    ]);
  });

  it('raises confidence with card words', () => {
    expect(confidence('visa 4532123456789014')).toBeGreaterThan(confidence('ref 4532123456789014'));
  });

  it('finds a card after another number in the same run', () => {
    expect(found('in 2024 4532 1234 5678 9014', ['payment_card'])).toEqual([
      ['payment_card', '4532 1234 5678 9014', false],
    ]);
  });
});

describe('national identifiers and bank accounts', () => {
  it('finds SSNs, rejecting unassigned areas, groups and serials', () => {
    expect(found('SSN 536-22-8495', ['us_ssn'])).toEqual([['us_ssn', '536-22-8495', false]]);
    expect(found('"ssn": "536228495"', ['us_ssn'])).toEqual([['us_ssn', '536228495', false]]);
    expect(found('batch 536228495', ['us_ssn'])).toEqual([]);
    expect(found('ssn 000-12-3456 666-12-3456 912-12-3456 536-00-8495 536-22-0000', ['us_ssn'])).toEqual([]);
    expect(found('the wallet SSN 078-05-1120', ['us_ssn'])).toEqual([['us_ssn', '078-05-1120', true]]);
  });

  it('finds NI numbers compact and spaced, with allocation rules', () => {
    expect(found('NINO AB123456C', ['uk_nino'])).toEqual([['uk_nino', 'AB123456C', false]]);
    expect(found('NI no. AB 12 34 56 C on file', ['uk_nino'])).toEqual([['uk_nino', 'AB 12 34 56 C', false]]);
    expect(found('BG123456A DA123456B GB123456A', ['uk_nino'])).toEqual([]);
    expect(found('HMRC example QQ 12 34 56 C', ['uk_nino'])).toEqual([['uk_nino', 'QQ 12 34 56 C', true]]);
  });

  it('finds IBANs printed and compact, checked by MOD 97', () => {
    expect(found('IBAN: DE44 5001 0517 5407 3249 31', ['iban'])).toEqual([
      ['iban', 'DE44 5001 0517 5407 3249 31', false],
    ]);
    expect(found('pay DE44500105175407324931.', ['iban'])).toEqual([['iban', 'DE44500105175407324931', false]]);
    expect(found('pay DE45500105175407324931.', ['iban'])).toEqual([]);
    expect(found('Sample IBAN GB82 WEST 1234 5698 7654 32', ['iban'])).toEqual([
      ['iban', 'GB82 WEST 1234 5698 7654 32', true],
    ]);
  });

  it('finds ABA routing numbers only next to a routing word', () => {
    expect(found('Routing number: 021000021', ['aba_routing'])).toEqual([['aba_routing', '021000021', false]]);
    expect(found('ref 021000021', ['aba_routing'])).toEqual([]);
    expect(found('routing 123456789', ['aba_routing'])).toEqual([]);
  });
});

describe('IP addresses', () => {
  it('finds public and private IPv4, skips loopback, masks, versions and longer dotted numbers', () => {
    expect(found('client_ip=203.45.112.9 and 192.168.10.20', ['ipv4'])).toEqual([
      ['ipv4', '203.45.112.9', false],
      ['ipv4', '192.168.10.20', false],
    ]);
    expect(found('127.0.0.1 0.0.0.0 255.255.255.0 version 10.45.112.9 1.3.6.1.4.1.311', ['ipv4'])).toEqual([]);
    expect(scan('from 192.168.10.20', { types: ['ipv4'] })[0]?.confidence).toBeLessThan(0.5);
    expect(found('doc 192.0.2.15', ['ipv4'])).toEqual([['ipv4', '192.0.2.15', true]]);
  });

  it('finds IPv6 full and compressed forms, skips loopback, times, MACs and C++ scopes', () => {
    expect(found('from 2a03:2880:f12f:83:face:b00c:0:25de and fe80::1c2b:3cff:fe4d:5e6f', ['ipv6'])).toEqual([
      ['ipv6', '2a03:2880:f12f:83:face:b00c:0:25de', false],
      ['ipv6', 'fe80::1c2b:3cff:fe4d:5e6f', false],
    ]);
    expect(found('::1 12:34:56 00:1a:2b:3c:4d:5e std::vector a::b', ['ipv6'])).toEqual([]);
    expect(found('2001:db8::8a2e:370:7334', ['ipv6'])).toEqual([['ipv6', '2001:db8::8a2e:370:7334', true]]);
  });
});
