/**
 * Sets of people as bitmaps over small dense person numbers (store `person_numbers`), stored as base64 text so the
 * same column works on both engines. Distinct people over several tier blocks is an OR, never a row per person.
 */
export function encodeBitmap(numbers: Iterable<number>): string {
  let max = -1;
  for (const n of numbers) if (n > max) max = n;
  const bytes = new Uint8Array(max >= 0 ? (max >> 3) + 1 : 0);
  for (const n of numbers) bytes[n >> 3] = (bytes[n >> 3] as number) | (1 << (n & 7));
  return Buffer.from(bytes).toString('base64');
}

export function decodeBitmap(text: string): Uint8Array<ArrayBufferLike> {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** `into` OR `other`, growing `into` when `other` is longer. */
export function orBitmap(
  into: Uint8Array<ArrayBufferLike>,
  other: Uint8Array<ArrayBufferLike>,
): Uint8Array<ArrayBufferLike> {
  const out = other.length > into.length ? growTo(into, other.length) : into;
  for (let i = 0; i < other.length; i++) out[i] = (out[i] as number) | (other[i] as number);
  return out;
}

function growTo(b: Uint8Array<ArrayBufferLike>, length: number): Uint8Array<ArrayBufferLike> {
  const out = new Uint8Array(length);
  out.set(b);
  return out;
}

export function bitmapNumbers(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const byte = b[i] as number;
    if (byte === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) out.push(i * 8 + bit);
  }
  return out;
}

/** A histogram (value → count) as `value:count` pairs, and back. */
export function encodeHistogram(h: ReadonlyMap<number, number>): string {
  const parts: string[] = [];
  for (const [v, n] of h) parts.push(`${v}:${n}`);
  return parts.join(',');
}

export function addHistogram(into: Map<number, number>, text: string): void {
  forEachPair(text, (v, n) => into.set(v, (into.get(v) ?? 0) + n));
}

/**
 * Calls `fn` for each `value:count` pair of a histogram's text. Pairs of plain digits (every histogram the tiers
 * write) are read without building strings; anything else goes through Number().
 */
export function forEachPair(text: string, fn: (value: number, count: number) => void): void {
  if (text === '') return;
  if (!/^[0-9:,]*$/.test(text)) {
    for (const part of text.split(',')) {
      const i = part.indexOf(':');
      fn(Number(part.slice(0, i)), Number(part.slice(i + 1)));
    }
    return;
  }
  let value = 0;
  let v = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 44;
    if (c === 58) {
      value = v;
      v = 0;
    } else if (c === 44) {
      fn(value, v);
      v = 0;
    } else v = v * 10 + (c - 48);
  }
}
