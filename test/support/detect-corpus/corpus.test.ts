import { describe, expect, it } from 'vitest';
import { detectorTypes, type DetectorType } from '../../../src/contracts/detection.js';
import { compileOrganisationPatterns } from '../../../src/detect/organisation.js';
import { scan } from '../../../src/detect/scan.js';
import { luhnValid } from '../../../src/detect/validators.js';
import { fillerFormats, fillerLine } from './filler.js';
import { generateCorpus, type Corpus } from './generate.js';
import { Rng } from './random.js';
import { scoreCorpus } from './score.js';

const small = (seed: number): Corpus =>
  generateCorpus({ seed, sizes: [{ count: 260, minChars: 300, maxChars: 3000 }] });

describe('detector corpus generator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateCorpus({ seed: 7, sizes: [{ count: 20, minChars: 200, maxChars: 2000 }] });
    const b = generateCorpus({ seed: 7, sizes: [{ count: 20, minChars: 200, maxChars: 2000 }] });
    const c = generateCorpus({ seed: 8, sizes: [{ count: 20, minChars: 200, maxChars: 2000 }] });
    expect(b).toEqual(a);
    expect(c.documents.map((d) => d.text)).not.toEqual(a.documents.map((d) => d.text));
  });

  it('labels every detector type, with exact, ordered, non-overlapping spans', () => {
    const corpus = small(11);
    const seen = new Set<DetectorType>();
    for (const doc of corpus.documents) {
      let last = 0;
      for (const l of doc.labels) {
        expect(l.type in detectorTypes).toBe(true);
        expect(l.start).toBeGreaterThanOrEqual(last);
        expect(l.end).toBeGreaterThan(l.start);
        expect(l.end).toBeLessThanOrEqual(doc.text.length);
        last = l.end;
        if (!l.example) seen.add(l.type);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(detectorTypes).sort());
  });

  it('generates well-formed fakes: card labels pass Luhn, no published example value is labelled live', () => {
    for (const doc of small(12).documents) {
      for (const l of doc.labels) {
        const value = doc.text.slice(l.start, l.end);
        if (l.type === 'payment_card') expect(luhnValid(value.replace(/[ -]/g, ''))).toBe(true);
        if (!l.example) expect(value).not.toMatch(/EXAMPLE|4242424242424242|4111111111111111/);
      }
    }
  });

  it('writes filler in which no detector finds anything', () => {
    const rng = new Rng(3);
    const organisation = compileOrganisationPatterns(small(1).organisation);
    if ('error' in organisation) throw new Error(organisation.error);
    for (const format of fillerFormats) {
      let text = '';
      for (let k = 0; k < 400; k++) text += fillerLine(rng, format);
      expect(scan(text, { organisation }), format).toEqual([]);
    }
  });
});

describe('detectors on the labelled corpus', () => {
  it.each([21, 22])(
    'reach ≥ 99%% precision and recall on every type, examples reported as examples (seed %i)',
    (seed) => {
      const corpus = small(seed);
      const organisation = compileOrganisationPatterns(corpus.organisation);
      if ('error' in organisation) throw new Error(organisation.error);
      const findings = corpus.documents.map((d) => scan(d.text, { organisation }));
      const score = scoreCorpus(corpus.documents, findings);
      const weak = Object.entries(score.perType).filter(([, s]) => s.precision < 0.99 || s.recall < 0.99);
      expect(weak, JSON.stringify(score.samples.slice(0, 5), null, 1)).toEqual([]);
      expect(Object.keys(score.perType).length).toBe(Object.keys(detectorTypes).length);
      expect(score.examples.recall).toBeGreaterThanOrEqual(0.99);
    },
  );
});
