import type { DetectorType } from '../../contracts/detection.js';
import { detectorTypes } from '../../contracts/detection.js';
import { redact } from '../../detect/redact.js';
import { scan } from '../../detect/scan.js';

/**
 * Capture mode `redacted` (the default; issue 4 "content capture switches to redacted"): every content value is
 * scanned by the detectors before it is stored and each secret, personal or financial datum is replaced by its
 * typed placeholder (`[REDACTED:aws_access_key_id:3f9a]`, src/detect/redact.ts), so stored prompts, responses and
 * tool inputs keep their meaning — what was asked, which command ran — without the values themselves.
 *
 * Not redacted: documented vendor example values (AKIAIOSFODNN7EXAMPLE, test cards — examples, not secrets), hidden
 * text and injection markers (they are facts about the content, not data to hide), and organisation dictionaries
 * (they live in the policy, which the decode workers do not hold; the enforcement points apply them).
 */
const STORED_TYPES: readonly DetectorType[] = (Object.keys(detectorTypes) as DetectorType[]).filter((t) => {
  const c = detectorTypes[t];
  return c === 'secret' || c === 'personal' || c === 'financial';
});

/** Counts per detector type of what was redacted from one event, kept in `attrs.content_redactions`. */
export type RedactionCounts = Partial<Record<DetectorType, number>>;

/**
 * The scan resolves overlapping findings to one (an AWS key id glued to an email by a hyphen reads as one long
 * email local part or as the key), so what the winner's removal uncovers is scanned again: redaction repeats until
 * a pass finds nothing. Text without findings costs one scan; each further pass only happens after a redaction.
 */
const MAX_PASSES = 4;

export function redactText(text: string, counts: RedactionCounts): string {
  let out = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const findings = scan(out, { types: STORED_TYPES }).filter((f) => f.example !== true);
    if (findings.length === 0) return out;
    for (const f of findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
    out = redact(out, findings);
  }
  return out;
}

/**
 * A content attribute's value with every string inside it redacted. OTLP values arrive as strings (most), arrays
 * or key/value maps (gen_ai.input.messages from some SDKs); structure is kept, strings are rewritten.
 */
export function redactValue(value: unknown, counts: RedactionCounts): unknown {
  if (typeof value === 'string') return redactText(value, counts);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, counts));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, counts);
    return out;
  }
  return value;
}
