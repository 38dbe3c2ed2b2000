import { hash } from 'node:crypto';

/**
 * The vault's Merkle tree: RFC 6962 §2.1 (restated in RFC 9162 §2.1.1) over SHA-256.
 *
 * - Leaf hash `SHA-256(0x00 || leaf)`, interior node `SHA-256(0x01 || left || right)`: the distinct prefixes keep a
 *   leaf from being passed off as an interior node (second-preimage resistance, RFC 9162 §2.1.1).
 * - A tree of n > 1 leaves splits at k, the largest power of two smaller than n; the empty tree hashes to SHA-256("").
 * - A complete subtree is addressed as (level, index): it covers leaves [index·2^level, (index+1)·2^level). Every
 *   node of an RFC 6962 tree is complete except those on its right edge.
 * - The `Frontier` is the compact range of [0, size) (transparency-dev/merkle "compact ranges", after Crosby &
 *   Wallach 2009): one complete-subtree hash per 1-bit of `size`, left to right, enough to append and to root.
 *
 * Indexes and sizes are JavaScript numbers (safe integers, 2^53 leaves), so bit tricks use arithmetic, not the
 * 32-bit operators.
 */

export const HASH_SIZE = 32;

/** Root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1, MTH({}) = SHA-256()). */
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

// One scratch buffer for 0x01 || left || right: `crypto.hash` over one 65-byte input costs ~0.6 µs where
// createHash().update()×3.digest() costs ~1 µs (measured on Node 20.20), and hashing is the whole cost of rooting.
const pair = Buffer.alloc(1 + 2 * HASH_SIZE);
pair[0] = 0x01;

/** RFC 6962 leaf hash of the leaf bytes (a string is hashed as its UTF-8 bytes). */
export function hashLeaf(leaf: Uint8Array | string): Buffer {
  if (typeof leaf === 'string') return hash('sha256', '\u0000' + leaf, 'buffer');
  const input = Buffer.allocUnsafe(leaf.length + 1);
  input[0] = 0x00;
  input.set(leaf, 1);
  return hash('sha256', input, 'buffer');
}

/** RFC 6962 interior node hash. Both arguments must be 32-byte hashes. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  pair.set(left, 1);
  pair.set(right, 1 + HASH_SIZE);
  return hash('sha256', pair, 'buffer');
}

/** A complete subtree: leaves [index·2^level, (index+1)·2^level). */
export interface NodeRef {
  readonly level: number;
  readonly index: number;
}

/**
 * The leaf whose append completed the subtree (level, index): its last leaf, (index+1)·2^level − 1. The store keeps
 * the hashes an append creates with that leaf (Frontier.append), the subtree's hash at slot `level` (0 = the leaf
 * hash itself), so any complete-subtree hash is one primary-key lookup.
 */
export function nodeOwner(level: number, index: number): number {
  return (index + 1) * 2 ** level - 1;
}

/** The leaf range [start, end) a complete subtree covers. */
export function nodeRange(ref: NodeRef): [number, number] {
  const width = 2 ** ref.level;
  return [ref.index * width, (ref.index + 1) * width];
}

/** Largest power of two strictly smaller than n (n ≥ 2): the RFC 6962 split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** log2 of a power of two. */
export function levelOf(width: number): number {
  let level = 0;
  while (2 ** level < width) level++;
  return level;
}

/** Number of 1 bits of a non-negative safe integer (the number of frontier hashes for that size). */
export function popCount(n: number): number {
  let count = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) count += x % 2;
  return count;
}

/**
 * The compact range of [start, end): the fewest complete subtrees covering it, left to right (each one's parent
 * reaches outside the range). For start = 0 these are the frontier's subtrees; for a right edge [k, n) of an
 * RFC 6962 split (k a multiple of the next power of two ≥ n − k) they fold right to left into MTH(D[k:n]).
 */
