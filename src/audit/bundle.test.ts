import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../contracts/audit.js';
import { BUNDLE_FORMAT, bundleBoundaryNodes, writeBundleLines, writeBundleLinesAsync } from './bundle.js';
import { verifyBundle } from './bundle-verify.js';
import { canonicalJson } from './canonical-json.js';
import { formatCheckpoint } from './checkpoint.js';
import { hashLeaf, nodeRange, rootOf } from './merkle.js';
import { generateNoteKey, parseSignerKey, signNote } from './signed-note.js';

const ORIGIN = 'steward.example/audit';
const KEY = generateNoteKey(ORIGIN);
const OTHER = generateNoteKey(ORIGIN);

function entryAt(i: number): AuditEntry {
  if (i % 10 === 7) {
    return {
      v: 1,
      time: 1_763_750_000_000 + i,
      actor: { kind: 'system', id: 'ingest' },
      action: 'activity.seal',
      subject: { kind: 'events', id: `${i * 10}-${i * 10 + 9}` },
      details: { count: 10, ids: [[i * 10, i * 10 + 9]], digest: 'ab'.repeat(32) },
    };
  }
  return {
    v: 1,
    time: 1_763_750_000_000 + i,
    actor: { kind: 'token', id: `tok_${i % 3}`, name: 'ci' },
    action: 'policy.publish',
    subject: { kind: 'policy', id: `v${i}` },
    outcome: 'success',
    details: { note: 'é€😀', n: i / 3 },
  };
}

interface Log {
  entries: (AuditEntry | null)[];
  leaves: Buffer[];
}

function makeLog(n: number, pruned: number[] = []): Log {
  const entries = Array.from({ length: n }, (_, i) => entryAt(i));
  const leaves = entries.map((e) => hashLeaf(canonicalJson(e)));
  return { entries: entries.map((e, i) => (pruned.includes(i) ? null : e)), leaves };
}

function sign(size: number, leaves: Buffer[], key = KEY.signerKey): string {
  return signNote(formatCheckpoint({ origin: ORIGIN, size, root: rootOf(leaves.slice(0, size)) }), [
    parseSignerKey(key),
  ]);
}

function bundle(log: Log, from = 0, to = log.leaves.length, earlier: number[] = []): string[] {
  const size = log.leaves.length;
  const nodes = bundleBoundaryNodes(from, to, size);
  const hashOf = (r: (typeof nodes.left)[number]) => rootOf(log.leaves.slice(...nodeRange(r)));
  const header = {
    origin: ORIGIN,
    size,
    from,
    to,
    checkpoint: sign(size, log.leaves),
    checkpoints: earlier.map((m) => sign(m, log.leaves)),
    verifierKeys: [KEY.verifierKey],
    left: nodes.left.map(hashOf),
    right: nodes.right.map(hashOf),
  };
  const rows = log.entries.map((entry, index) => ({ index, leafHash: log.leaves[index]!, entry })).slice(from, to);
  return [...writeBundleLines(header, rows)];
}

const verify = (lines: string[], keys = [KEY.verifierKey]) => verifyBundle(lines, keys);

/** Replaces line k (entry from + k − 1) by editing its parsed object. */
function editLine(lines: string[], index: number, edit: (line: Record<string, any>) => void): string[] {
  const out = [...lines];
  const k = out.findIndex((l) => l.startsWith(`{"index":${index},`));
  const obj = JSON.parse(out[k]!);
  edit(obj);
  out[k] =
    `{"index":${obj.index},"leafHash":"${obj.leafHash}","entry":${obj.entry === null ? 'null' : canonicalJson(obj.entry)}}`;
  return out;
}

describe('bundle format', () => {
  it('writes a header and one canonical line per entry', async () => {
    const log = makeLog(5, [2]);
    const lines = bundle(log);
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({
      format: BUNDLE_FORMAT,
      origin: ORIGIN,
      size: 5,
      from: 0,
      to: 5,
      left: [],
      right: [],
    });
    expect(lines[1]).toBe(
      `{"index":0,"leafHash":"${log.leaves[0]!.toString('hex')}","entry":${canonicalJson(entryAt(0))}}`,
    );
    expect(lines[3]).toBe(`{"index":2,"leafHash":"${log.leaves[2]!.toString('hex')}","entry":null}`);
    const viaAsync: string[] = [];
    const rows = log.entries.map((entry, index) => ({ index, leafHash: log.leaves[index]!, entry }));
    for await (const l of writeBundleLinesAsync(JSON.parse(JSON.stringify({ ...header, left: [], right: [] })), rows)) {
      viaAsync.push(l);
    }
    expect(viaAsync.slice(1)).toEqual(lines.slice(1));
  });
});

