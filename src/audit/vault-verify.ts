import type { AuditEntry } from '../contracts/audit.js';
import { auditRowsInRange, listCheckpoints, readAuditState, type AuditEntryRow } from '../store/audit.repo.js';
import { eventsByIdRange, eventIdsBetween } from '../store/events-seal.repo.js';
import type { Store } from '../store/store.js';
import { SEAL_ACTION, SealDigest, sealDetails, type SealDetails } from './activity-seal.js';
import { parseCheckpoint } from './checkpoint.js';
import { locate } from './locate.js';
import { Frontier, hashLeaf, nodeOwner, type NodeRef } from './merkle.js';
import { verifyNote } from './signed-note.js';

/**
 * `steward audit check`: the stored log and the sealed activity rows against the signed checkpoints (issue 7,
 * "Tamper tests"). Every row is read once, in index order:
 * - indexes must run 0, 1, 2… with no gap, duplicate or extra row (a deleted, inserted or reordered row breaks it);
 * - each entry's canonical JSON must hash to its stored leaf hash, and its searchable columns must say what the
 *   JSON says (a row edited to hide from forensic search is caught);
 * - the subtree hashes each row stores must be the ones its append completed (proofs are built from them);
 * - the tree rebuilt from the content must reproduce the root of every checkpoint whose signature verifies with a
 *   published key; where one does not, the first bad index is located by authenticated descent (locate.ts);
 * - every `activity.seal` entry's events must still be stored, with the sealed columns unchanged, and no event may
 *   sit between sealed ids unsealed.
 * The report names the first bad index (the smallest index of an entry found wrong), or none.
 */
export interface CheckReport {
  ok: boolean;
  entries: number;
  seals: number;
  sealedEvents: number;
  checkpointSize: number;
  firstBadIndex: number | null;
  reason: string;
}

interface Problem {
  index: number | null;
  reason: string;
  /**
   * Set when the finding only bounds the first bad index to [index, end): a precise finding inside the range is
   * the better answer, so the range counts only when there is none.
   */
  end?: number;
}

const HASH = 32;

