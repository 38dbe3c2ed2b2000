import { EMPTY_ROOT, HASH_SIZE, hashChildren, levelOf, rangeNodes, splitPoint, type NodeRef } from './merkle.js';

/**
 * Naming the first bad index (docs/audit-bundle.md "First bad index").
 *
 * A trusted root for tree size N (from a checkpoint whose signature verified) is the only thing an auditor can
 * rely on; every hash from the log or a bundle may be forged. When the entries no longer reproduce the root, we
 * descend the RFC 6962 tree from the root, authenticating as we go: at a node whose true hash T is known, each child
 * has candidate hashes —
 *   - `primary`: computed from the entries' content (a leaf whose content is absent uses its recorded hash),
 *   - `alt`: computed from the recorded leaf hashes (the stored `leaf_hash`, a bundle's `leafHash`),
 *   - `stored`: from stored complete-subtree hashes, when the caller has them (`recordedNode`),
 * and a pair (left, right) with SHA-256(0x01 || left || right) = T authenticates both children: finding another
 * pair would be a SHA-256 collision. We descend into the left child if its true hash differs from its primary
 * (some entry in it is wrong, and all of them come before the right child's), else into the right one. At a leaf,
 * that leaf is the first bad index, and every entry before it is proven right.
 *
 * When no pair authenticates (the tampering rewrote recorded hashes consistently, or entries are missing), the
 * descent stops: the first bad index is proven to lie in that node's range [index, end) and every entry before
 * `index` is proven right — `index` is the answer we give, with `exact: false`. A missing entry (no content, no
 * recorded hash) inside that range is itself bad, so `end` never goes past the first missing entry.
 *
 * Cost: the primary hashes of every complete subtree inside [from, to) are computed once, bottom up (n − 1 hashes
 * for n entries, ~1 s for a million here); `alt` only where recorded and recomputed leaves differ; the descent
 * itself adds O(log² N).
 */

export interface LocateInput {
  /** Tree size N of the trusted root. */
  size: number;
  /** The trusted root for size N (from a verified checkpoint). */
  root: Uint8Array;
  /** Entries available: [from, to) ⊆ [0, N); default the whole tree. */
  from?: number;
  to?: number;
  /** Leaf hash recomputed from entry i's content; null when the content is absent (pruned, missing). */
  recomputed(index: number): Uint8Array | null;
  /** Leaf hash as recorded (stored row, bundle line); null when there is none. */
  recorded(index: number): Uint8Array | null;
  /** Hashes of the complete subtrees rangeNodes(0, from), left to right (required when from > 0). */
  left?: readonly Uint8Array[];
  /** Hashes of the complete subtrees rangeNodes(to, N), left to right (required when to < N). */
  right?: readonly Uint8Array[];
  /** A stored complete-subtree hash inside [from, to) (the store's `hashes` column), or null. */
  recordedNode?(ref: NodeRef): Uint8Array | null;
}

/** The first bad index lies in [index, end); every entry before `index` is proven right. */
export interface Located {
  index: number;
  end: number;
  /** end = index + 1: entry `index` is proven wrong. */
  exact: boolean;
}

type Kind = 'primary' | 'alt' | 'stored';

/** The first bad index (the lower bound when it cannot be narrowed to one entry), or null if the root holds. */
export function firstBadIndex(input: LocateInput): number | null {
  return locate(input)?.index ?? null;
}

