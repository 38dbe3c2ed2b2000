import { describe, expect, it } from 'vitest';
import {
  addHistogram,
  bitmapNumbers,
  decodeBitmap,
  encodeBitmap,
  encodeHistogram,
  forEachPair,
  orBitmap,
} from './people-bitmap.js';

describe('people bitmaps and histograms', () => {
  it('round-trips a set of person numbers and ORs sets of different lengths', () => {
    const a = decodeBitmap(encodeBitmap([0, 3, 17]));
    const b = decodeBitmap(encodeBitmap([3, 64, 1999]));
    expect(bitmapNumbers(a)).toEqual([0, 3, 17]);
    expect(bitmapNumbers(orBitmap(a, b))).toEqual([0, 3, 17, 64, 1999]);
    expect(bitmapNumbers(decodeBitmap(encodeBitmap([])))).toEqual([]);
  });

  it('adds histograms from their text, digits read in place and anything else through Number()', () => {
    const h = new Map<number, number>();
    addHistogram(
      h,
      encodeHistogram(
        new Map([
          [12, 3],
          [4500, 10],
          [0, 1],
        ]),
      ),
    );
    addHistogram(h, '12:2,7:1');
    addHistogram(h, '');
    expect([...h].sort((x, y) => x[0] - y[0])).toEqual([
      [0, 1],
      [7, 1],
      [12, 5],
      [4500, 10],
    ]);
    const pairs: [number, number][] = [];
    forEachPair('1.5:2,-3:4,1e21:1', (v, n) => pairs.push([v, n]));
    expect(pairs).toEqual([
      [1.5, 2],
      [-3, 4],
      [1e21, 1],
    ]);
  });
});
