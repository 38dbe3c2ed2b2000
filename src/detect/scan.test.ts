import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectorTypes } from '../contracts/detection.js';
import { compileOrganisationPatterns } from './organisation.js';
import { scan } from './scan.js';

/** Strings that look like the inputs detectors parse: digits, separators, prefixes, quotes, unicode. */
const alphabet = fc.constantFrom(
  ...'0123456789 .-()/+:@_=~"\'\n\tAKIAsk-ant-ghp_xoxb-eyJ.ZzQ~ÿé👍\u200B\u202E\u001b[31m'.split(''),
  'sk-ant-api03-',
  'AKIA',
  'password=',
  '-----BEGIN PRIVATE KEY-----\n',
  '://u:p@h',
  '<|im_start|>',
  'ignore previous instructions',
  '\uDB40\uDC41',
  '\uD83C',
);
const noisy = fc.array(alphabet, { maxLength: 200 }).map((parts) => parts.join(''));

describe('scan', () => {
  const organisation = compileOrganisationPatterns({
    dictionaries: { d: ['acme', 'a.b'] },
    patterns: { p: String.raw`\bX-\d{2,4}` },
    classificationLabels: ['SECRET'],
  });
  if ('error' in organisation) throw new Error(organisation.error);

  it('never throws, and returns findings sorted by start, non-overlapping, within the text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(noisy, fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        const findings = scan(text, { organisation });
        let end = 0;
        for (const f of findings) {
          if (f.start < end || f.end <= f.start || f.end > text.length) return false;
          if (detectorTypes[f.type] !== f.class || f.confidence < 0 || f.confidence > 1) return false;
          end = f.end;
        }
        return true;
      }),
      { numRuns: 1000, seed: 3 },
    );
  });

  it('runs only the requested types and drops findings below minConfidence', () => {
    const text = 'ana@acme-corp.io paid with 4532123456789014 from 192.168.10.20';
    expect(scan(text).map((f) => f.type)).toEqual(['email', 'payment_card', 'ipv4']);
    expect(scan(text, { types: ['payment_card'] }).map((f) => f.type)).toEqual(['payment_card']);
    expect(scan(text, { minConfidence: 0.5 }).map((f) => f.type)).toEqual(['email', 'payment_card']);
    expect(scan('')).toEqual([]);
  });

  it('keeps the most specific of overlapping findings', () => {
    const token = 'ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5';
    expect(scan(`GITHUB_TOKEN="${token}"`).map((f) => f.type)).toEqual(['github_token']);
  });

  it('scans adversarial repetitions of every anchor (a quadratic path would hit the test timeout)', () => {
    for (const unit of [
      'a',
      '1 ',
      '1.',
      'A',
      'k',
      '_',
      '-',
      '-----BEGIN ',
      'glpat-',
      'xoxb-',
      '@',
      'key=',
      ':',
      'AKIA',
      '9'.repeat(20) + ' ',
      'ignore the ',
    ]) {
      const text = unit.repeat(Math.ceil(200_000 / unit.length));
      expect(Array.isArray(scan(text, { organisation })), unit).toBe(true);
    }
  });
});
