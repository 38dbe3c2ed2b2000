/**
 * The labelled detector corpus: seeded and deterministic. Documents of requested sizes mix filler in one format
 * with items drawn round-robin from every detector type's true positives, the hard negatives and the published
 * examples, so every type appears about equally often. Labels are exact spans. Never real secrets: every value
 * is generated (fake-values.ts) or a published example.
 */
import type { DetectorType, OrganisationPatterns } from '../../../src/contracts/detection.js';
import { fillerFormats, fillerLine } from './filler.js';
import { examples, negatives } from './negatives.js';
import { positives } from './positives.js';
import { Rng } from './random.js';
import type { Label, Segment } from './segment.js';

export type { Label } from './segment.js';

export interface CorpusDocument {
  id: string;
  text: string;
  labels: Label[];
}

export interface Corpus {
  documents: CorpusDocument[];
  /** The organisation patterns the corpus's org_term and classification_label items were written for. */
  organisation: OrganisationPatterns;
}

export interface CorpusOptions {
  seed: number;
  /** Documents to make, by approximate size in characters. */
  sizes: readonly { count: number; minChars: number; maxChars: number }[];
  /** Probability of an item after each filler line (default 0.35). */
  density?: number;
}

export const corpusOrganisation: OrganisationPatterns = {
  dictionaries: {
    projects: ['Project Falcon', 'Bluebird', 'Nightjar'],
    customers: ['Acme Holdings', 'Globex', 'Initech'],
  },
  patterns: { tickets: String.raw`\bSEC-\d{4,6}\b` },
  classificationLabels: ['CONFIDENTIAL', 'Internal Only', 'Strictly Confidential'],
};

type Maker = (rng: Rng) => Segment;

/** Round-robin over all item makers, reshuffled each cycle, so types appear in equal numbers. */
class ItemQueue {
  private readonly makers: Maker[];
  private queue: Maker[] = [];
  constructor(private readonly rng: Rng) {
    this.makers = [
      ...Object.values(positives as Record<DetectorType, Maker>),
      ...Object.values(positives as Record<DetectorType, Maker>),
      ...Object.values(negatives),
      ...Object.values(examples),
    ];
  }
  next(): Segment {
    if (this.queue.length === 0) this.queue = this.rng.shuffle([...this.makers]);
    return (this.queue.pop() as Maker)(this.rng);
  }
}

export function generateCorpus(options: CorpusOptions): Corpus {
  const rng = new Rng(options.seed);
  const items = new ItemQueue(rng);
  const density = options.density ?? 0.35;
  const documents: CorpusDocument[] = [];
  for (const size of options.sizes) {
    for (let k = 0; k < size.count; k++) {
      const target = rng.range(size.minChars, size.maxChars);
      const format = rng.pick(fillerFormats);
      let text = '';
      const labels: Label[] = [];
      while (text.length < target) {
        text += fillerLine(rng, format);
        if (text.length < target && rng.chance(density)) {
          const item = items.next();
          for (const l of item.labels) labels.push({ ...l, start: l.start + text.length, end: l.end + text.length });
          text += item.text;
        }
      }
      documents.push({ id: `doc-${documents.length}`, text, labels });
    }
  }
  return { documents, organisation: corpusOrganisation };
}
