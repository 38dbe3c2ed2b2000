import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../contracts/rollup-columns.js';
import { latencyBucket } from './derived-fold.js';
import { bitmapNumbers, decodeBitmap, encodeBitmap, orBitmap } from './people-bitmap.js';
import { blocksCompleted, blocksOf, cover, MAX_SPAN, splitWindow, TIER_SPANS } from './tiers.js';
import { decodeSet, encodeSet } from '../store/prompt-summaries.repo.js';

const D = DAY_MS;
const day = (n: number) => n * D;

describe('tier blocks', () => {
  it('covers any run of whole days exactly, with built blocks only before `through`', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20_000, max: 20_400 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 19_900, max: 20_900 }),
        (from, len, through) => {
          const blocks = cover(day(from), day(from + len), day(through));
          let at = from;
          for (const b of blocks) {
            const start = b.start / D;
            expect(start).toBe(at); // contiguous, no overlap
            expect(TIER_SPANS).toContain(b.span);
            expect(start % b.span).toBe(0); // aligned
            if (b.span > 1) expect(start + b.span).toBeLessThanOrEqual(through); // built
            at += b.span;
          }
          expect(at).toBe(from + len);
          return true;
        },
      ),
    );
  });

  it('reads few blocks for the console windows', () => {
    const today = 20_412;
    expect(cover(day(today - 29), day(today + 1), day(today)).length).toBeLessThanOrEqual(10);
    expect(cover(day(today - 89), day(today + 1), day(today)).length).toBeLessThanOrEqual(12);
  });

  it('puts a fold into its day block and the built blocks holding that day', () => {
    const t = day(20_413) + 5 * 3_600_000;
    expect(blocksOf(t, 0)).toEqual([{ span: 1, start: day(20_413) }]);
    const built = blocksOf(t, day(20_480));
    expect(built.map((b) => b.span)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    for (const b of built) expect(b.start <= t && t < b.start + b.span * D).toBe(true);
  });

  it('lists the blocks that become complete when `through` moves, each after its halves', () => {
    const blocks = blocksCompleted(day(20_400), day(20_464));
    const seen = new Set<string>();
    for (const b of blocks) {
      expect(b.start + b.span * D).toBeLessThanOrEqual(day(20_464));
      expect(b.start + b.span * D).toBeGreaterThan(day(20_400));
      if (b.span > 2) {
        const half = b.span / 2;
        for (const s of [b.start, b.start + half * D]) {
          if (s + half * D > day(20_400)) expect(seen.has(`${half}/${s}`)).toBe(true);
        }
      }
      seen.add(`${b.span}/${b.start}`);
    }
    expect(blocks.some((b) => b.span === MAX_SPAN)).toBe(true);
  });

  it('splits a window into partial days and whole days', () => {
    expect(splitWindow(day(10) + 5, day(12) + 7)).toEqual({
      head: { from: day(10) + 5, to: day(11) },
      days: { from: day(11), to: day(12) },
      tail: { from: day(12), to: day(12) + 7 },
    });
    expect(splitWindow(day(10), day(12))).toEqual({ head: null, days: { from: day(10), to: day(12) }, tail: null });
    expect(splitWindow(day(10) + 5, day(10) + 9)).toEqual({
      head: { from: day(10) + 5, to: day(10) + 9 },
      days: null,
      tail: null,
    });
  });
});

describe('tier encodings', () => {
  it('buckets latency exactly below 100 ms and to two significant digits above', () => {
    expect([0.4, 7, 99.4, 99.6, 100, 104, 104.5, 105, 1_234, 45_678, 999_999].map(latencyBucket)).toEqual([
      0, 7, 99, 100, 100, 100, 100, 110, 1_200, 46_000, 1_000_000,
    ]);
    fc.assert(
      fc.property(fc.double({ min: 100, max: 1e7, noNaN: true }), (ms) => {
        expect(Math.abs(latencyBucket(ms) - ms) / ms).toBeLessThanOrEqual(0.051);
      }),
    );
  });

  it('keeps sets of people as bitmaps that OR', () => {
    const a = decodeBitmap(encodeBitmap([0, 3, 17]));
    const b = decodeBitmap(encodeBitmap([3, 40]));
    expect(bitmapNumbers(orBitmap(a, b))).toEqual([0, 3, 17, 40]);
    expect(bitmapNumbers(decodeBitmap(encodeBitmap([])))).toEqual([]);
  });

  it('round-trips the sets of a prompt summary, values with separators included', () => {
    const values = ['Bash', 'a|b', 'back\\slash', 'mcp__x__y'];
    expect(decodeSet(encodeSet(values)).sort()).toEqual([...values].sort());
    expect(encodeSet(['b', 'a'])).toBe('|a|b|');
    expect(decodeSet(encodeSet([]))).toEqual([]);
  });
});
