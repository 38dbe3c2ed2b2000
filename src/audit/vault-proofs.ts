import { AppError } from '../errors/app-error.js';
import { readAuditHashes, readAuditState } from '../store/audit.repo.js';
import type { Store } from '../store/store.js';
import { Frontier, nodeOwner, type NodeRef } from './merkle.js';
import {
  buildConsistencyProof,
  buildInclusionProof,
  consistencyProofNodes,
  inclusionProofNodes,
  rootFromInclusionProof,
} from './merkle-proofs.js';

/**
 * Proofs served from the store (RFC 6962 §2.1.1–2.1.2). Every complete-subtree hash lives in the row whose append
 * completed it (migration 0011), so a proof is one query for O(log n) rows by primary key, then pure assembly.
 */
const HASH = 32;

type Hashes = Map<number, { leafHash: Buffer; hashes: Buffer | null }>;

function nodeHash(rows: Hashes, ref: NodeRef): Buffer {
  const owner = nodeOwner(ref.level, ref.index);
  const row = rows.get(owner);
  if (!row)
    throw new AppError('audit_corrupt', `audit entry ${owner} (holding node ${ref.level}/${ref.index}) is missing`);
  if (ref.level === 0) return row.leafHash;
  const h = row.hashes?.subarray((ref.level - 1) * HASH, ref.level * HASH);
  if (!h || h.length !== HASH) {
    throw new AppError('audit_corrupt', `audit entry ${owner} lacks the hash of node ${ref.level}/${ref.index}`);
  }
  return h;
}

async function currentSize(store: Store): Promise<number> {
  return (await readAuditState(store.db))?.size ?? 0;
}

export interface InclusionProof {
  index: number;
  size: number;
  leafHash: Buffer;
  proof: Buffer[];
  root: Buffer;
}

/** Inclusion of entry `index` in the tree of `size` leaves (default: the whole log). */
export async function inclusionProof(store: Store, index: number, size?: number): Promise<InclusionProof> {
  const treeSize = size ?? (await currentSize(store));
  if (!Number.isSafeInteger(index) || index < 0 || !Number.isSafeInteger(treeSize) || index >= treeSize) {
    throw new AppError('invalid_query', `index must satisfy 0 <= index < size (index ${index}, size ${treeSize})`);
  }
  const refs = inclusionProofNodes(index, treeSize);
  // The proof always reads the tree's last leaf (its rightmost subtree ends there): if that row is absent, the size
  // lies beyond the log (or the log was cut short, which the size check tells apart).
  const last = treeSize - 1;
  const rows = await readAuditHashes(
    store.db,
    [index, ...refs.map((r) => nodeOwner(r.level, r.index)), last],
    store.sqlite,
  );
  if (!rows.has(last)) {
    const logSize = await currentSize(store);
    if (treeSize > logSize) throw new AppError('invalid_query', `size ${treeSize} is larger than the log (${logSize})`);
  }
  const proof = buildInclusionProof(index, treeSize, (ref) => nodeHash(rows, ref));
  const leafHash = nodeHash(rows, { level: 0, index });
  return { index, size: treeSize, leafHash, proof, root: rootFromInclusionProof(index, treeSize, leafHash, proof) };
}

/** Inclusion proofs for many entries against one size, with one query (forensic search shows each result's status). */
export async function inclusionProofs(
  store: Store,
  indexes: readonly number[],
  size: number,
): Promise<Map<number, InclusionProof>> {
  const wanted = indexes.filter((i) => i >= 0 && i < size);
  const refsOf = new Map(wanted.map((i) => [i, inclusionProofNodes(i, size)]));
  const owners = new Set<number>(wanted);
  for (const refs of refsOf.values()) for (const r of refs) owners.add(nodeOwner(r.level, r.index));
  const rows = await readAuditHashes(store.db, [...owners], store.sqlite);
  const out = new Map<number, InclusionProof>();
  for (const i of wanted) {
    const proof = buildInclusionProof(i, size, (ref) => nodeHash(rows, ref));
    const leafHash = nodeHash(rows, { level: 0, index: i });
    out.set(i, { index: i, size, leafHash, proof, root: rootFromInclusionProof(i, size, leafHash, proof) });
  }
  return out;
}

/** The root of the tree of `size` leaves, from stored hashes. */
export async function rootAt(store: Store, size: number): Promise<Buffer> {
  if (size === 0) return new Frontier().root();
  return (await inclusionProof(store, size - 1, size)).root;
}

export interface ConsistencyProof {
  from: number;
  to: number;
  proof: Buffer[];
  fromRoot: Buffer;
  toRoot: Buffer;
}

/** Consistency of the tree of `from` leaves with the tree of `to` leaves (RFC 6962 §2.1.2). */
export async function consistencyProof(store: Store, from: number, to: number): Promise<ConsistencyProof> {
  const size = await currentSize(store);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || from > to || to > size) {
    throw new AppError(
      'invalid_query',
      `sizes must satisfy 1 <= from <= to <= ${size} (the log's size); got from ${from}, to ${to}`,
    );
  }
  const refs = consistencyProofNodes(from, to);
  const rows = await readAuditHashes(
    store.db,
    refs.map((r) => nodeOwner(r.level, r.index)),
    store.sqlite,
  );
  const proof = buildConsistencyProof(from, to, (ref) => nodeHash(rows, ref));
  const [fromRoot, toRoot] = await Promise.all([rootAt(store, from), rootAt(store, to)]);
  return { from, to, proof, fromRoot, toRoot };
}

/** The hashes of some complete subtrees, in the order given (bundle boundaries), from one query. */
export async function subtreeHashes(store: Store, refs: readonly NodeRef[]): Promise<Buffer[]> {
  const rows = await readAuditHashes(
    store.db,
    refs.map((r) => nodeOwner(r.level, r.index)),
    store.sqlite,
  );
  return refs.map((r) => nodeHash(rows, r));
}
