import type { DetectorType, Finding } from '../contracts/detection.js';
import { detectorTypes } from '../contracts/detection.js';

/**
 * Findings for the typed placeholders redact.ts leaves in stored text (`[REDACTED:aws_access_key_id:3f9a]`).
 * Content is stored redacted by default, so a backtest replaying stored prompts would otherwise never see the
 * secrets the placeholders stand for; each placeholder is read back as a finding of its type (confidence 1, the
 * detector already decided). Not part of `scan`: at an enforcement point a placeholder typed by a person is text.
 */
const OPEN = '[REDACTED:';
const MAX_TYPE = 40;
const MAX_SUFFIX = 16;

/** Read with a cursor rather than a regular expression: one pass, no backtracking (every detector runs in linear time). */
export function placeholderFindings(text: string): Finding[] {
  const out: Finding[] = [];
  let at = text.indexOf(OPEN);
  while (at !== -1) {
    const typeStart = at + OPEN.length;
    let i = typeStart;
    while (i < text.length && i - typeStart <= MAX_TYPE && isTypeChar(text.charCodeAt(i))) i++;
    const type = text.slice(typeStart, i) as DetectorType;
    let end = -1;
    if (i > typeStart && text[i] === ':' && Object.hasOwn(detectorTypes, type)) {
      let j = i + 1;
      while (j < text.length && j - i - 1 <= MAX_SUFFIX && isHex(text.charCodeAt(j))) j++;
      if (j > i + 1 && text[j] === ']') end = j + 1;
    }
    if (end !== -1) {
      out.push({ type, class: detectorTypes[type], start: at, end, confidence: 1, validator: 'none' });
    }
    at = text.indexOf(OPEN, end === -1 ? typeStart : end);
  }
  return out;
}

function isTypeChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95; // a-z 0-9 _
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}