export async function checkStore(store: Store, verifierKeys: readonly string[]): Promise<CheckReport> {
  const problems: Problem[] = [];
  const state = await readAuditState(store.db);
  const size = state?.size ?? 0;

  // Checkpoints: only those signed by a published key are trusted; any other row in the table is itself tampering.
  const trusted: { size: number; root: Buffer }[] = [];
  for (const cp of await listCheckpoints(store.db)) {
    const text = verifyNote(cp.note, verifierKeys);
    if (text === null) {
      problems.push({ index: null, reason: `checkpoint #${cp.id} (size ${cp.size}) is not signed by a published key` });
      continue;
    }
    const parsed = parseCheckpoint(text);
    if (parsed.size !== cp.size || !parsed.root.equals(cp.root) || parsed.size > size) {
      problems.push({ index: null, reason: `checkpoint #${cp.id} does not match the note it stores, or the log` });
      continue;
    }
    trusted.push({ size: parsed.size, root: parsed.root });
  }
  trusted.sort((a, b) => a.size - b.size);

  const recomputed = Buffer.alloc(size * HASH);
  const recorded = Buffer.alloc(size * HASH);
  const present = new Uint8Array(size);
  // Every stored subtree hash, row by row (row i's start in hash units at nodeStart[i]): a third witness for locate.
  const nodes = Buffer.alloc(size * HASH);
  const nodeStart = new Uint32Array(size + 1);
  let nodeCount = 0;
  const frontier = new Frontier();
  const seals: { index: number; details: SealDetails }[] = [];
  let cpAt = 0;
  let expected = 0;
  let firstCheckpointMismatch: { size: number; root: Buffer } | null = null;
  const flag = (index: number, reason: string) => problems.push({ index, reason });

  for await (const rows of auditRowsInRange(store.db, 0, Number.MAX_SAFE_INTEGER, 5000, store.sqlite)) {
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
      present[row.idx] = 1;
      row.leaf_hash.copy(recorded, row.idx * HASH);
      const leafHash = row.leaf === null ? row.leaf_hash : hashLeaf(row.leaf);
      leafHash.copy(recomputed, row.idx * HASH);
      if (row.leaf !== null) {
        if (!leafHash.equals(row.leaf_hash)) flag(row.idx, `entry ${row.idx} does not hash to its stored leaf hash`);
        const entry = parseEntry(row);
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
      const created = frontier.append(leafHash);
      const stored = row.hashes ?? Buffer.alloc(0);
      nodeStart[row.idx] = nodeCount;
      const room = Math.min(stored.length - (stored.length % HASH), nodes.length - nodeCount * HASH);
      if (room > 0) {
        stored.copy(nodes, nodeCount * HASH, 0, room);
        nodeCount += room / HASH;
      }
      nodeStart[row.idx + 1] = nodeCount;
      const wrongLevel = storedMismatch(created, stored);
      if (wrongLevel !== null) {
        // The subtree's first leaf: its content or the stored hash is wrong, and nothing before it says which.
        const from = wrongLevel === 0 ? row.idx : row.idx + 1 - 2 ** wrongLevel;
        const reason = `the subtree hash stored with entry ${row.idx} (over entries ${from}..${row.idx}) does not match them`;
        // A count that differs is this row's own fault; a differing hash only bounds the bad entry to its subtree.
        problems.push(wrongLevel === 0 ? { index: row.idx, reason } : { index: from, end: row.idx + 1, reason });
      }
      while (cpAt < trusted.length && (trusted[cpAt] as { size: number }).size === frontier.size) {
        const cp = trusted[cpAt] as { size: number; root: Buffer };
        if (!firstCheckpointMismatch && !frontier.root().equals(cp.root)) firstCheckpointMismatch = cp;
        cpAt += 1;
      }
    }
  }
  if (expected < size) flag(expected, `entries ${expected}..${size - 1} are missing`);
  while (cpAt < trusted.length && (trusted[cpAt] as { size: number }).size === 0) cpAt += 1;
  if (cpAt < trusted.length) {
    firstCheckpointMismatch ??= trusted[cpAt] as { size: number; root: Buffer };
  }
  if (state && frontier.size === size && !frontier.root().equals(Frontier.fromBuffer(state.frontier).root())) {
    problems.push({ index: null, reason: 'the stored tree state does not match the stored entries' });
  }

  if (firstCheckpointMismatch) {
    const cp = firstCheckpointMismatch;
    const located = locate({
      size: cp.size,
      root: cp.root,
      recomputed: (i: number) => (present[i] ? recomputed.subarray(i * HASH, (i + 1) * HASH) : null),
      recorded: (i: number) => (present[i] ? recorded.subarray(i * HASH, (i + 1) * HASH) : null),
      recordedNode: (ref: NodeRef) => {
        const owner = nodeOwner(ref.level, ref.index);
        if (ref.level === 0 || owner >= size || !present[owner]) return null;
        const at = (nodeStart[owner] as number) + ref.level - 1;
        if (at >= (nodeStart[owner + 1] as number)) return null;
        return nodes.subarray(at * HASH, (at + 1) * HASH);
      },
    });
    if (located) {
      problems.push({
        index: located.index,
        ...(located.exact ? {} : { end: located.end }),
        reason: located.exact
          ? `entry ${located.index} is not the entry the signed checkpoint of size ${cp.size} covers`
          : `the log no longer reproduces the signed checkpoint of size ${cp.size}: the first bad entry lies in ${located.index}..${located.end - 1}`,
      });
    }
  }

  const sealed = await checkSeals(store, seals, problems);
  resolveRanges(problems);
  problems.sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
  const first = problems[0];
  const checkpointSize = trusted.length ? (trusted[trusted.length - 1] as { size: number }).size : 0;
  if (!first && trusted.length === 0 && size > 0) {
    return report(false, size, seals.length, sealed, 0, null, 'no checkpoint signed by a published key covers the log');
  }
  if (!first) return report(true, size, seals.length, sealed, checkpointSize, null, 'ok');
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return report(false, size, seals.length, sealed, checkpointSize, first.index, first.reason + more);
}

