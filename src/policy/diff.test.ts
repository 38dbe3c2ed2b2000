import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffLines } from './diff.js';

/** Longest common subsequence length, by dynamic programming: the reference a minimal diff must meet. */
function lcs(a: string[], b: string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    }
  }
  return dp[0]![0]!;
}

const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

describe('line diff', () => {
  it('renders a unified diff with three lines of context and separate hunks', () => {
    const a = text(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']);
    const b = text(['a', 'B', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'k', 'l']);
    const d = diffLines(a, b, { old: 'v1', new: 'v2' });
    expect(d.unified).toBe(
      [
        '--- v1',
        '+++ v2',
        '@@ -1,5 +1,5 @@',
        ' a',
        '-b',
        '+B',
        ' c',
        ' d',
        ' e',
        '@@ -7,5 +7,5 @@',
        ' g',
        ' h',
        ' i',
        '-j',
        ' k',
        '+l',
        '',
      ].join('\n'),
    );
    expect([d.added, d.removed]).toEqual([2, 2]);
  });

  it('is empty for equal texts and handles empty sides', () => {
    expect(diffLines('x\ny\n', 'x\ny\n').unified).toBe('');
    expect(diffLines('', 'a\nb\n').unified).toBe('--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(diffLines('a\n', '').unified).toBe('--- a\n+++ b\n@@ -1,1 +0,0 @@\n-a\n');
  });

  it('reproduces both texts and is minimal (property)', () => {
    const lines = fc.array(fc.constantFrom('x', 'y', 'z', 'w'), { maxLength: 30 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const d = diffLines(text(a), text(b));
        expect(d.lines.filter((l) => l.op !== '+').map((l) => l.text)).toEqual(a);
        expect(d.lines.filter((l) => l.op !== '-').map((l) => l.text)).toEqual(b);
        expect(d.removed).toBe(a.length - lcs(a, b));
        expect(d.added).toBe(b.length - lcs(a, b));
      }),
      { numRuns: 500 },
    );
  });

  it('stays correct (if not minimal) beyond the edit budget', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`);
    const d = diffLines(text(a), text(b));
    expect([d.removed, d.added]).toEqual([3000, 3000]);
  });
});
