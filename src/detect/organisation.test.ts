import fc from 'fast-check';
import { isSafePattern } from 'redos-detector';
import { describe, expect, it } from 'vitest';
import { checkLinear } from './linear-regex.js';
import { compileOrganisationPatterns, type CompiledOrganisationPatterns } from './organisation.js';
import { scan } from './scan.js';

function compiled(p: Parameters<typeof compileOrganisationPatterns>[0]): CompiledOrganisationPatterns {
  const c = compileOrganisationPatterns(p);
  if ('error' in c) throw new Error(c.error);
  return c;
}

function found(text: string, organisation: CompiledOrganisationPatterns): [string, string, string | undefined][] {
  return scan(text, { organisation, types: ['org_term', 'classification_label'] }).map((f) => [
    f.type,
    text.slice(f.start, f.end),
    f.rule,
  ]);
}

describe('organisation dictionaries, patterns and labels', () => {
  const org = compiled({
    dictionaries: { projects: ['Project Falcon', 'Bluebird'], customers: ['Acme Holdings', 'Ünicorn AG'] },
    patterns: { tickets: String.raw`\bSEC-\d{4,6}\b`, codes: '(?i)zx-[a-z]{3}' },
    classificationLabels: ['CONFIDENTIAL', 'Internal Only'],
  });

  it('matches dictionary terms case-insensitively on whole words, naming the dictionary', () => {
    expect(found('Plan for project falcon and BLUEBIRD; not bluebirds or subBluebird.', org)).toEqual([
      ['org_term', 'project falcon', 'projects'],
      ['org_term', 'BLUEBIRD', 'projects'],
    ]);
    expect(found('Renewal for Ünicorn AG.', org)).toEqual([['org_term', 'Ünicorn AG', 'customers']]);
  });

  it('runs the organisation patterns, honouring a leading (?i)', () => {
    expect(found('see SEC-12345 and ZX-abc', org)).toEqual([
      ['org_term', 'SEC-12345', 'tickets'],
      ['org_term', 'ZX-abc', 'codes'],
    ]);
  });

  it('matches classification labels in any case and joiner, scoring markings above prose', () => {
    expect(found('INTERNAL-ONLY footer; confidential note; CONFIDENTIAL', org)).toEqual([
      ['classification_label', 'INTERNAL-ONLY', 'Internal Only'],
      ['classification_label', 'confidential', 'CONFIDENTIAL'],
      ['classification_label', 'CONFIDENTIAL', 'CONFIDENTIAL'],
    ]);
    const [, prose, marking] = scan('INTERNAL-ONLY confidential CONFIDENTIAL', {
      organisation: org,
      types: ['classification_label'],
    });
    expect(marking?.confidence).toBeGreaterThan(prose?.confidence ?? 1);
  });

  it('keeps terms and labels that share prefixes or contain punctuation apart', () => {
    const shared = compiled({
      dictionaries: { products: ['Proj.X', 'Proj+Y', 'Proj'] },
      classificationLabels: ['Internal', 'Internal Use', 'Internal Only', 'Top.Secret'],
    });
    expect(found('Proj.X, Proj+Y, Proj; not ProjZ', shared)).toEqual([
      ['org_term', 'Proj.X', 'products'],
      ['org_term', 'Proj+Y', 'products'],
      ['org_term', 'Proj', 'products'],
    ]);
    expect(found('INTERNAL_USE internal-only Internal Top.Secret TopXSecret', shared).map(([, text]) => text)).toEqual([
      'INTERNAL_USE',
      'internal-only',
      'Internal',
      'Top.Secret',
    ]);
  });

  it('rejects invalid and super-linear patterns with a message naming the pattern', () => {
    const bad = (source: string): string => {
      const c = compileOrganisationPatterns({ patterns: { risky: source } });
      return 'error' in c ? c.error : '';
    };
    expect(bad('(a+)+b')).toMatch(/^pattern "risky" repeats a group that itself contains a repeat/);
    expect(bad(String.raw`\d+\d`)).toMatch(/^pattern "risky" has two parts that can match the same characters/);
    expect(bad('.*secret')).toMatch(/same characters/);
    expect(bad(String.raw`(\w)\1`)).toMatch(/backreference/);
    expect(bad('(?=x)y')).toMatch(/lookaround/);
    expect(bad('a(')).toMatch(/not a valid regular expression/);
    expect(bad('a*')).toMatch(/empty string/);
    expect(bad(String.raw`\w+@`)).toMatch(/open-ended repeat before its end/);
    expect(compileOrganisationPatterns({ dictionaries: { d: ['ok', ''] } })).toEqual({
      error: 'dictionary "d": term 2 is empty',
    });
  });
});

describe('the linear-time check', () => {
  it('accepts the usual organisation patterns', () => {
    for (const p of [
      String.raw`\bPROJ-\d{3,6}\b`,
      String.raw`[A-Z]{2,4}-\d+`,
      String.raw`CUST-\d{1,10}-[A-Z]+`,
      String.raw`ACME-[A-Z0-9]{8}`,
      String.raw`(?:alpha|beta)-\w+`,
      String.raw`@acme\.io\b`,
      String.raw`\bINC\d{6}\b`,
    ]) {
      expect(checkLinear(p).ok, p).toBe(true);
    }
  });

  it('never accepts a pattern redos-detector calls unsafe (property test over a small grammar)', () => {
    const atom = fc.constantFrom('a', 'b', String.raw`\d`, String.raw`\w`, '[ab]', '.', '-');
    const quant = fc.constantFrom('', '?', '*', '+', '{2}', '{1,3}');
    const piece = fc.tuple(atom, quant).map(([a, q]) => a + q);
    const seq = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
    const group = fc.tuple(seq, fc.option(seq), quant).map(([a, b, q]) => `(?:${a}${b === null ? '' : `|${b}`})${q}`);
    const pattern = fc.array(fc.oneof(piece, group), { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
    fc.assert(
      fc.property(pattern, (source) => {
        if (!checkLinear(source).ok) return true;
        return isSafePattern(source, { timeout: 2000 }).safe;
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