/** Authenticated descent; null when the entries (with the boundaries) reproduce the trusted root. */
export function locate(input: LocateInput): Located | null {
  const tree = new CandidateTree(input);
  const n = input.size;
  if (n === 0) return equal(EMPTY_ROOT, input.root) ? null : { index: 0, end: 0, exact: false };
  const root = tree.hash(0, n, 'primary');
  if (root && equal(root, input.root)) return null;
  let s = 0;
  let e = n;
  let trusted: Uint8Array = input.root;
  while (e - s > 1) {
    if (e <= tree.from || s >= tree.to) return tree.bounded(s, e); // only boundary hashes here: they are wrong
    const m = s + splitPoint(e - s);
    const pair = authenticate(tree.candidates(s, m), tree.candidates(m, e), trusted);
    if (!pair) return tree.bounded(s, e);
    const leftPrimary = tree.hash(s, m, 'primary');
    if (!leftPrimary || !equal(pair[0], leftPrimary)) {
      e = m;
      trusted = pair[0];
    } else {
      s = m;
      trusted = pair[1];
    }
  }
  return tree.bounded(s, e);
}

function authenticate(lefts: Uint8Array[], rights: Uint8Array[], trusted: Uint8Array): [Uint8Array, Uint8Array] | null {
  for (const l of lefts) for (const r of rights) if (equal(hashChildren(l, r), trusted)) return [l, r];
  return null;
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;

interface Level {
  /** Index (at this level) of the first complete subtree inside [from, to). */
  first: number;
  hashes: Buffer;
  /** 1 where the primary hash is unknown (an entry below it has neither content nor a recorded hash). */
  unknown: Uint8Array;
  /** Where `alt` differs from `primary`. */
  alt: Map<number, Buffer>;
}

class CandidateTree {
  readonly from: number;
  readonly to: number;
  private readonly levels: Level[] = [];
  /** Entries with neither content nor a recorded hash, ascending. */
  private readonly missing: number[] = [];
  private readonly bounds: { start: number; end: number; hash: Uint8Array }[] = [];

  constructor(private readonly input: LocateInput) {
    const { size } = input;
    this.from = input.from ?? 0;
    this.to = input.to ?? size;
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size ${size} is not valid`);
    if (!(0 <= this.from && this.from <= this.to && this.to <= size)) {
      throw new RangeError(`range [${this.from}, ${this.to}) is not inside [0, ${size})`);
    }
    this.boundary(rangeNodes(0, this.from), input.left ?? [], 'left');
    this.boundary(rangeNodes(this.to, size), input.right ?? [], 'right');
    this.build();
  }

  private boundary(refs: NodeRef[], hashes: readonly Uint8Array[], side: string): void {
    if (refs.length !== hashes.length) {
      throw new RangeError(`${side} boundary: ${refs.length} subtree hashes expected, got ${hashes.length}`);
    }
    refs.forEach((ref, i) => {
      const h = hashes[i] as Uint8Array;
      if (h.length !== HASH_SIZE) throw new RangeError(`${side} boundary hash ${i} is not 32 bytes`);
      const width = 2 ** ref.level;
      this.bounds.push({ start: ref.index * width, end: (ref.index + 1) * width, hash: h });
    });
  }

  /** Bottom-up primary (and differing alt) hashes of every complete subtree inside [from, to). */
  private build(): void {
    const { from, to } = this;
    const count = to - from;
    const leaves: Level = {
      first: from,
      hashes: Buffer.allocUnsafe(count * HASH_SIZE),
      unknown: new Uint8Array(count),
      alt: new Map(),
    };
    for (let i = from; i < to; i++) {
      const computed = this.input.recomputed(i);
      const recorded = this.input.recorded(i);
      const primary = computed ?? recorded;
      const at = (i - from) * HASH_SIZE;
      if (!primary) {
        leaves.unknown[i - from] = 1;
        this.missing.push(i);
        continue;
      }
      leaves.hashes.set(primary, at);
      if (computed && recorded && !equal(computed, recorded)) leaves.alt.set(i, Buffer.from(recorded));
    }
    this.levels.push(leaves);
    for (let level = 1; 2 ** level <= count; level++) {
      const below = this.levels[level - 1] as Level;
      const width = 2 ** level;
      const first = Math.ceil(from / width);
      const nodes = Math.floor(to / width) - first;
      if (nodes <= 0) break;
      const cur: Level = {
        first,
        hashes: Buffer.allocUnsafe(nodes * HASH_SIZE),
        unknown: new Uint8Array(nodes),
        alt: new Map(),
      };
      for (let j = 0; j < nodes; j++) {
        const l = 2 * (first + j) - below.first;
        if (below.unknown[l] || below.unknown[l + 1]) {
          cur.unknown[j] = 1;
          continue;
        }
        const lh = below.hashes.subarray(l * HASH_SIZE, (l + 1) * HASH_SIZE);
        const rh = below.hashes.subarray((l + 1) * HASH_SIZE, (l + 2) * HASH_SIZE);
        cur.hashes.set(hashChildren(lh, rh), j * HASH_SIZE);
        const la = below.alt.get(2 * (first + j));
        const ra = below.alt.get(2 * (first + j) + 1);
        if (la || ra) cur.alt.set(first + j, hashChildren(la ?? lh, ra ?? rh));
      }
      this.levels.push(cur);
    }
  }

  /** RFC 6962 hash of node [s, e) of the kind asked, or null when unknown. */
  hash(s: number, e: number, kind: Kind): Uint8Array | null {
    if (e <= this.from || s >= this.to) return this.boundaryHash(s, e);
    const width = e - s;
    if (s >= this.from && e <= this.to && isPowerOfTwo(width)) return this.complete(s, width, kind);
    const m = s + splitPoint(width);
    const l = this.hash(s, m, kind);
    const r = l && this.hash(m, e, kind);
    return l && r ? hashChildren(l, r) : null;
  }

  /** Distinct known candidate hashes of a node, primary first. */
  candidates(s: number, e: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const kinds: Kind[] = this.input.recordedNode ? ['primary', 'alt', 'stored'] : ['primary', 'alt'];
    for (const kind of kinds) {
      const h = this.hash(s, e, kind);
      if (h && !out.some((o) => equal(o, h))) out.push(h);
    }
    return out;
  }

  /** The answer when the descent stops at node [s, e). */
  bounded(s: number, e: number): Located {
    const firstMissing = this.missing[lowerBound(this.missing, s)];
    const end = firstMissing !== undefined && firstMissing < e ? firstMissing + 1 : e;
    return { index: s, end, exact: end === s + 1 };
  }

  private complete(s: number, width: number, kind: Kind): Uint8Array | null {
    const level = levelOf(width);
    const index = s / width;
    if (kind === 'stored') {
      const stored = this.input.recordedNode?.({ level, index });
      if (stored && stored.length === HASH_SIZE) return stored;
      if (width === 1) return this.complete(s, 1, 'alt');
      const half = width / 2;
      const l = this.complete(s, half, 'stored');
      const r = l && this.complete(s + half, half, 'stored');
      return l && r ? hashChildren(l, r) : null;
    }
    const lv = this.levels[level] as Level;
    const j = index - lv.first;
    if (lv.unknown[j]) return null;
    if (kind === 'alt') {
      const alt = lv.alt.get(index);
      if (alt) return alt;
    }
    return lv.hashes.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE);
  }

  /** Node [s, e) outside [from, to): the fold of the boundary subtrees that tile it exactly. */
  private boundaryHash(s: number, e: number): Uint8Array | null {
    let k = this.bounds.findIndex((b) => b.start === s);
    if (k < 0) return null;
    const tiles: Uint8Array[] = [];
    for (; k < this.bounds.length; k++) {
      const b = this.bounds[k] as { start: number; end: number; hash: Uint8Array };
      tiles.push(b.hash);
      if (b.end === e) break;
      if (b.end > e) return null;
    }
    let h = tiles[tiles.length - 1] as Uint8Array;
    for (let i = tiles.length - 2; i >= 0; i--) h = hashChildren(tiles[i] as Uint8Array, h);
    return h;
  }
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** levelOf(n) === n;
}

/** First position in the ascending list holding a value ≥ x. */
function lowerBound(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
