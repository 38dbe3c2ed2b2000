/**
 * Line diff between two policy versions: Myers' O((N+M)·D) shortest edit script ("An O(ND) Difference Algorithm
 * and Its Variations", 1986) after trimming the common head and tail, rendered as a unified diff with three lines
 * of context. Policies are small; beyond MAX_EDIT differing lines the edit script is "replace everything between
 * the common head and tail", which is still a correct diff, only not a minimal one.
 */
export type DiffOp = ' ' | '-' | '+';

export interface DiffLine {
  op: DiffOp;
  text: string;
  /** 1-based line in the old text (for ' ' and '-'), in the new text (for ' ' and '+'). */
  oldLine: number | null;
  newLine: number | null;
}

export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
  /** Unified diff text (`--- a`, `+++ b`, `@@ -l,n +l,n @@` hunks); empty when the texts are equal. */
  unified: string;
}

const MAX_EDIT = 2000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function diffLines(oldText: string, newText: string, labels = { old: 'a', new: 'b' }): LineDiff {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midOps = editScript(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  const ops: DiffOp[] = [...Array<DiffOp>(head).fill(' '), ...midOps, ...Array<DiffOp>(tail).fill(' ')];

  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  let added = 0;
  let removed = 0;
  for (const op of ops) {
    if (op === ' ') lines.push({ op, text: a[i] as string, oldLine: ++i, newLine: ++j });
    else if (op === '-') {
      lines.push({ op, text: a[i] as string, oldLine: ++i, newLine: null });
      removed++;
    } else {
      lines.push({ op, text: b[j] as string, oldLine: null, newLine: ++j });
      added++;
    }
  }
  return { lines, added, removed, unified: unified(lines, labels) };
}

/** Myers' greedy forward search keeping one V array per D for the backtrack. */
function editScript(a: readonly string[], b: readonly string[]): DiffOp[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return Array<DiffOp>(m).fill('+');
  if (m === 0) return Array<DiffOp>(n).fill('-');
  const max = n + m;
  const offset = max;
  const v = new Int32Array(2 * max + 2);
  // trace[d] holds V after step d-1 for k in [-d, d] only: memory grows with D², not with D·(N+M).
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(max, MAX_EDIT); d++) {
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m, d);
    }
  }
  return [...Array<DiffOp>(n).fill('-'), ...Array<DiffOp>(m).fill('+')];
}

function backtrack(trace: Int32Array[], n: number, m: number, dEnd: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d] as Int32Array; // index k + d
    const k = x - y;
    const down = k === -d || (k !== d && (v[k - 1 + d] as number) < (v[k + 1 + d] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[prevK + d] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push(' ');
      x--;
      y--;
    }
    ops.push(down ? '+' : '-');
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push(' ');
    x--;
    y--;
  }
  return ops.reverse();
}

const CONTEXT = 3;

function unified(lines: readonly DiffLine[], labels: { old: string; new: string }): string {
  const changed = lines.map((l, i) => (l.op === ' ' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return '';
  const out = [`--- ${labels.old}`, `+++ ${labels.new}`];
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && (changed[end + 1] as number) - (changed[end] as number) <= 2 * CONTEXT) end++;
    const from = Math.max(0, (changed[start] as number) - CONTEXT);
    const to = Math.min(lines.length - 1, (changed[end] as number) + CONTEXT);
    const hunk = lines.slice(from, to + 1);
    const oldCount = hunk.filter((l) => l.op !== '+').length;
    const newCount = hunk.filter((l) => l.op !== '-').length;
    const oldStart = firstLine(lines, from, 'oldLine', oldCount);
    const newStart = firstLine(lines, from, 'newLine', newCount);
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const l of hunk) out.push(`${l.op}${l.text}`);
    start = end + 1;
  }
  return `${out.join('\n')}\n`;
}

/** Unified-diff start line: the hunk's first line on that side, or the line before it when the side is empty. */
function firstLine(lines: readonly DiffLine[], from: number, side: 'oldLine' | 'newLine', count: number): number {
  for (let i = from; i < lines.length; i++) {
    const n = lines[i]?.[side];
    if (n != null) return count === 0 ? n - 1 : n;
  }
  let last = 0;
  for (const l of lines) last = l[side] ?? last;
  return last;
}
