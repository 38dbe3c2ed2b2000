import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, Frontier, hashChildren, hashLeaf, nodeRange, rootOf, splitPoint, type NodeRef } from './merkle.js';
import {
  buildConsistencyProof,
  buildInclusionProof,
  consistencyProofNodes,
  inclusionProofNodes,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './merkle-proofs.js';
import { LEAF_INPUTS_HEX, ROOTS_HEX } from '../../test/support/rfc6962-vectors.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
// transparency-dev/merkle: leaf inputs and roots by size (test/support/rfc6962-vectors.ts), proof/verify_test.go (proofs).
const leafHashes = LEAF_INPUTS_HEX.map((h) => hashLeaf(hex(h)));
const ROOTS = ROOTS_HEX.map(hex);
// verify_test.go's inclusion vectors use 1-based leaf numbers: {leaf, size, proof}.
const INCLUSION: [number, number, string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

/** Every complete-subtree hash of a tree, as a store keeps them (computed by brute force). */
function storeOf(leaves: readonly Buffer[]): (ref: NodeRef) => Buffer {
  return (ref) => {
    const [start, end] = nodeRange(ref);
    if (end > leaves.length) throw new Error(`(${ref.level}, ${ref.index}) is not complete`);
    return mth(leaves.slice(start, end));
  };
}

// RFC 6962 §2.1 MTH, §2.1.1 PATH and §2.1.2 PROOF/SUBPROOF written straight from the definitions: the reference.
function mth(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return EMPTY_ROOT;
  if (d.length === 1) return d[0]!;
  const k = splitPoint(d.length);
  return hashChildren(mth(d.slice(0, k)), mth(d.slice(k)));
}
function path(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = splitPoint(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function subproof(m: number, d: readonly Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = splitPoint(d.length);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

const flip = (b: Buffer, bit: number): Buffer => {
  const c = Buffer.from(b);
  c[0]! ^= 1 << bit;
  return c;
};

describe('the transparency-dev proof vectors', () => {
  it('verifies and rebuilds every inclusion vector', () => {
    const store = storeOf(leafHashes);
    for (const [leaf, size, proofHex] of INCLUSION) {
      const proof = proofHex.map(hex);
      const root = ROOTS[size]!;
      expect(verifyInclusion(leaf - 1, size, leafHashes[leaf - 1]!, proof, root), `${leaf}/${size}`).toBe(true);
      expect(rootFromInclusionProof(leaf - 1, size, leafHashes[leaf - 1]!, proof)).toEqual(root);
      expect(buildInclusionProof(leaf - 1, size, store)).toEqual(proof);
      // The corruptions of verify_test.go's corruptInclusionProof.
      const i = leaf - 1;
      const bad = (j: number, n: number, h: Buffer, p: Buffer[], r: Buffer) => verifyInclusion(j, n, h, p, r);
      expect(bad(i - 1, size, leafHashes[i]!, proof, root)).toBe(false);
      expect(bad(i + 1, size, leafHashes[i]!, proof, root)).toBe(false);
      expect(bad(i ^ 2, size, leafHashes[i]!, proof, root)).toBe(false);
      expect(bad(i, size * 2, leafHashes[i]!, proof, root)).toBe(false);
      expect(bad(i, Math.floor(size / 2), leafHashes[i]!, proof, root)).toBe(false);
      expect(bad(i, size, Buffer.from('WrongLeaf'), proof, root)).toBe(false);
      expect(bad(i, size, leafHashes[i]!, proof, EMPTY_ROOT)).toBe(false);
      expect(bad(i, size, leafHashes[i]!, [...proof, Buffer.alloc(0)], root)).toBe(false);
      expect(bad(i, size, leafHashes[i]!, [...proof, root], root)).toBe(false);
      expect(bad(i, size, leafHashes[i]!, [root, ...proof], root)).toBe(false);
      expect(bad(i, size, leafHashes[i]!, proof.slice(0, -1), root)).toBe(false);
      proof.forEach((_, k) => {
        const p = proof.map((h, j) => (j === k ? flip(h, 3) : h));
        expect(bad(i, size, leafHashes[i]!, p, root)).toBe(false);
      });
    }
  });

  it('verifies and rebuilds every consistency vector', () => {
    const store = storeOf(leafHashes);
    for (const [m, n, proofHex] of CONSISTENCY) {
      const proof = proofHex.map(hex);
      const [r1, r2] = [ROOTS[m]!, ROOTS[n]!];
      expect(verifyConsistency(m, n, proof, r1, r2), `${m}→${n}`).toBe(true);
      expect(buildConsistencyProof(m, n, store)).toEqual(proof);
      if (proof.length === 0) continue;
      expect(verifyConsistency(m - 1, n, proof, r1, r2)).toBe(false);
      expect(verifyConsistency(m + 1, n, proof, r1, r2)).toBe(false);
      expect(verifyConsistency(m ^ 2, n, proof, r1, r2)).toBe(false);
      expect(verifyConsistency(m, n * 2, proof, r1, r2)).toBe(false);
      expect(verifyConsistency(m, Math.floor(n / 2), proof, r1, r2)).toBe(false);
      expect(verifyConsistency(m, n, proof, r2, r1)).toBe(false);
      expect(verifyConsistency(m, n, [], r1, r2)).toBe(false);
      expect(verifyConsistency(m, n, [...proof, r1], r1, r2)).toBe(false);
      expect(verifyConsistency(m, n, [...proof, r2], r1, r2)).toBe(false);
      expect(verifyConsistency(m, n, [proof[0]!, ...proof], r1, r2)).toBe(false);
      expect(verifyConsistency(m, n, proof.slice(0, -1), r1, r2)).toBe(false);
      proof.forEach((_, k) => {
        const p = proof.map((h, j) => (j === k ? flip(h, 4) : h));
        expect(verifyConsistency(m, n, p, r1, r2)).toBe(false);
      });
    }
  });

  it('treats equal sizes and the empty tree as RFC 9162 and sigsum do', () => {
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistency(0, 5, [], EMPTY_ROOT, ROOTS[5]!)).toBe(true);
    expect(verifyConsistency(0, 5, [], ROOTS[1]!, ROOTS[5]!)).toBe(false);
    expect(verifyConsistency(3, 3, [], ROOTS[3]!, ROOTS[3]!)).toBe(true);
    expect(verifyConsistency(3, 3, [EMPTY_ROOT], ROOTS[3]!, ROOTS[3]!)).toBe(false);
    expect(verifyConsistency(4, 3, [], ROOTS[3]!, ROOTS[3]!)).toBe(false);
    expect(verifyInclusion(0, 0, leafHashes[0]!, [], EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(0, 1, leafHashes[0]!, [], leafHashes[0]!)).toBe(true);
  });
});

describe('two-phase proofs against the RFC 6962 definitions', () => {
  const leaves = Array.from({ length: 300 }, (_, i) => hashLeaf(`leaf ${i}`));
  const roots = (() => {
    const frontier = new Frontier();
    const out = [frontier.root()];
    for (const h of leaves) {
      frontier.append(h);
      out.push(frontier.root());
    }
    return out;
  })();

  it('builds the PATH of every leaf of random trees, and only complete subtrees are fetched', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))),
        ([n, i]) => {
          const d = leaves.slice(0, n);
          const fetched: NodeRef[] = [];
          const store = storeOf(d);
          const proof = buildInclusionProof(i, n, (ref) => (fetched.push(ref), store(ref)));
          expect(proof).toEqual(path(i, d));
          expect(fetched).toEqual(inclusionProofNodes(i, n));
          expect(verifyInclusion(i, n, d[i]!, proof, roots[n]!)).toBe(true);
          expect(rootOf(d)).toEqual(roots[n]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('builds PROOF(m, D[n]) for random sizes and verifies it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n))),
        ([m, n]) => {
          const d = leaves.slice(0, n);
          const proof = buildConsistencyProof(m, n, storeOf(d));
          expect(proof).toEqual(m === n ? [] : subproof(m, d, true));
          expect(consistencyProofNodes(m, n).length).toBeGreaterThanOrEqual(proof.length);
          expect(verifyConsistency(m, n, proof, roots[m]!, roots[n]!)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects any tampered element, index or size', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 300 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.nat(), fc.integer({ min: 1, max: n - 1 })),
          ),
        ([n, i, pick, m]) => {
          const d = leaves.slice(0, n);
          const store = storeOf(d);
          const proof = buildInclusionProof(i, n, store);
          const k = pick % proof.length;
          expect(
            verifyInclusion(
              i,
              n,
              d[i]!,
              proof.map((h, j) => (j === k ? flip(h, pick % 8) : h)),
              roots[n]!,
            ),
          ).toBe(false);
          expect(verifyInclusion((i + 1) % n, n, d[i]!, proof, roots[n]!)).toBe(false);
          if (n < 300) expect(verifyInclusion(i, n + 1, d[i]!, proof, roots[n + 1]!)).toBe(false);
          const cproof = buildConsistencyProof(m, n, store);
          const c = pick % cproof.length;
          const tampered = cproof.map((h, j) => (j === c ? flip(h, pick % 8) : h));
          expect(verifyConsistency(m, n, tampered, roots[m]!, roots[n]!)).toBe(false);
          expect(verifyConsistency(m + 1, n, cproof, roots[m + 1]!, roots[n]!)).toBe(false);
          expect(verifyConsistency(m, n, cproof, roots[m - 1]!, roots[n]!)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses to plan impossible proofs', () => {
    expect(() => inclusionProofNodes(5, 5)).toThrow(RangeError);
    expect(() => consistencyProofNodes(6, 5)).toThrow(RangeError);
    expect(() => rootFromInclusionProof(0, 2, hashLeaf('a'), [])).toThrow(/shorter/);
    expect(() => rootFromInclusionProof(2, 2, hashLeaf('a'), [])).toThrow(/not below/);
    expect(consistencyProofNodes(0, 5)).toEqual([]);
  });
});
