import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import type { AuditEntryInput } from '../contracts/audit.js';
import { auditRowsInRange, readAuditState } from '../store/audit.repo.js';
import { canonicalJson } from './canonical-json.js';
import { Frontier, hashLeaf, rootOf } from './merkle.js';
import { verifyConsistency, verifyInclusion } from './merkle-proofs.js';
import { appendEntries } from './vault-append.js';
import { consistencyProof, inclusionProof, inclusionProofs, rootAt } from './vault-proofs.js';

function entry(i: number): AuditEntryInput {
  return {
    time: 1_700_000_000_000 + i,
    actor: { kind: 'token', id: `tok-${i % 3}`, name: `ops ${i % 3}` },
    action: i % 2 ? 'keys.create' : 'policy.version.publish',
    subject: { kind: 'key', id: `k${i}` },
    details: { n: i, é: 'ü' },
  };
}

async function append(t: TestStore, inputs: AuditEntryInput[]): Promise<void> {
  await t.store.db.transaction().execute((trx) => appendEntries(trx, t.store, inputs, Date.now()));
}

describe.each(engines)('audit vault appends on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('stores each entry as its canonical JSON and hash, with dense indexes and the tree state', async () => {
    const inputs = Array.from({ length: 37 }, (_, i) => entry(i));
    await append(t, inputs.slice(0, 5));
    await append(t, inputs.slice(5, 6));
    await append(t, inputs.slice(6));
    const rows = [];
    for await (const page of auditRowsInRange(t.store.db, 0, 1000, 10)) rows.push(...page);
    expect(rows.map((r) => r.idx)).toEqual(inputs.map((_, i) => i));
    rows.forEach((r, i) => {
      expect(r.leaf).toBe(canonicalJson({ v: 1, ...inputs[i] }));
      expect(r.leaf_hash.equals(hashLeaf(r.leaf as string))).toBe(true);
      expect(r.actor_id).toBe(inputs[i]?.actor.id);
      expect(r.action).toBe(inputs[i]?.action);
    });
    const state = await readAuditState(t.store.db);
    expect(state?.size).toBe(37);
    const expected = rootOf(rows.map((r) => r.leaf_hash));
    expect(
      Frontier.fromBuffer(state?.frontier as Buffer)
        .root()
        .equals(expected),
    ).toBe(true);
    expect((await rootAt(t.store, 37)).equals(expected)).toBe(true);
  });

  it('serves inclusion and consistency proofs from stored hashes that verify (RFC 6962)', async () => {
    const inputs = Array.from({ length: 70 }, (_, i) => entry(i));
    for (let at = 0; at < inputs.length; at += 9) await append(t, inputs.slice(at, at + 9));
    const leaves = [];
    for await (const page of auditRowsInRange(t.store.db, 0, 70)) leaves.push(...page.map((r) => r.leaf_hash));
    for (const size of [1, 2, 3, 7, 8, 9, 33, 64, 70]) {
      const root = rootOf(leaves.slice(0, size));
      expect((await rootAt(t.store, size)).equals(root)).toBe(true);
      for (const index of [0, Math.floor(size / 2), size - 1]) {
        const p = await inclusionProof(t.store, index, size);
        expect(verifyInclusion(index, size, leaves[index] as Buffer, p.proof, root)).toBe(true);
      }
      const many = await inclusionProofs(t.store, [0, size - 1], size);
      expect(verifyInclusion(size - 1, size, leaves[size - 1] as Buffer, many.get(size - 1)?.proof ?? [], root)).toBe(
        true,
      );
    }
    for (const [m, n] of [
      [1, 70],
      [7, 8],
      [8, 70],
      [33, 64],
      [69, 70],
      [70, 70],
    ] as const) {
      const p = await consistencyProof(t.store, m, n);
      expect(verifyConsistency(m, n, p.proof, rootOf(leaves.slice(0, m)), rootOf(leaves.slice(0, n)))).toBe(true);
    }
  });

  it('refuses proofs outside the log with a 400 naming the bounds', async () => {
    await append(t, [entry(0), entry(1)]);
    await expect(inclusionProof(t.store, 2, 2)).rejects.toThrow(/index/);
    await expect(inclusionProof(t.store, 0, 3)).rejects.toThrow(/larger than the log/);
    await expect(consistencyProof(t.store, 0, 2)).rejects.toThrow(/from/);
  });

  it('keeps one unforked log when appenders race on separate transactions', async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, w) =>
        append(
          t,
          Array.from({ length: 20 }, (_, i) => entry(w * 100 + i)),
        ),
      ),
    );
    const rows = [];
    for await (const page of auditRowsInRange(t.store.db, 0, 1000)) rows.push(...page);
    expect(rows.map((r) => r.idx)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    const state = await readAuditState(t.store.db);
    expect(
      Frontier.fromBuffer(state?.frontier as Buffer)
        .root()
        .equals(rootOf(rows.map((r) => r.leaf_hash))),
    ).toBe(true);
  });
});
