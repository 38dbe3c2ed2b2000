/**
 * Replaces each finding's span with a typed placeholder, `[REDACTED:aws_secret_access_key:3f9a]`. The suffix
 * is the start of a SHA-256 (an HMAC when a key is given) of the value, so the same value reads the same
 * wherever it recurs — "the key pasted twice" stays visible — and different values read differently. Four hex
 * digits are enough to tell a conversation's values apart and too few to confirm a guess of a low-entropy value
 * such as an SSN (each suffix stands for ~15,000 of the 10⁹ possible numbers); a per-installation key makes the
 * suffix useless to anyone without it.
 */
import { createHash, createHmac } from 'node:crypto';
import type { DetectorType, Finding } from '../contracts/detection.js';

export interface RedactOptions {
  /** HMAC key for the suffixes; without one they are plain SHA-256 prefixes, equal across installations. */
  key?: string;
}

const SUFFIX_HEX_DIGITS = 4;

export function redact(text: string, findings: readonly Finding[], options: RedactOptions = {}): string {
  if (findings.length === 0) return text;
  const spans = mergeSpans(text.length, findings);
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + placeholder(s.type, text.slice(s.start, s.end), options.key);
    at = s.end;
  }
  return out + text.slice(at);
}

export function placeholder(type: DetectorType, value: string, key?: string): string {
  const digest = key === undefined ? createHash('sha256').update(value) : createHmac('sha256', key).update(value);
  return `[REDACTED:${type}:${digest.digest('hex').slice(0, SUFFIX_HEX_DIGITS)}]`;
}

interface Span {
  start: number;
  end: number;
  type: DetectorType;
}

/**
 * Spans clamped to the text and sorted; overlapping spans are merged so no part of any finding survives. A
 * merged span takes the type of its longest finding.
 */
function mergeSpans(length: number, findings: readonly Finding[]): Span[] {
  const spans = findings
    .map((f) => ({ start: Math.max(0, Math.floor(f.start)), end: Math.min(length, Math.ceil(f.end)), type: f.type }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out: (Span & { longest: number })[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      if (s.end - s.start > last.longest) {
        last.type = s.type;
        last.longest = s.end - s.start;
      }
      last.end = Math.max(last.end, s.end);
    } else {
      out.push({ ...s, longest: s.end - s.start });
    }
  }
  return out;
}
