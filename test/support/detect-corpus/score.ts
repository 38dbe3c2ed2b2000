/**
 * Scores findings against corpus labels, per type. A finding counts only if its type and span are exactly a
 * label's (so recall also proves redaction spans cover exactly the secret) and its `example` flag agrees:
 * a test card reported as a live card is a false positive, a live card reported as an example a miss.
 */
import type { DetectorType, Finding } from '../../../src/contracts/detection.js';
import type { CorpusDocument, Label } from './generate.js';

export interface TypeScore {
  labels: number;
  findings: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export interface CorpusScore {
  perType: Partial<Record<DetectorType, TypeScore>>;
  examples: { labels: number; found: number; recall: number };
  /** A few misses and false positives with their text, for debugging. */
  samples: { kind: 'miss' | 'false_positive'; type: DetectorType; doc: string; text: string; context: string }[];
}

const key = (type: string, start: number, end: number): string => `${type}:${start}:${end}`;

export function scoreCorpus(
  documents: readonly CorpusDocument[],
  findings: readonly (readonly Finding[])[],
  maxSamples = 40,
): CorpusScore {
  const perType: Partial<Record<DetectorType, TypeScore>> = {};
  const entry = (type: DetectorType): TypeScore =>
    (perType[type] ??= {
      labels: 0,
      findings: 0,
      truePositives: 0,
      falsePositives: 0,
      falseNegatives: 0,
      precision: 1,
      recall: 1,
    });
  const samples: CorpusScore['samples'] = [];
  let exampleLabels = 0;
  let examplesFound = 0;

  documents.forEach((doc, d) => {
    const live = new Map<string, Label>();
    const exampleKeys = new Set<string>();
    for (const l of doc.labels) {
      if (l.example) {
        exampleKeys.add(key(l.type, l.start, l.end));
        exampleLabels++;
      } else {
        live.set(key(l.type, l.start, l.end), l);
        entry(l.type).labels++;
      }
    }
    const matched = new Set<string>();
    for (const f of findings[d] ?? []) {
      const k = key(f.type, f.start, f.end);
      if (f.example) {
        if (exampleKeys.has(k)) examplesFound++;
        continue;
      }
      const s = entry(f.type);
      s.findings++;
      if (live.has(k) && !matched.has(k)) {
        s.truePositives++;
        matched.add(k);
      } else {
        s.falsePositives++;
        if (samples.length < maxSamples) samples.push(sample('false_positive', f.type, doc, f.start, f.end));
      }
    }
    for (const [k, l] of live) {
      if (matched.has(k)) continue;
      entry(l.type).falseNegatives++;
      if (samples.length < maxSamples) samples.push(sample('miss', l.type, doc, l.start, l.end));
    }
  });

  for (const s of Object.values(perType)) {
    s.precision = s.findings === 0 ? 1 : s.truePositives / s.findings;
    s.recall = s.labels === 0 ? 1 : s.truePositives / s.labels;
  }
  return {
    perType,
    examples: {
      labels: exampleLabels,
      found: examplesFound,
      recall: exampleLabels === 0 ? 1 : examplesFound / exampleLabels,
    },
    samples,
  };
}

function sample(
  kind: 'miss' | 'false_positive',
  type: DetectorType,
  doc: CorpusDocument,
  start: number,
  end: number,
): CorpusScore['samples'][number] {
  return {
    kind,
    type,
    doc: doc.id,
    text: doc.text.slice(start, end),
    context: doc.text.slice(Math.max(0, start - 40), Math.min(doc.text.length, end + 40)),
  };
}