describe('verifyBundle', () => {
  const log = makeLog(45, [3, 30]);
  const good = bundle(log);

  it('accepts an intact bundle, whole or a range with boundaries, with pruned entries and seals', async () => {
    expect(await verify(good)).toMatchObject({ ok: true, size: 45, from: 0, to: 45, entries: 45, pruned: 2, seals: 4 });
    expect(await verify(bundle(log, 13, 29))).toMatchObject({ ok: true, from: 13, to: 29, entries: 16 });
    expect(await verify(bundle(log, 45, 45))).toMatchObject({ ok: true, entries: 0 });
    expect(await verify(bundle(log, 0, 0))).toMatchObject({ ok: true, entries: 0 });
    // Any JSON layout of the same objects verifies (the leaf is the canonical form, not the line's bytes).
    const pretty = good.map((l, k) => (k === 0 ? l : JSON.stringify(JSON.parse(l), null, 0).replace(/":/g, '": ')));
    expect(await verify(pretty)).toMatchObject({ ok: true });
    expect(await verify([...good, ''])).toMatchObject({ ok: true });
  });

  it('trusts only the keys it is given, never the bundle’s own', async () => {
    expect(await verify(good, [OTHER.verifierKey])).toEqual({
      ok: false,
      firstBadIndex: null,
      reason: 'the checkpoint is not signed by a trusted key',
    });
    const forged = [...good];
    const header = JSON.parse(forged[0]!);
    header.checkpoint = sign(45, log.leaves, OTHER.signerKey);
    header.verifierKeys = [OTHER.verifierKey];
    forged[0] = JSON.stringify(header);
    expect(await verify(forged)).toMatchObject({ ok: false, firstBadIndex: null });
    expect(await verify(['{"format":"other"}'])).toMatchObject({ ok: false, firstBadIndex: null });
    expect(await verify([])).toMatchObject({ ok: false, reason: 'the bundle is empty' });
  });

  it('names a changed entry exactly', async () => {
    const lines = editLine(good, 17, (l) => (l.entry.actor.id = 'someone-else'));
    expect(await verify(lines)).toMatchObject({ ok: false, firstBadIndex: 17, badRange: [17, 18] });
  });

  it('names deleted, repeated, reordered and surplus lines', async () => {
    // Nothing before the gap can be authenticated with entry 20 gone, but 20 itself is proven missing.
    expect(await verify(good.filter((_, k) => k !== 1 + 20))).toMatchObject({
      ok: false,
      firstBadIndex: 20,
      badRange: [0, 21],
    });
    const repeated = [...good.slice(0, 1 + 11), good[1 + 10]!, ...good.slice(1 + 11)];
    expect(await verify(repeated)).toMatchObject({
      ok: false,
      firstBadIndex: 10,
      reason: expect.stringMatching(/again/),
    });
    const reordered = [...good];
    [reordered[1 + 8], reordered[1 + 9]] = [reordered[1 + 9]!, reordered[1 + 8]!];
    expect(await verify(reordered)).toMatchObject({ ok: false, firstBadIndex: 8 });
    expect(await verify(good.slice(0, 1 + 40))).toMatchObject({ ok: false, firstBadIndex: 40 });
    const surplus = [...good, `{"index":45,"leafHash":"${'0'.repeat(64)}","entry":null}`];
    expect(await verify(surplus)).toMatchObject({ ok: false, firstBadIndex: 45 });
  });

  it('bounds the first bad index when hashes were rewritten to match, tighter with earlier checkpoints', async () => {
    const rewrite = (lines: string[]) =>
      editLine(lines, 37, (l) => {
        l.entry.outcome = 'failure';
        l.leafHash = hashLeaf(canonicalJson(l.entry)).toString('hex');
      });
    const loose = await verify(rewrite(good));
    expect(loose.ok).toBe(false);
    if (loose.ok) return;
    expect(loose.firstBadIndex).toBeLessThanOrEqual(37);
    expect(loose.badRange![1]).toBeGreaterThan(37);
    const tight = await verify(rewrite(bundle(log, 0, 45, [10, 36, 38, 40])));
    expect(tight).toMatchObject({ ok: false, firstBadIndex: 36, badRange: [36, 38] });
  });

  it('renumbered insertions and deletions are bounded, never named too late', async () => {
    const inserted = [good[0]!];
    for (let k = 1; k < good.length; k++) {
      const index = k - 1;
      if (index === 22) inserted.push(editLine([good[k]!], 22, (l) => (l.entry.action = 'token.create'))[0]!);
      const shifted = index >= 22 ? index + 1 : index;
      if (shifted < 45) inserted.push(good[k]!.replace(`{"index":${index},`, `{"index":${shifted},`));
    }
    const v = await verify(inserted);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.firstBadIndex).toBeLessThanOrEqual(22);
  });

  it('blames a pruned entry’s forged hash, a forged boundary, and a malformed seal', async () => {
    const prunedForged = editLine(good, 30, (l) => (l.leafHash = 'ab'.repeat(32)));
    const v = await verify(prunedForged);
    expect(v.ok === false && v.firstBadIndex! <= 30 && v.badRange![1] > 30).toBe(true);

    const ranged = bundle(log, 13, 29);
    const header = JSON.parse(ranged[0]!);
    header.left[0] = 'cd'.repeat(32);
    const b = await verify([JSON.stringify(header), ...ranged.slice(1)]);
    expect(b.ok === false && b.firstBadIndex! < 13).toBe(true);

    const seal = makeLog(10);
    const badSeal = { ...seal.entries[7]!, details: { digest: 'x' } };
    seal.entries[7] = badSeal;
    seal.leaves[7] = hashLeaf(canonicalJson(badSeal));
    expect(await verify(bundle(seal))).toMatchObject({ ok: false, firstBadIndex: 7 });
  });

  it('reports a listed hash that disagrees with intact content', async () => {
    const lines = editLine(good, 5, (l) => (l.leafHash = 'ef'.repeat(32)));
    expect(await verify(lines)).toMatchObject({ ok: false, firstBadIndex: 5 });
  });
});
