import type { AuditEntry } from '../contracts/audit.js';
import type { AuditEntryRow } from '../store/audit.repo.js';
import { SEAL_ACTION, sealDetails, type SealDetails } from './activity-seal.js';
import { hashLeaf } from './merkle.js';

/**
 * The per-row half of `steward audit check` (vault-verify.ts), over one index range: everything that needs only
 * the row itself — dense indexes, the content's leaf hash against the stored one, the searchable columns against
 * the entry, which entries are seals — plus copies of the hashes the tree pass needs next. Ranges are independent,
 * so two of them run at once on two threads (verify-scan-thread.ts); the result is plain typed arrays, which move
 * between threads without copying.
 */
export interface Problem {
  index: number | null;
  reason: string;
  /**
   * Set when the finding only bounds the first bad index to [index, end): a precise finding inside the range is
   * the better answer, so the range counts only when there is none.
   */
  end?: number;
}

export interface RangeScan {
  from: number;
  /** Exclusive end: the next range's start, or the log's size for the last one. */
  to: number;
  /** Per index in [from, to), 32 bytes each: the leaf hash of the content (the stored one when pruned). */
  recomputed: Uint8Array;
  /** The stored leaf hash. */
  recorded: Uint8Array;
  /** 1 where a row with that index was found. */
  present: Uint8Array;
  /** The stored subtree hashes of the rows, concatenated; row i's start (in hashes) is nodeStart[i − from]. */
  nodes: Uint8Array;
  nodeStart: Uint32Array;
  /** How many hashes each row stores (−1: not a whole number of hashes). */
  storedCount: Int32Array;
  problems: Problem[];
  seals: { index: number; details: SealDetails }[];
}

const HASH = 32;

export async function scanRange(
  pages: AsyncIterable<AuditEntryRow[]>,
  from: number,
  to: number,
  size: number,
): Promise<RangeScan> {
  const n = Math.max(0, to - from);
  const recomputed = new Uint8Array(n * HASH);
  const recorded = new Uint8Array(n * HASH);
  const present = new Uint8Array(n);
  // A range's rows store at most one hash per row plus one per level above its start (trailing 1 bits).
  const nodes = new Uint8Array((n + 64) * HASH);
  const nodeStart = new Uint32Array(n + 1);
  const storedCount = new Int32Array(n);
  let nodeCount = 0;
  const problems: Problem[] = [];
  const seals: { index: number; details: SealDetails }[] = [];
  const flag = (index: number, reason: string) => problems.push({ index, reason });
  let expected = from;

  for await (const rows of pages) {
    for (const row of rows) {
      if (row.idx !== expected) {
        flag(Math.min(row.idx, expected), `entry ${expected} is missing (next stored index is ${row.idx})`);
        if (row.idx < expected) continue;
        expected = row.idx;
      }
      expected += 1;
      if (row.idx >= size) {
        flag(row.idx, `entry ${row.idx} lies beyond the log's size ${size}`);
        continue;
      }
      if (row.idx >= to) continue; // the next range's (only the last range reads past its end)
      const k = row.idx - from;
      present[k] = 1;
      recorded.set(row.leaf_hash, k * HASH);
      const leafHash = row.leaf === null ? row.leaf_hash : hashLeaf(row.leaf);
      recomputed.set(leafHash, k * HASH);
      if (row.leaf !== null) {
        if (!leafHash.equals(row.leaf_hash)) flag(row.idx, `entry ${row.idx} does not hash to its stored leaf hash`);
        const entry = parseEntry(row.leaf);
        if (!entry) flag(row.idx, `entry ${row.idx} is not a valid audit entry`);
        else {
          const mismatch = columnMismatch(row, entry);
          if (mismatch) flag(row.idx, `entry ${row.idx}: column ${mismatch} differs from the entry`);
          if (entry.action === SEAL_ACTION) {
            const details = sealDetails(entry.details);
            if (details) seals.push({ index: row.idx, details });
          }
        }
      }
      const stored = row.hashes;
      const len = stored?.length ?? 0;
      storedCount[k] = len % HASH === 0 ? len / HASH : -1;
      nodeStart[k] = nodeCount;
      const room = Math.min(len - (len % HASH), nodes.length - nodeCount * HASH);
      if (stored && room > 0) {
        nodes.set(stored.subarray(0, room), nodeCount * HASH);
        nodeCount += room / HASH;
      }
      nodeStart[k + 1] = nodeCount;
    }
  }
  if (expected < to) flag(expected, `entries ${expected}..${to - 1} are missing`);
  return { from, to, recomputed, recorded, present, nodes, nodeStart, storedCount, problems, seals };
}

function parseEntry(leaf: string): AuditEntry | null {
  try {
    const e = JSON.parse(leaf) as AuditEntry;
    return typeof e === 'object' && e !== null && typeof e.action === 'string' && typeof e.actor === 'object'
      ? e
      : null;
  } catch {
    return null;
  }
}

/** The first searchable column that says something the entry does not. */
function columnMismatch(row: AuditEntryRow, e: AuditEntry): string | null {
  if (row.time !== e.time) return 'time';
  if (row.actor_kind !== e.actor.kind) return 'actor_kind';
  if (row.actor_id !== e.actor.id) return 'actor_id';
  if (row.actor_name !== (e.actor.name ?? null)) return 'actor_name';
  if (row.action !== e.action) return 'action';
  if (row.subject_kind !== (e.subject?.kind ?? null)) return 'subject_kind';
  if (row.subject_id !== (e.subject?.id ?? null)) return 'subject_id';
  if (row.outcome !== (e.outcome ?? null)) return 'outcome';
  if (row.source_ip !== (e.source?.ip ?? null)) return 'source_ip';
  return null;
}

/** The typed arrays whose memory moves with the result (postMessage transfer list). */
export function transferables(scan: RangeScan): ArrayBuffer[] {
  return [scan.recomputed, scan.recorded, scan.present, scan.nodes, scan.nodeStart, scan.storedCount].map(
    (a) => a.buffer as ArrayBuffer,
  );
}
