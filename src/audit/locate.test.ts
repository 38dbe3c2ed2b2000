import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstBadIndex, locate, type LocateInput } from './locate.js';
import { Frontier, hashLeaf, nodeRange, rangeNodes, rootOf, type NodeRef } from './merkle.js';

const entry = (i: number): string => `{"v":1,"i":${i}}`;
const original = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => hashLeaf(entry(i)));

/** A log of n entries as an auditor sees it after tampering: content and recorded leaf hash per index. */
interface Log {
  content: (string | null)[];
  recorded: (Buffer | null)[];
}

function honest(n: number): Log {
  return { content: Array.from({ length: n }, (_, i) => entry(i)), recorded: original(n) };
}

function input(log: Log, size: number, root: Buffer, extra: Partial<LocateInput> = {}): LocateInput {
  return {
    size,
    root,
    recomputed: (i) => (log.content[i] == null ? null : hashLeaf(log.content[i]!)),
    recorded: (i) => log.recorded[i] ?? null,
    ...extra,
  };
}

/** Stored complete-subtree hashes of the honest tree (what the store's `hashes` column keeps). */
function storedNodes(leaves: Buffer[]): (ref: NodeRef) => Buffer | null {
  return (ref) => {
    const [s, e] = nodeRange(ref);
    return e <= leaves.length ? rootOf(leaves.slice(s, e)) : null;
  };
}

/** The true first bad index: the first entry whose effective leaf differs from the signed one, or is missing. */
function trueFirstBad(log: Log, leaves: Buffer[]): number | null {
  for (let i = 0; i < leaves.length; i++) {
    const c = log.content[i];
    const effective = c != null ? hashLeaf(c) : (log.recorded[i] ?? null);
    if (!effective || !effective.equals(leaves[i]!)) return i;
  }
  return null;
}

