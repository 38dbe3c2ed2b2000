import { auditRowsInRange, listCheckpoints, readAuditState } from '../store/audit.repo.js';
import { eventsByIdRange, eventIdsBetween } from '../store/events-seal.repo.js';
import type { Store } from '../store/store.js';
import { startThread } from '../thread-entry.js';
import { SealDigest, type SealDetails } from './activity-seal.js';
import { parseCheckpoint } from './checkpoint.js';
import { locate } from './locate.js';
import { Frontier, nodeOwner, type NodeRef } from './merkle.js';
import { verifyNote } from './signed-note.js';
import { scanRange, type Problem, type RangeScan } from './verify-scan.js';

/**
 * `steward audit check`: the stored log and the sealed activity rows against the signed checkpoints (issue 7,
 * "Tamper tests"). Every row is read once (a large log in two ranges on two threads, verify-scan.ts), then the tree
 * is rebuilt in index order:
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

const HASH = 32;

/** Where the store is, so that a second thread can open its own connection; without it the check runs on one. */
export interface StoreLocation {
  dataDir: string;
  databaseUrl?: string | undefined;
  pgSchema?: string | undefined;
}

export interface CheckOptions {
  location?: StoreLocation;
  /** Logs at least this large are scanned on two threads (default PARALLEL_FROM). */
  parallelFrom?: number;
}

const PARALLEL_FROM = 50_000;

export async function checkStore(
  store: Store,
  verifierKeys: readonly string[],
  options: CheckOptions = {},
): Promise<CheckReport> {
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

  // Pass 1, per row (two ranges on two threads for a large log): content, columns, seals, hashes copied out.
  const scans = await scanAll(store, size, options);
  const seals: { index: number; details: SealDetails }[] = [];
  for (const scan of scans) {
    problems.push(...scan.problems);
    seals.push(...scan.seals);
  }
  const scanOf = (i: number): RangeScan =>
    (scans.length > 1 && i >= (scans[1] as RangeScan).from ? scans[1] : scans[0]) as RangeScan;
  const recomputedAt = (i: number): Buffer | null => slice(scanOf(i), 'recomputed', i);
  const recordedAt = (i: number): Buffer | null => slice(scanOf(i), 'recorded', i);

  // Pass 2, in order: rebuild the tree from the content, compare each row's stored subtree hashes with those its
  // append completed, and the root at every trusted checkpoint.
  const frontier = new Frontier();
  let cpAt = 0;
  let firstCheckpointMismatch: { size: number; root: Buffer } | null = null;
  while (cpAt < trusted.length && (trusted[cpAt] as { size: number }).size === 0) cpAt += 1;
  for (let i = 0; i < size; i++) {
    const scan = scanOf(i);
    const k = i - scan.from;
    const leafHash = Buffer.from(scan.recomputed.buffer, scan.recomputed.byteOffset + k * HASH, HASH);
    const created = frontier.append(leafHash);
    if (scan.present[k]) {
      const wrongLevel = storedMismatch(created, scan, k);
      if (wrongLevel !== null) {
        // The subtree's first leaf: its content or the stored hash is wrong, and nothing before it says which.
        const from = wrongLevel === 0 ? i : i + 1 - 2 ** wrongLevel;
        const reason = `the subtree hash stored with entry ${i} (over entries ${from}..${i}) does not match them`;
        // A count that differs is this row's own fault; a differing hash only bounds the bad entry to its subtree.
        problems.push(wrongLevel === 0 ? { index: i, reason } : { index: from, end: i + 1, reason });
      }
    }
    while (cpAt < trusted.length && (trusted[cpAt] as { size: number }).size === frontier.size) {
      const cp = trusted[cpAt] as { size: number; root: Buffer };
      if (!firstCheckpointMismatch && !frontier.root().equals(cp.root)) firstCheckpointMismatch = cp;
      cpAt += 1;
    }
  }
  if (state && !frontier.root().equals(Frontier.fromBuffer(state.frontier).root())) {
    problems.push({ index: null, reason: 'the stored tree state does not match the stored entries' });
  }

  if (firstCheckpointMismatch) {
    const cp = firstCheckpointMismatch;
    const located = locate({
      size: cp.size,
      root: cp.root,
      recomputed: recomputedAt,
      recorded: recordedAt,
      recordedNode: (ref: NodeRef) => {
        const owner = nodeOwner(ref.level, ref.index);
        if (ref.level === 0 || owner >= size) return null;
        const scan = scanOf(owner);
        const k = owner - scan.from;
        if (!scan.present[k]) return null;
        const at = (scan.nodeStart[k] as number) + ref.level - 1;
        if (at >= (scan.nodeStart[k + 1] as number)) return null;
        return Buffer.from(scan.nodes.buffer, scan.nodes.byteOffset + at * HASH, HASH);
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
function storedMismatch(created: readonly Buffer[], scan: RangeScan, k: number): number | null {
  if (scan.storedCount[k] !== created.length - 1) return 0;
  const start = scan.nodeStart[k] as number;
  for (let level = 1; level < created.length; level++) {
    const at = (start + level - 1) * HASH;
    if (Buffer.compare(created[level] as Buffer, scan.nodes.subarray(at, at + HASH)) !== 0) return level;
  }
  return null;
}

function slice(scan: RangeScan, which: 'recomputed' | 'recorded', i: number): Buffer | null {
  const k = i - scan.from;
  if (k < 0 || k >= scan.to - scan.from || !scan.present[k]) return null;
  const a = scan[which];
  return Buffer.from(a.buffer, a.byteOffset + k * HASH, HASH);
}

/** Pass 1 over [0, size) and beyond: one range here, and for a large log a second one on another thread. */
async function scanAll(store: Store, size: number, options: CheckOptions): Promise<RangeScan[]> {
  const all = () => auditRowsInRange(store.db, 0, Number.MAX_SAFE_INTEGER, 5000, store.sqlite);
  if (!options.location || size < (options.parallelFrom ?? PARALLEL_FROM))
    return [await scanRange(all(), 0, size, size)];
  const mid = Math.floor(size / 2);
  const location = options.location;
  const other = scanOnThread(
    { ...location, ...(store.schema && store.dialect === 'postgres' ? { pgSchema: store.schema } : {}) },
    mid,
    size,
  );
  const mine = scanRange(auditRowsInRange(store.db, 0, mid, 5000, store.sqlite), 0, mid, size);
  const [first, second] = await Promise.all([mine, other.catch(() => null)]);
  // A thread that could not run (no worker support, a crash): the same scan here, only slower.
  const rest =
    second ??
    (await scanRange(auditRowsInRange(store.db, mid, Number.MAX_SAFE_INTEGER, 5000, store.sqlite), mid, size, size));
  return [first, rest];
}

function scanOnThread(location: StoreLocation, from: number, size: number): Promise<RangeScan> {
  return new Promise((resolve, reject) => {
    const worker = startThread(import.meta.url, 'verify-scan-thread', { workerData: { ...location, from, size } });
    worker.once('message', (msg: { ok: true; scan: RangeScan } | { ok: false; error: string }) => {
      void worker.terminate();
      if (msg.ok) resolve(msg.scan);
      else reject(new Error(msg.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`verification thread exited (${code})`)));
  });
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
