import {
  EMPTY_ROOT,
  HASH_SIZE,
  checkIndex,
  foldRight,
  hashChildren,
  levelOf,
  rangeNodes,
  splitPoint,
  type NodeRef,
} from './merkle.js';

/**
 * Inclusion and consistency proofs (RFC 6962 §2.1.1 PATH, §2.1.2 PROOF/SUBPROOF) built in two phases, so a store
 * fetches every hash a proof needs in one query:
 *
 * 1. `inclusionProofNodes` / `consistencyProofNodes` list the complete subtrees whose hashes are needed;
 * 2. `buildInclusionProof` / `buildConsistencyProof` assemble the proof from those hashes. A proof element that is
 *    an incomplete right edge of the tree (MTH(D[k:n]) with n − k not a power of two) is not stored anywhere; it is
 *    recomputed from the complete subtrees of its compact range, right to left.
 *
 * Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) step by step.
 */

/** Per proof element (in RFC order, bottom up), the complete subtrees whose RFC 6962 fold is that element. */
type Plan = NodeRef[][];

function node(start: number, width: number): NodeRef {
  return { level: levelOf(width), index: start / width };
}

/** RFC 6962 §2.1.1: PATH(m, D[start : start+n]) with m relative to start. */
function pathPlan(m: number, start: number, n: number, out: Plan): void {
  if (n <= 1) return;
  const k = splitPoint(n);
  if (m < k) {
    pathPlan(m, start, k, out);
    out.push(rangeNodes(start + k, start + n)); // MTH(D[k:n]): the right part, complete or a right edge
  } else {
    pathPlan(m - k, start + k, n - k, out);
    out.push([node(start, k)]); // MTH(D[0:k]): always complete
  }
}

/** RFC 6962 §2.1.2: SUBPROOF(m, D[start : start+n], b). */
function subproofPlan(m: number, start: number, n: number, b: boolean, out: Plan): void {
  if (m === n) {
    // Only reached inside a power-of-two range (a right part never shrinks to exactly m), so D[m] is complete.
    if (!b) out.push([node(start, n)]);
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproofPlan(m, start, k, b, out);
    out.push(rangeNodes(start + k, start + n));
  } else {
    subproofPlan(m - k, start + k, n - k, false, out);
    out.push([node(start, k)]);
  }
}

function inclusionPlan(index: number, size: number): Plan {
  checkIndex(index, 'index');
  checkIndex(size, 'size');
  if (index >= size) throw new RangeError(`index ${index} is not below tree size ${size}`);
  const plan: Plan = [];
  pathPlan(index, 0, size, plan);
  return plan;
}

function consistencyPlan(m: number, n: number): Plan {
  checkIndex(m, 'old size');
  checkIndex(n, 'new size');
  if (m > n) throw new RangeError(`old size ${m} > new size ${n}`);
  const plan: Plan = [];
  // PROOF(m, D[n]) is empty for m = n; for m = 0 there is nothing to prove (the empty tree prefixes every tree).
  if (m > 0 && m < n) subproofPlan(m, 0, n, true, plan);
  return plan;
}

/** Hash lookup for phase 2: the hash of a complete subtree the first phase listed. */
export type NodeHashes = (ref: NodeRef) => Uint8Array;

function assemble(plan: Plan, hashes: NodeHashes): Buffer[] {
  return plan.map((group) => {
    const got = group.map((ref) => {
      const h = hashes(ref);
      if (h.length !== HASH_SIZE) throw new RangeError(`hash of (${ref.level}, ${ref.index}) is not 32 bytes`);
      return h;
    });
    return foldRight(got);
  });
}

/** Complete subtrees whose hashes an inclusion proof of leaf `index` in a tree of `size` needs. */
export function inclusionProofNodes(index: number, size: number): NodeRef[] {
  return inclusionPlan(index, size).flat();
}

/** The RFC 6962 audit path of leaf `index` in the tree of `size`, bottom up. */
export function buildInclusionProof(index: number, size: number, hashes: NodeHashes): Buffer[] {
  return assemble(inclusionPlan(index, size), hashes);
}

/** Complete subtrees whose hashes a consistency proof from size m to size n needs. */
export function consistencyProofNodes(m: number, n: number): NodeRef[] {
  return consistencyPlan(m, n).flat();
}

/** The RFC 6962 consistency proof PROOF(m, D[n]). */
export function buildConsistencyProof(m: number, n: number, hashes: NodeHashes): Buffer[] {
  return assemble(consistencyPlan(m, n), hashes);
}

const isHash = (h: Uint8Array): boolean => h.length === HASH_SIZE;
const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;
const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * RFC 9162 §2.1.3.2 steps 1–4: the root an inclusion proof implies. Throws a RangeError when the proof cannot be one
 * for this index and size (index ≥ size, wrong length, an element not 32 bytes), as Go's RootFromInclusionProof
 * returns an error.
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer {
  const root = chainInclusion(index, size, leafHash, proof);
  if (typeof root === 'string') throw new RangeError(root);
  return root;
}

/** The root, or why there is none. */
function chainInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer | string {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return `index ${index} is not below tree size ${size}`; // step 1
  }
  if (!isHash(leafHash)) return 'the leaf hash is not 32 bytes';
  let fn = index; // step 2
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash); // step 3
  for (const p of proof) {
    if (!isHash(p)) return 'a proof element is not 32 bytes';
    if (sn === 0) return `the proof is longer than a tree of size ${size} is tall`; // step 4a
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r);
      // Step 4b: on the right edge the sibling sits higher up; skip the levels where this node has no sibling.
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn); // step 4c
    sn = half(sn);
  }
  return sn === 0 ? r : `the proof is shorter than a tree of size ${size} is tall`; // step 5
}

/** RFC 9162 §2.1.3.2: does `proof` show the leaf at `index` is in the tree of `size` with this root? */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = chainInclusion(index, size, leafHash, proof);
  return typeof computed !== 'string' && equal(computed, root);
}

/**
 * RFC 9162 §2.1.4.2: is the tree of size m with root1 a prefix of the tree of size n with root2? Beyond the RFC's
 * 0 < m < n: m = n holds with an empty proof and equal roots, and m = 0 with an empty proof and root1 the empty
 * root (the empty tree prefixes every tree), as in sigsum-py and transparency-dev/merkle.
 */
export function verifyConsistency(
  m: number,
  n: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (m === n) return proof.length === 0 && equal(root1, root2);
  if (m === 0) return proof.length === 0 && equal(root1, EMPTY_ROOT);
  if (proof.length === 0) return false; // step 1
  // Step 2: when m is a power of two, the old root is itself a node of the new tree and the proof omits it.
  const path = isPowerOfTwo(m) ? [root1, ...proof] : proof;
  let fn = m - 1; // step 3
  let sn = n - 1;
  while (odd(fn)) {
    // step 4
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array); // step 5
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false; // step 6a
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr); // step 6b.i
      sr = hashChildren(c, sr);
      while (!odd(fn) && fn !== 0) {
        // step 6b.ii
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c); // step 6b, otherwise
    }
    fn = half(fn); // step 6c
    sn = half(sn);
  }
  return equal(fr, root1) && equal(sr, root2) && sn === 0; // step 7
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** levelOf(n) === n;
}