describe('locate: the first bad index', () => {
  const N = 37;
  const leaves = original(N);
  const root = rootOf(leaves);

  it('finds nothing in an intact log, or a log with pruned content', () => {
    expect(locate(input(honest(N), N, root))).toBeNull();
    const pruned = honest(N);
    pruned.content[3] = null;
    pruned.content[20] = null;
    expect(locate(input(pruned, N, root))).toBeNull();
    expect(locate({ size: 0, root: rootOf([]), recomputed: () => null, recorded: () => null })).toBeNull();
  });

  it('names a changed entry exactly while its recorded hash is intact', () => {
    for (const i of [0, 1, 17, 31, 32, 36]) {
      const log = honest(N);
      log.content[i] = '{"v":1,"forged":true}';
      expect(locate(input(log, N, root)), `entry ${i}`).toEqual({ index: i, end: i + 1, exact: true });
    }
  });

  it('names the first of several changes, and a swapped pair by its first entry', () => {
    const log = honest(N);
    log.content[9] = 'x';
    log.content[30] = 'y';
    expect(firstBadIndex(input(log, N, root))).toBe(9);
    const swapped = honest(N);
    [swapped.content[5], swapped.content[22]] = [swapped.content[22]!, swapped.content[5]!];
    expect(locate(input(swapped, N, root))).toEqual({ index: 5, end: 6, exact: true });
  });

  it('names a pruned entry whose kept hash was altered once stored subtrees vouch for its neighbours', () => {
    const log = honest(N);
    log.content[12] = null;
    log.recorded[12] = hashLeaf('other');
    // The altered hash is all there is of entry 12: with the root alone, [0, 32) cannot be authenticated.
    expect(locate(input(log, N, root))).toEqual({ index: 0, end: 37, exact: false });
    expect(locate(input(log, N, root, { recordedNode: storedNodes(leaves) }))).toEqual({
      index: 12,
      end: 13,
      exact: true,
    });
  });

  it('bounds the first bad index when recorded hashes were rewritten to match, exact again with stored subtrees', () => {
    const log = honest(N);
    log.content[21] = 'forged';
    log.recorded[21] = hashLeaf('forged');
    // Only the root is trusted: [0, 32) and [32, 37) cannot both be authenticated, so the answer is "in [0, 37)".
    expect(locate(input(log, N, root))).toEqual({ index: 0, end: 37, exact: false });
    // The store's subtree hashes (not rewritten) authenticate the way down to the entry.
    expect(locate(input(log, N, root, { recordedNode: storedNodes(leaves) }))).toEqual({
      index: 21,
      end: 22,
      exact: true,
    });
  });

  it('stops a bound at the first missing entry', () => {
    const log = honest(N);
    log.content[6] = null;
    log.recorded[6] = null;
    // Without stored subtrees nothing authenticates; entry 6 is itself bad, so the first bad index is in [0, 7).
    expect(locate(input(log, N, root))).toEqual({ index: 0, end: 7, exact: false });
    // With them, the descent reaches [6, 8): entry 6's subtree hash row is gone with it.
    const stored = storedNodes(leaves);
    const withStore = locate(
      input(log, N, root, { recordedNode: (r) => (r.level === 0 && r.index === 6 ? null : stored(r)) }),
    );
    expect(withStore).toEqual({ index: 6, end: 7, exact: true });
  });

  it('works on a range with boundary subtrees, and blames a forged boundary', () => {
    const [from, to] = [9, 30];
    const left = rangeNodes(0, from).map((r) => rootOf(leaves.slice(...nodeRange(r))));
    const right = rangeNodes(to, N).map((r) => rootOf(leaves.slice(...nodeRange(r))));
    const log = honest(N);
    const ranged = (l: Log) => input(l, N, root, { from, to, left, right });
    expect(locate(ranged(log))).toBeNull();
    log.content[14] = 'forged';
    expect(locate(ranged(log))).toEqual({ index: 14, end: 15, exact: true });
    const forgedLeft = [...left];
    forgedLeft[1] = hashLeaf('forged');
    const bad = locate({ ...ranged(honest(N)), left: forgedLeft });
    expect(bad && bad.index < from).toBe(true);
    expect(() => locate({ ...ranged(honest(N)), right: [] })).toThrow(/right boundary/);
  });

  it('is sound for random tampering: everything before the answer is intact, the first bad entry is inside it', () => {
    const kinds = ['change', 'rewrite', 'delete', 'insert', 'swap', 'prune-forge'] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom(...kinds),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (n, kind, a, b, withStore) => {
          const leavesN = original(n);
          const rootN = rootOf(leavesN);
          const log = honest(n);
          const i = a % n;
          const j = b % n;
          if (kind === 'change') log.content[i] = 'forged';
          if (kind === 'rewrite') [log.content[i], log.recorded[i]] = ['forged', hashLeaf('forged')];
          if (kind === 'delete') {
            log.content.splice(i, 1);
            log.recorded.splice(i, 1);
          }
          if (kind === 'insert') {
            log.content.splice(i, 0, 'inserted');
            log.recorded.splice(i, 0, hashLeaf('inserted'));
          }
          if (kind === 'swap') [log.content[i], log.content[j]] = [log.content[j]!, log.content[i]!];
          if (kind === 'prune-forge') [log.content[i], log.recorded[i]] = [null, hashLeaf('forged')];
          const truth = trueFirstBad(log, leavesN);
          const got = locate(input(log, n, rootN, withStore ? { recordedNode: storedNodes(leavesN) } : {}));
          if (truth === null) {
            expect(got).toBeNull();
            return;
          }
          expect(got).not.toBeNull();
          expect(got!.index).toBeLessThanOrEqual(truth);
          expect(got!.end).toBeGreaterThan(truth);
          // Recorded hashes left in place (or stored subtrees at hand) authenticate all the way down.
          const rewritten = kind === 'rewrite' || kind === 'prune-forge';
          if (kind === 'change' || kind === 'swap' || (rewritten && withStore)) {
            expect(got).toEqual({ index: truth, end: truth + 1, exact: true });
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('locate at scale', () => {
  it('names one changed entry among 2^16 + 3 with the recorded hashes intact', () => {
    const n = 65_539;
    const leaves = Array.from({ length: n }, (_, i) => hashLeaf(String(i)));
    const frontier = new Frontier();
    for (const h of leaves) frontier.push(h);
    const changed = 40_001;
    const got = locate({
      size: n,
      root: frontier.root(),
      recomputed: (i) => (i === changed ? hashLeaf('forged') : leaves[i]!),
      recorded: (i) => leaves[i]!,
    });
    expect(got).toEqual({ index: changed, end: changed + 1, exact: true });
  });
});
