/**
 * A small deterministic PRNG for the demo generator. The demo must produce the same organisation and the same
 * sessions for the same seed (so a re-run is idempotent against the store's dedupe keys and tests can pin
 * values), which `Math.random` and `crypto.randomUUID` cannot give.
 *
 * mulberry32 (Tommy Ettinger, public domain) is a 32-bit generator with a full 2^32 period: plenty for synthetic
 * data, tiny, and fast. It is NOT suitable for anything security related.
 */

/** Returns a function yielding uniformly distributed floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit hash: turns a label into a seed so child streams can be derived by name. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const HEX = '0123456789abcdef';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export class SeededRandom {
  readonly seed: number;
  private readonly nextFloat: () => number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.nextFloat = mulberry32(this.seed);
  }

  /**
   * An independent stream named by `label`. Forking (instead of sharing one stream) keeps each person's and each
   * session's values stable when other people or sessions are added, removed or generated in another order.
   */
  fork(label: string | number): SeededRandom {
    return new SeededRandom(hashString(`${this.seed}/${label}`));
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextFloat();
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.nextFloat() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.nextFloat() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() needs at least one item');
    return items[Math.floor(this.nextFloat() * items.length)] as T;
  }

  /** Picks by relative weight; weights need not sum to 1. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    if (entries.length === 0 || total <= 0) throw new RangeError('weighted() needs a positive total weight');
    let roll = this.nextFloat() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (entries[entries.length - 1] as readonly [T, number])[0];
  }

  /** Log-normal sample with the given median; `spread` is sigma of the underlying normal. Good for sizes/durations. */
  logNormal(median: number, spread: number): number {
    return median * Math.exp(spread * this.normal());
  }

  /** Standard normal via Box–Muller. */
  normal(): number {
    const u = 1 - this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Poisson-distributed count (Knuth's method; fine for the small means used here). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.nextFloat();
    while (product > limit) {
      count++;
      product *= this.nextFloat();
    }
    return count;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += HEX[Math.floor(this.nextFloat() * 16)];
    return out;
  }

  base62(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += BASE62[Math.floor(this.nextFloat() * 62)];
    return out;
  }

  /** RFC 9562 version-4 layout (version nibble 4, variant bits 10) from the seeded stream. */
  uuid(): string {
    const hex = this.hex(32).split('');
    hex[12] = '4';
    hex[16] = HEX[(parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8] ?? '8';
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}
