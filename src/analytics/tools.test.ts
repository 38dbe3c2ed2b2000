import { describe, expect, it } from 'vitest';
import { percentile } from './tools.js';

describe('percentile', () => {
  it('is the nearest-rank value of a {value → count} histogram', () => {
    const h = new Map([
      [10, 1],
      [20, 1],
      [30, 1],
      [40, 1],
    ]);
    expect(percentile(h, 0.5)).toBe(20);
    expect(percentile(h, 0.95)).toBe(40);
    expect(percentile(new Map([[7, 100]]), 0.95)).toBe(7);
    expect(
      percentile(
        new Map([
          [100, 5],
          [1, 95],
        ]),
        0.95,
      ),
    ).toBe(1);
    expect(percentile(new Map(), 0.5)).toBeNull();
  });
});