export function rangeNodes(start: number, end: number): NodeRef[] {
  checkIndex(start, 'start');
  checkIndex(end, 'end');
  if (start > end) throw new RangeError(`start ${start} > end ${end}`);
  const out: NodeRef[] = [];
  let at = start;
  while (at < end) {
    // The widest aligned block starting at `at` that still fits.
    let level = 0;
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level++;
    out.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return out;
}

/** RFC 6962 hash of the tree whose leaves are the complete subtrees `hashes` (a compact range), right to left. */
export function foldRight(hashes: readonly Uint8Array[]): Buffer {
  const last = hashes[hashes.length - 1];
  if (last === undefined) return EMPTY_ROOT;
  let h: Buffer = Buffer.from(last);
  for (let i = hashes.length - 2; i >= 0; i--) h = hashChildren(hashes[i] as Uint8Array, h);
  return h;
}

/**
 * The compact range of [0, size): appends leaf hashes one at a time, in O(1) amortised hashing, and roots the tree
 * in O(log size). Serialises to one Buffer so the store keeps the whole tree state in one row.
 */
export class Frontier {
  private sizeValue: number;
  /** One hash per 1 bit of size, highest level first (left to right in the tree). */
  private readonly hashes: Buffer[];

  constructor(size = 0, hashes: readonly Uint8Array[] = []) {
    checkIndex(size, 'size');
    if (hashes.length !== popCount(size)) {
      throw new RangeError(`a frontier of size ${size} holds ${popCount(size)} hashes, got ${hashes.length}`);
    }
    for (const h of hashes) checkHash(h, 'frontier hash');
    this.sizeValue = size;
    this.hashes = hashes.map((h) => Buffer.from(h));
  }

  get size(): number {
    return this.sizeValue;
  }

  /** The subtree hashes, left to right; with `rangeNodes(0, size)` they are the complete subtrees of [0, size). */
  get nodes(): readonly Buffer[] {
    return this.hashes;
  }

  /**
   * Appends one leaf hash (index = the old size) and returns the complete-subtree hashes this append created,
   * indexed by level: [0] is the leaf hash, then one per trailing 1 bit of the old size, levels 1..k — the
   * subtrees (level, index) with nodeOwner(level, index) = this leaf (Go sumdb/tlog "StoredHashes").
   */
  append(leafHash: Uint8Array): Buffer[] {
    const created: Buffer[] = [];
    this.add(leafHash, created);
    return created;
  }

  /** Appends one leaf hash without reporting what it created (rooting, verification). */
  push(leafHash: Uint8Array): void {
    this.add(leafHash, null);
  }

  private add(leafHash: Uint8Array, created: Buffer[] | null): void {
    checkHash(leafHash, 'leaf hash');
    let h = asBuffer(leafHash);
    created?.push(h);
    for (let n = this.sizeValue; n % 2 === 1; n = (n - 1) / 2) {
      h = hashChildren(this.hashes.pop() as Buffer, h);
      created?.push(h);
    }
    this.hashes.push(h);
    this.sizeValue += 1;
  }

  /**
   * Appends a whole complete subtree of 2^level leaves (it must start at the current size, so size must be a
   * multiple of 2^level). Used to join a compact range on the right, e.g. a bundle's right boundary.
   */
  appendSubtree(level: number, subtreeHash: Uint8Array): void {
    checkHash(subtreeHash, 'subtree hash');
    checkIndex(level, 'level');
    const width = 2 ** level;
    if (this.sizeValue % width !== 0) {
      throw new RangeError(`a subtree of 2^${level} leaves cannot start at index ${this.sizeValue}`);
    }
    let h = asBuffer(subtreeHash);
    for (let n = this.sizeValue / width; n % 2 === 1; n = (n - 1) / 2) {
      h = hashChildren(this.hashes.pop() as Buffer, h);
    }
    this.hashes.push(h);
    this.sizeValue += width;
  }

  /** MTH of the leaves so far (RFC 6962 §2.1): the frontier folded right to left. */
  root(): Buffer {
    return foldRight(this.hashes);
  }

  clone(): Frontier {
    return new Frontier(this.sizeValue, this.hashes);
  }

  /** 8-byte big-endian size, then the hashes left to right (32 bytes each). */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(8 + HASH_SIZE * this.hashes.length);
    out.writeBigUInt64BE(BigInt(this.sizeValue), 0);
    this.hashes.forEach((h, i) => h.copy(out, 8 + HASH_SIZE * i));
    return out;
  }

  static fromBuffer(buf: Uint8Array): Frontier {
    if (buf.length < 8) throw new RangeError('frontier: shorter than its 8-byte size');
    const view = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    const size = view.readBigUInt64BE(0);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('frontier: size beyond 2^53');
    const n = Number(size);
    if (buf.length !== 8 + HASH_SIZE * popCount(n)) {
      throw new RangeError(`frontier: size ${n} needs ${8 + HASH_SIZE * popCount(n)} bytes, got ${buf.length}`);
    }
    const hashes: Buffer[] = [];
    for (let at = 8; at < buf.length; at += HASH_SIZE) hashes.push(view.subarray(at, at + HASH_SIZE));
    return new Frontier(n, hashes);
  }
}

/** MTH of a list of leaf hashes (RFC 6962 §2.1), streaming through a frontier. */
export function rootOf(leafHashes: Iterable<Uint8Array>): Buffer {
  const frontier = new Frontier();
  for (const h of leafHashes) frontier.push(h);
  return frontier.root();
}

export function checkIndex(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
}

/** The frontier keeps the Buffers it is given (no copy on the append path); other Uint8Arrays are copied. */
function asBuffer(h: Uint8Array): Buffer {
  return Buffer.isBuffer(h) ? h : Buffer.from(h);
}

export function checkHash(h: Uint8Array, what: string): void {
  if (h.length !== HASH_SIZE) throw new RangeError(`${what} must be ${HASH_SIZE} bytes, got ${h.length}`);
}
