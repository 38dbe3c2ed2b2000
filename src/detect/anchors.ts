/**
 * The keyword prefilter. Every rule names an anchor — a character or short literal that any match must contain
 * (`A` for AKIA…/AIza…, `k` for sk-…/sk_live_…/token/key, `@` for e-mail addresses) — and the scanner finds
 * anchors with `String.prototype.indexOf`, which V8 runs as memchr/Boyer–Moore–Horspool in C++ at several GB/s.
 * A rule's own checks run only at those positions, on a few characters around them, so text without anchors
 * costs almost nothing. (A single regular expression alternating all the patterns measured 50–300 MB/s here:
 * V8's Irregexp tries every alternative at every position.)
 */
import type { DetectorType } from '../contracts/detection.js';
import type { ScanContext } from './scan-context.js';

export interface AnchorRule {
  /** Literal whose every occurrence is offered to `at`; rare first characters make the search fastest. */
  readonly anchor: string;
  /** Types the rule can report; it is skipped when the caller wants none of them. */
  readonly types: readonly DetectorType[];
  /**
   * A necessary condition, checked with a table lookup before the rule is called: a match has one of `before`
   * right before the anchor or one of `after` right after it (ASCII characters). Most occurrences of a frequent
   * anchor (`k`, `_`, `A`) fail it, and a call per occurrence cost more than the search (bench/detect.bench.ts).
   * Rules without it see every occurrence.
   */
  readonly near?: { readonly before?: string; readonly after?: string };
  /**
   * Examines the anchor occurrence at `i` and records findings. Returns the index from which the search for
   * this anchor resumes: `i + 1`, or the end of a token the rule consumed whole (so its inner anchors are skipped).
   */
  at(ctx: ScanContext, i: number): number;
}

const FIRST = ['BEGIN ', 'J', 'A', 'k', '_'];

export interface AnchorGroup {
  readonly anchor: string;
  readonly rules: readonly AnchorRule[];
  /** Bit r set: rule r has no `near` condition. */
  readonly always: number;
  /** By character code (ASCII): bit r set when the character satisfies rule r's `near.before` / `near.after`. */
  readonly before: Uint32Array;
  readonly after: Uint32Array;
}

/** Groups the rules that report a wanted type by anchor (computed once per set of wanted types). */
export function groupAnchors(rules: readonly AnchorRule[], wanted: ReadonlySet<DetectorType>): AnchorGroup[] {
  const byAnchor = new Map<string, AnchorRule[]>();
  for (const rule of rules) {
    if (!rule.types.some((t) => wanted.has(t))) continue;
    const list = byAnchor.get(rule.anchor);
    if (list) list.push(rule);
    else byAnchor.set(rule.anchor, [rule]);
  }
  // Anchors of long tokens first, so their spans are consumed before the frequent anchors run.
  const order = (anchor: string): number => {
    const k = FIRST.indexOf(anchor);
    return k < 0 ? FIRST.length : k;
  };
  return [...byAnchor].map(([anchor, list]) => group(anchor, list)).sort((a, b) => order(a.anchor) - order(b.anchor));
}

function group(anchor: string, rules: readonly AnchorRule[]): AnchorGroup {
  if (rules.length > 32) throw new Error(`more than 32 rules share the anchor ${anchor}`);
  let always = 0;
  const before = new Uint32Array(128);
  const after = new Uint32Array(128);
  rules.forEach((rule, r) => {
    if (!rule.near) always |= 1 << r;
    const mark = (table: Uint32Array, chars: string): void => {
      for (let k = 0; k < chars.length; k++) {
        const c = chars.charCodeAt(k);
        if (c >= 128) throw new Error(`anchor ${anchor}: near characters must be ASCII`);
        table[c] = (table[c] as number) | (1 << r);
      }
    };
    mark(before, rule.near?.before ?? '');
    mark(after, rule.near?.after ?? '');
  });
  return { anchor, rules, always, before, after };
}

export function runAnchors(ctx: ScanContext, groups: readonly AnchorGroup[]): void {
  const { text, consumed } = ctx;
  for (const { anchor, rules, always, before, after } of groups) {
    const width = anchor.length;
    let skip = 0; // index into consumed (start, end pairs); hits only move forward
    let i = text.indexOf(anchor);
    while (i !== -1) {
      // Indices are checked rather than read past the edges (charCodeAt's NaN): one read out of bounds makes V8
      // deoptimise and then call charCodeAt as a builtin at every hit (bench/detect.bench.ts, callgrind).
      const b = i > 0 ? text.charCodeAt(i - 1) : 128;
      const a = i + width < text.length ? text.charCodeAt(i + width) : 128;
      const due = always | (b < 128 ? (before[b] as number) : 0) | (a < 128 ? (after[a] as number) : 0);
      if (due === 0) {
        i = text.indexOf(anchor, i + 1);
        continue;
      }
      while (skip < consumed.length && (consumed[skip + 1] as number) <= i) skip += 2;
      if (skip < consumed.length && (consumed[skip] as number) <= i) {
        i = text.indexOf(anchor, consumed[skip + 1] as number);
        continue;
      }
      let next = i + 1;
      for (let r = 0; r < rules.length; r++) {
        if ((due & (1 << r)) === 0) continue;
        const resume = (rules[r] as AnchorRule).at(ctx, i);
        if (resume > next) next = resume;
      }
      i = text.indexOf(anchor, next);
    }
  }
}
