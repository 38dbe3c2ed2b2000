import { describe, expect, it } from 'vitest';
import { hashString, mulberry32, SeededRandom } from './seeded-random.js';

describe('mulberry32', () => {
  it('yields the same sequence for the same seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const seqA = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(seqA);
  });

  it('yields different sequences for different seeds', () => {
    expect(mulberry32(1)()).not.toBe(mulberry32(2)());
  });

  it('stays within [0, 1) and is roughly uniform', () => {
    const next = mulberry32(7);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const value = next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      sum += value;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });
});

describe('SeededRandom', () => {
  it('forks are stable by label and independent of draw order on the parent', () => {
    const parent = new SeededRandom(99);
    const child1 = parent.fork('person-3').next();
    parent.next();
    parent.next();
    expect(parent.fork('person-3').next()).toBe(child1);
    expect(parent.fork('person-4').next()).not.toBe(child1);
  });

  it('int() covers both bounds inclusively', () => {
    const random = new SeededRandom(5);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(random.int(1, 3));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('uuid() has the version-4 layout', () => {
    const random = new SeededRandom(11);
    for (let i = 0; i < 50; i++) {
      expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('weighted() never picks a zero-weight entry', () => {
    const random = new SeededRandom(3);
    for (let i = 0; i < 200; i++) {
      expect(
        random.weighted([
          ['a', 1],
          ['never', 0],
          ['b', 2],
        ] as const),
      ).not.toBe('never');
    }
  });

  it('hashString is stable (FNV-1a reference value)', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
  });
});
