import { hash } from 'node:crypto';

/**
 * A dedupe key per record so a retried OTLP export, a replay over another protocol, or a re-imported file counts
 * once. Claude Code events carry (session.id, event.sequence) which is unique per process; the time and name are
 * added because a resumed session in a new process restarts the sequence at 0 (observed §3).
 * Everything else hashes a canonical rendering of the record.
 */
export function dedupeKey(parts: readonly (string | number | null | undefined)[]): string {
  return hashParts(parts);
}

/**
 * Dedupe key led by the record time (base-36 ms, fixed width): keys of new telemetry sort after existing ones, so
 * the unique index grows at its right edge like the time index instead of taking random B-tree inserts
 * (measured: a random-key unique index cost ~30% of insert throughput).
 */
export function timedDedupeKey(time: number, parts: readonly (string | number | null | undefined)[]): string {
  return Math.max(0, Math.floor(time)).toString(36).padStart(9, '0') + '.' + hashParts(parts);
}

function hashParts(parts: readonly (string | number | null | undefined)[]): string {
  // One-shot crypto.hash (Node ≥ 20.12) over the parts each followed by U+001F: the same bytes the keys have always
  // hashed, at a third of the cost of a Hash object per event (measured 0.6 vs 1.5 µs).
  let text = '';
  for (const p of parts) text += (p === null || p === undefined ? '\u0000' : String(p)) + '\u001f';
  return hash('sha1', text, 'base64url');
}

/** Stable JSON (sorted keys) so the same attributes hash the same whichever encoding delivered them. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(stableJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  return (
    '{' +
    Object.keys(obj)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + stableJson(obj[k]))
      .join(',') +
    '}'
  );
}