/** Drops range findings that hold a precise finding (the precise one names the bad entry better). */
function resolveRanges(problems: Problem[]): void {
  const precise = problems.filter((p) => p.end === undefined && p.index !== null).map((p) => p.index as number);
  for (let i = problems.length - 1; i >= 0; i--) {
    const p = problems[i] as Problem;
    if (p.end === undefined || p.index === null) continue;
    const from = p.index;
    const end = p.end;
    if (precise.some((x) => x >= from && x < end)) problems.splice(i, 1);
  }
}

/** The first level whose stored hash differs from the one the append completed (0: the count differs), or null. */
function storedMismatch(created: readonly Buffer[], stored: Buffer): number | null {
  if (stored.length !== (created.length - 1) * HASH) return 0;
  for (let level = 1; level < created.length; level++) {
    if (!(created[level] as Buffer).equals(stored.subarray((level - 1) * HASH, level * HASH))) return level;
  }
  return null;
}

function report(
  ok: boolean,
  entries: number,
  seals: number,
  sealedEvents: number,
  checkpointSize: number,
  firstBadIndex: number | null,
  reason: string,
): CheckReport {
  return { ok, entries, seals, sealedEvents, checkpointSize, firstBadIndex, reason };
}

function parseEntry(row: AuditEntryRow): AuditEntry | null {
  try {
    const e = JSON.parse(row.leaf as string) as AuditEntry;
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

/** Re-digests every sealed batch; an event edited, deleted or slipped in between sealed ids names its seal. */
async function checkSeals(
  store: Store,
  seals: readonly { index: number; details: SealDetails }[],
  problems: Problem[],
): Promise<number> {
  let sealedEvents = 0;
  const sealOf: { first: number; last: number; index: number }[] = [];
  for (const s of seals) {
    const digest = new SealDigest();
    const ids: number[] = [];
    for (const [first, last] of s.details.ids) {
      sealOf.push({ first, last, index: s.index });
      for await (const rows of eventsByIdRange(store.db, first, last)) {
        for (const r of rows) {
          ids.push(r.id);
          digest.addRecord(r as unknown as Record<string, unknown>);
        }
      }
    }
    sealedEvents += s.details.count;
    if (digest.count !== s.details.count) {
      const missing = firstMissing(s.details.ids, ids);
      problems.push({
        index: s.index,
        reason:
          `activity sealed by entry ${s.index}: ${s.details.count - digest.count} event row(s) missing` +
          (missing !== null ? ` (first: event id ${missing})` : ''),
      });
    } else if (digest.hex() !== s.details.digest) {
      problems.push({ index: s.index, reason: `activity sealed by entry ${s.index} was changed after it was sealed` });
    }
  }
  if (sealOf.length) {
    sealOf.sort((a, b) => a.first - b.first);
    const lo = (sealOf[0] as { first: number }).first;
    const hi = Math.max(...sealOf.map((s) => s.last));
    let k = 0;
    for await (const ids of eventIdsBetween(store.db, lo, hi)) {
      for (const id of ids) {
        while (k < sealOf.length && (sealOf[k] as { last: number }).last < id) k += 1;
        const s = sealOf[k];
        if (!s || id < s.first) {
          // Not in any range: report it against the seal that follows it (the first whose range ends after it).
          problems.push({
            index: s?.index ?? null,
            reason: `event id ${id} lies between sealed events but no seal covers it (inserted after sealing)`,
          });
          return sealedEvents;
        }
      }
    }
  }
  return sealedEvents;
}

function firstMissing(ranges: readonly [number, number][], found: readonly number[]): number | null {
  const have = new Set(found);
  for (const [a, b] of ranges) for (let id = a; id <= b; id++) if (!have.has(id)) return id;
  return null;
}
