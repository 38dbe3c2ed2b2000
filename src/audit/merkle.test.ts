import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  Frontier,
  hashChildren,
  hashLeaf,
  nodeOwner,
  nodeRange,
  rangeNodes,
  rootOf,
  splitPoint,
} from './merkle.js';
import { LEAF_INPUTS_HEX, ROOTS_HEX } from '../../test/support/rfc6962-vectors.js';

// transparency-dev/merkle testonly/constants.go: NodeHashes (leaf inputs and roots in test/support/rfc6962-vectors.ts).
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
const leafHashes = LEAF_INPUTS_HEX.map((hex) => hashLeaf(Buffer.from(hex, 'hex')));

describe('RFC 6962 hashing', () => {
  it('hashes leaves and nodes as the transparency-dev vectors say', () => {
    expect(leafHashes.map((h) => h.toString('hex'))).toEqual(NODE_HASHES[0]);
    expect(hashChildren(leafHashes[0]!, leafHashes[1]!).toString('hex')).toBe(NODE_HASHES[1]![0]);
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOTS_HEX[0]);
  });

  it('hashes a string leaf as its UTF-8 bytes', () => {
    expect(hashLeaf('é€😀')).toEqual(hashLeaf(Buffer.from('é€😀', 'utf8')));
    expect(hashLeaf('').toString('hex')).toBe(NODE_HASHES[0]![0]);
  });

  it('roots every size 0–8', () => {
    for (let n = 0; n <= 8; n++) expect(rootOf(leafHashes.slice(0, n)).toString('hex'), `size ${n}`).toBe(ROOTS_HEX[n]);
  });
});

describe('Frontier', () => {
  it('returns the complete-subtree hashes each append creates, by level', () => {
    const frontier = new Frontier();
    const created = leafHashes.map((h) => frontier.append(h).map((b) => b.toString('hex')));
    // Leaf i creates (0, i) and (level, index) for every trailing 1 bit of i: nodeOwner(level, index) = i.
    for (const [level, row] of NODE_HASHES.entries()) {
      row.forEach((hex, index) => expect(created[nodeOwner(level, index)]![level]).toBe(hex));
    }
    expect(created.map((c) => c.length)).toEqual([1, 2, 1, 3, 1, 2, 1, 4]);
  });

  it('roots every prefix and survives a round trip through its Buffer', () => {
    let frontier = new Frontier();
    expect(frontier.root().toString('hex')).toBe(ROOTS_HEX[0]);
    for (let n = 1; n <= 8; n++) {
      frontier.append(leafHashes[n - 1]!);
      frontier = Frontier.fromBuffer(frontier.toBuffer());
      expect(frontier.size).toBe(n);
      expect(frontier.root().toString('hex')).toBe(ROOTS_HEX[n]);
    }
    expect(new Frontier().toBuffer()).toEqual(Buffer.alloc(8));
  });

  it('rejects a Buffer whose length does not match its size', () => {
    const buf = new Frontier(3, [leafHashes[0]!, leafHashes[1]!]).toBuffer();
    expect(() => Frontier.fromBuffer(buf.subarray(0, buf.length - 1))).toThrow(/needs 72 bytes/);
    expect(() => Frontier.fromBuffer(Buffer.alloc(4))).toThrow(/8-byte size/);
    expect(() => new Frontier(2, [])).toThrow(/holds 1 hashes/);
  });

  it('joins complete subtrees on the right (appendSubtree)', () => {
    const frontier = new Frontier(4, [Buffer.from(NODE_HASHES[2]![0]!, 'hex')]);
    frontier.appendSubtree(1, Buffer.from(NODE_HASHES[1]![2]!, 'hex'));
    frontier.appendSubtree(0, leafHashes[6]!);
    expect(frontier.root().toString('hex')).toBe(ROOTS_HEX[7]);
    expect(() => frontier.appendSubtree(1, leafHashes[0]!)).toThrow(/cannot start at index 7/);
  });

  it('matches a straightforward recursive MTH for many sizes', () => {
    const leaves = Array.from({ length: 130 }, (_, i) => hashLeaf(String(i)));
    const frontier = new Frontier();
    for (let n = 1; n <= leaves.length; n++) {
      frontier.append(leaves[n - 1]!);
      expect(frontier.root()).toEqual(mth(leaves.slice(0, n)));
    }
  });
});

describe('node addressing', () => {
  it('names owners and ranges of complete subtrees', () => {
    expect(nodeOwner(0, 5)).toBe(5);
    expect(nodeOwner(2, 1)).toBe(7);
    expect(nodeOwner(3, 0)).toBe(7);
    expect(nodeRange({ level: 2, index: 3 })).toEqual([12, 16]);
    expect(nodeOwner(40, 3)).toBe(4 * 2 ** 40 - 1); // beyond 32-bit arithmetic
  });

  it('decomposes a range into its compact range', () => {
    expect(rangeNodes(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes(3, 13)).toEqual([
      { level: 0, index: 3 },
      { level: 2, index: 1 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rangeNodes(5, 5)).toEqual([]);
    expect(splitPoint(5)).toBe(4);
    expect(splitPoint(8)).toBe(4);
  });
});

/** RFC 6962 §2.1 MTH, written directly from the definition (with its own hashing) as the reference. */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return createHash('sha256')
    .update(Buffer.of(1))
    .update(mth(leaves.slice(0, k)))
    .update(mth(leaves.slice(k)))
    .digest();
}
