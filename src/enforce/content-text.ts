import type { Finding } from '../contracts/detection.js';

/**
 * Structured content (a tool input, a tool result, inference-hook messages) as one text for the detectors, and
 * back: every string leaf is a segment of the joined text, so findings (offsets into the joined text) map onto the
 * leaves they fall in and a redaction can rewrite exactly those leaves while the structure stays as it was
 * (Claude Code only accepts `updatedInput` / `updatedToolOutput` of the tool's own shape).
 * Scanning once over the joined text costs one detector pass instead of one per leaf.
 */
export type JsonPath = readonly (string | number)[];

export interface Segment {
  path: JsonPath;
  start: number;
  end: number;
}

export interface CollectedText {
  text: string;
  segments: Segment[];
}

/** Leaves are joined with a newline so a pattern never runs across two of them. */
const SEPARATOR = '\n';
const MAX_DEPTH = 64;

export interface CollectOptions {
  /** Object keys whose values are not content (block `type`, ids…). */
  skipKeys?: ReadonlySet<string>;
}

export function collectText(value: unknown, opts: CollectOptions = {}): CollectedText {
  if (typeof value === 'string') return { text: value, segments: [{ path: [], start: 0, end: value.length }] };
  const parts: string[] = [];
  const segments: Segment[] = [];
  let offset = 0;
  const visit = (v: unknown, path: (string | number)[], depth: number): void => {
    if (typeof v === 'string') {
      if (v === '') return;
      if (parts.length > 0) offset += SEPARATOR.length;
      parts.push(v);
      segments.push({ path: [...path], start: offset, end: offset + v.length });
      offset += v.length;
      return;
    }
    if (v === null || typeof v !== 'object' || depth >= MAX_DEPTH) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i], path, depth + 1);
        path.pop();
      }
      return;
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (opts.skipKeys?.has(k)) continue;
      path.push(k);
      visit(child, path, depth + 1);
      path.pop();
    }
  };
  visit(value, [], 0);
  return { text: parts.join(SEPARATOR), segments };
}

/** The findings that fall in each segment, with offsets made relative to that segment's string. */
export function findingsBySegment(collected: CollectedText, findings: readonly Finding[]): Map<number, Finding[]> {
  const out = new Map<number, Finding[]>();
  const segs = collected.segments;
  for (const f of findings) {
    // Binary search for the segment holding the finding's start; a finding never spans the separator.
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((segs[mid] as Segment).start <= f.start) lo = mid;
      else hi = mid - 1;
    }
    const seg = segs[lo];
    if (!seg || f.start < seg.start || f.start >= seg.end) continue;
    const local = { ...f, start: f.start - seg.start, end: Math.min(f.end, seg.end) - seg.start };
    const list = out.get(lo);
    if (list) list.push(local);
    else out.set(lo, [local]);
  }
  return out;
}

/**
 * A deep copy of `value` where each string leaf holding findings is replaced by `rewrite(leaf, findings)`.
 * Returns undefined when no leaf held a finding (nothing to rewrite).
 */
export function rewriteLeaves(
  value: unknown,
  collected: CollectedText,
  findings: readonly Finding[],
  rewrite: (leaf: string, findings: readonly Finding[]) => string,
): unknown {
  const bySegment = findingsBySegment(collected, findings);
  if (bySegment.size === 0) return undefined;
  if (typeof value === 'string') return rewrite(value, bySegment.get(0) ?? []);
  const copy = structuredClone(value) as Record<string | number, unknown>;
  for (const [index, local] of bySegment) {
    const seg = collected.segments[index] as Segment;
    let node: Record<string | number, unknown> = copy;
    for (const key of seg.path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = seg.path[seg.path.length - 1] as string | number;
    node[last] = rewrite(node[last] as string, local);
  }
  return copy;
}
