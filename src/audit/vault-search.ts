import type { AuditEntry, AuditRecord } from '../contracts/audit.js';
import { latestCheckpoint, searchAuditEntries, type AuditEntryRow, type AuditSearch } from '../store/audit.repo.js';
import type { Store } from '../store/store.js';
import { parseCheckpoint } from './checkpoint.js';
import { hashLeaf } from './merkle.js';
import { verifyInclusion } from './merkle-proofs.js';
import { verifyNote } from './signed-note.js';
import { inclusionProofs } from './vault-proofs.js';

/**
 * Forensic search (issue 7): entries by actor, action, subject and time window, newest first, each with its proof
 * status against the latest signed checkpoint:
 * - `verified`: the entry's canonical JSON hashes to its leaf, and that leaf's inclusion proof reproduces the
 *   checkpoint's root;
 * - `pending`: appended after the latest checkpoint (its leaf hash matches; the next checkpoint will cover it);
 * - `pruned`: retention removed the content; the hash is still proven included;
 * - `tampered`: the content does not hash to the stored leaf, or the proof does not reach the signed root.
 */
export type ProofStatus = 'verified' | 'pending' | 'pruned' | 'tampered';

export interface SearchResult extends AuditRecord {
  proof: ProofStatus;
}

export interface SearchPage {
  items: SearchResult[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next: number | null;
  checkpoint: { size: number; root: string } | null;
}

export async function searchAudit(
  store: Store,
  verifierKeys: readonly string[],
  search: AuditSearch,
): Promise<SearchPage> {
  const [rows, stored] = await Promise.all([searchAuditEntries(store.db, search), latestCheckpoint(store.db)]);
  // Only a checkpoint signed by a published key counts: a row written into audit_checkpoints by hand proves nothing.
  const cp = stored && signedBy(stored.note, stored.size, stored.root, verifierKeys) ? stored : undefined;
  const size = cp?.size ?? 0;
  const proofs =
    size > 0
      ? await safeProofs(
          store,
          rows.map((r) => r.idx),
          size,
        )
      : new Map();
  const items = rows.map((r) => {
    const record = toRecord(r);
    return { ...record, proof: status(r, record, cp?.root ?? null, size, proofs) };
  });
  const last = rows[rows.length - 1];
  return {
    items,
    next: rows.length === search.limit && last ? last.idx : null,
    checkpoint: cp ? { size: cp.size, root: cp.root.toString('hex') } : null,
  };
}

function signedBy(note: string, size: number, root: Buffer, keys: readonly string[]): boolean {
  try {
    const text = verifyNote(note, keys);
    if (text === null) return false;
    const cp = parseCheckpoint(text);
    return cp.size === size && cp.root.equals(root);
  } catch {
    return false;
  }
}

async function safeProofs(store: Store, idxs: number[], size: number) {
  try {
    return await inclusionProofs(store, idxs, size);
  } catch {
    // A missing row makes every affected proof fail: the results show as tampered rather than failing the search.
    return new Map();
  }
}

export function toRecord(r: AuditEntryRow): AuditRecord {
  let entry: AuditEntry | null = null;
  if (r.leaf !== null) {
    try {
      entry = JSON.parse(r.leaf) as AuditEntry;
    } catch {
      entry = null;
    }
  }
  return {
    index: r.idx,
    entry,
    leafHash: r.leaf_hash.toString('hex'),
    prunedAt: r.pruned_at,
    held: false,
  };
}

function status(
  r: AuditEntryRow,
  record: AuditRecord,
  root: Buffer | null,
  size: number,
  proofs: Map<number, { leafHash: Buffer; proof: Buffer[] }>,
): ProofStatus {
  if (r.leaf !== null && (record.entry === null || !hashLeaf(r.leaf).equals(r.leaf_hash))) return 'tampered';
  if (r.idx >= size || root === null) return 'pending';
  const p = proofs.get(r.idx);
  if (!p || !p.leafHash.equals(r.leaf_hash) || !verifyInclusion(r.idx, size, r.leaf_hash, p.proof, root)) {
    return 'tampered';
  }
  return r.leaf === null ? 'pruned' : 'verified';
}
