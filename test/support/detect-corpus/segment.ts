import type { DetectorType } from '../../../src/contracts/detection.js';

/** An expected finding: the exact span of the secret or datum, never its label. */
export interface Label {
  type: DetectorType;
  start: number;
  end: number;
  /** A published example value: the detector must report it with `example: true`. */
  example?: boolean;
}

/** A piece of a document with its labels (offsets relative to the piece). */
export interface Segment {
  text: string;
  labels: Label[];
}

interface Mark {
  mark: true;
  type: DetectorType;
  value: string;
  example: boolean;
}

export function mark(type: DetectorType, value: string, example = false): Mark {
  return { mark: true, type, value, example };
}

/** Concatenates plain strings and marked values into a segment whose labels cover the marked values. */
export function seg(...parts: (string | Mark)[]): Segment {
  let text = '';
  const labels: Label[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    const label: Label = { type: part.type, start: text.length, end: text.length + part.value.length };
    if (part.example) label.example = true;
    labels.push(label);
    text += part.value;
  }
  return { text, labels };
}
