import type { Transaction } from 'kysely';
import { DAY_MS } from '../contracts/rollup-columns.js';
import type { ScopeFilters } from '../store/discovery-read.repo.js';
import type { Database, WorkspaceTiersTable } from '../store/database.js';
import type { Store } from '../store/store.js';
import { addTierRows, WORKSPACE_TIERS } from '../store/tiers.repo.js';
import {
  currentSessions,
  deletePersonBlocks,
  foldedSessions,
  foldedSessionsOf,
  sessionsLastSeen,
  sessionsOfPerson,
  sessionsPage,
  sessionsPastCursor,
  workspaceTierRows,
  writeSessionFolds,
  type SessionFolds,
} from '../store/workspace-tiers.repo.js';
import type { Use } from './discovery.js';
import { tierRead } from './tier-cache.js';
import { snapshotMemo, type Snapshot } from './tier-reads.js';
import { blocksOf, cover, splitWindow, spread, type Block } from './tiers.js';

/**
 * Workspace folders per person as a derived tier (migration 0013): discovery and the access graph count, per
 * (folder, person), the sessions overlapping a window that reported the folder — calls = sessions, first/last seen
 * their earliest first and latest last activity — over every session, exactly.
 *
 * A session is counted in the day of its last activity (`workspace_tiers`, dyadic blocks like the other tiers);
 * `session_folders` keeps what is counted for it. Sessions change only through their events (ingest updates the
 * session row in the transaction that inserts them), so after folding a chunk of events the refresher re-reads
 * the sessions those events belong to, takes their old contribution out and adds the new one. Sessions count
 * exactly; first/last of a row may keep a session's earlier values after it moved on, which never shows: that
 * session still overlaps any window holding the row, under the same key, with an earlier first and a later last.
 * Only a session that changes person, team, department or folders could leave a value no session has: the
 * refresher then rebuilds that person's rows of the blocks concerned from `session_folders`.
 */

/** The folders a session's `workspace_paths` names (as `usesFromSessions` reads them): distinct, non-empty. */
export function foldersOf(paths: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(paths);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return [...new Set(parsed.filter((x): x is string => typeof x === 'string' && x !== ''))];
}

const sameKey = (a: SessionFolds, b: SessionFolds) =>
  a.org_id === b.org_id &&
  a.person_id === b.person_id &&
  a.team === b.team &&
  a.department === b.department &&
  a.workspace_paths === b.workspace_paths;

/** Neutral first/last for a contribution taken out (the stored values stay). */
const NO_FIRST = Number.MAX_SAFE_INTEGER;

/** One session's count for one folder, in the day of its last activity (`spread` puts it in the blocks). */
type Contribution = Omit<WorkspaceTiersTable, 'span' | 'start'> & { day: number };

function contributions(s: SessionFolds, sign: 1 | -1): Contribution[] {
  return foldersOf(s.workspace_paths).map((folder) => ({
    org_id: s.org_id,
    day: s.last_seen,
    person_id: s.person_id,
    team: s.team,
    department: s.department,
    folder,
    sessions: sign,
    first_seen: sign > 0 ? s.first_seen : NO_FIRST,
    last_seen: sign > 0 ? s.last_seen : 0,
  }));
}

/**
 * Brings the tier to what `now` (sessions as they are) says, from what `before` (their `session_folders` rows)
 * counted. Returns the longest session written.
 */
async function applySessions(
  trx: Transaction<Database>,
  store: Store,
  before: ReadonlyMap<string, SessionFolds>,
  now: readonly SessionFolds[],
  through: number,
): Promise<number> {
  const items: Contribution[] = [];
  const changed: SessionFolds[] = [];
  /** (org, person) → blocks to rebuild from session_folders. */
  const rebuild = new Map<string, { org: string; person: string; blocks: Map<string, Block> }>();
  let longest = 0;
  for (const s of now) {
    const old = before.get(s.session_id);
    if (old && sameKey(old, s) && old.first_seen === s.first_seen && old.last_seen === s.last_seen) continue;
    changed.push(s);
    longest = Math.max(longest, s.last_seen - s.first_seen);
    if (old) {
      items.push(...contributions(old, -1));
      if (!sameKey(old, s)) {
        const k = `${old.org_id}\u0001${old.person_id}`;
        let r = rebuild.get(k);
        if (!r) rebuild.set(k, (r = { org: old.org_id, person: old.person_id, blocks: new Map() }));
        for (const b of blocksOf(old.last_seen, through)) r.blocks.set(`${b.span}/${b.start}`, b);
      }
    }
    items.push(...contributions(s, 1));
  }
  await writeSessionFolds(trx, store, changed);
  await addTierRows(trx, store, WORKSPACE_TIERS, spread(items, through, WORKSPACE_TIERS));
  for (const { org, person, blocks } of rebuild.values()) {
    const list = [...blocks.values()];
    await deletePersonBlocks(trx, org, person, list);
    const rows = new Map<string, Record<string, unknown>>();
    for (const b of list) {
      for (const s of await foldedSessionsOf(trx, org, person, b.start, b.start + b.span * DAY_MS)) {
        for (const c of contributions(s, 1)) {
          const k = [b.span, b.start, c.team, c.department, c.folder].join('\u0001');
          const row = rows.get(k);
          if (!row) {
            const { org_id, person_id, team, department, folder, first_seen, last_seen } = c;
            const block = { span: b.span, start: b.start };
            rows.set(k, { org_id, ...block, person_id, team, department, folder, sessions: 1, first_seen, last_seen });
            continue;
          }
          row.sessions = (row.sessions as number) + 1;
          row.first_seen = Math.min(row.first_seen as number, c.first_seen);
          row.last_seen = Math.max(row.last_seen as number, c.last_seen);
        }
      }
    }
    await addTierRows(trx, store, WORKSPACE_TIERS, [...rows.values()]);
  }
  return longest;
}

/** Brings the tier to what `now` says, from what `session_folders` counted for those sessions. */
async function refold(
  trx: Transaction<Database>,
  store: Store,
  now: readonly SessionFolds[],
  through: number,
): Promise<number> {
  const folded = await foldedSessions(
    trx,
    now.map((s) => s.session_id),
  );
  return applySessions(trx, store, new Map(folded.map((r) => [r.session_id, r])), now, through);
}

/**
 * The refresher, after folding a chunk of events: the sessions those events belong to, counted as they are now.
 * Returns the longest session written (for `max_session_ms`).
 */
export async function foldSessions(
  trx: Transaction<Database>,
  store: Store,
  ids: readonly string[],
  through: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  return refold(trx, store, await currentSessions(trx, ids), through);
}

/** Fills the tier from every session (once, after migration 0013 on a store the refresher had already read). */
export async function fillWorkspaceTiers(trx: Transaction<Database>, store: Store, through: number): Promise<number> {
  let after = '';
  let longest = 0;
  for (;;) {
    const page = await sessionsPage(trx, after, 5_000);
    if (page.length === 0) return longest;
    longest = Math.max(longest, await refold(trx, store, page, through));
    after = (page[page.length - 1] as SessionFolds).session_id;
  }
}

/** The sessions events past the cursor belong to: as counted (`session_folders`) and as they are now. */
function pastCursorSessions(s: Snapshot) {
  return snapshotMemo(s, 'workspace sessions past cursor', async () => {
    const ids = await sessionsPastCursor(s.trx, s.cursor.event_id);
    const [folded, now] = [await foldedSessions(s.trx, ids), await currentSessions(s.trx, ids)];
    return { ids: new Set(ids), folded, now };
  });
}

type Uses = Map<string, Use>;

/** Counts `calls` sessions of a (folder, person) whose activity spans [first, last] into `uses`. */
function addUse(uses: Uses, folder: string, person: string, first: number, last: number, calls: number): void {
  const k = `${folder}\u0001${person}`;
  const u = uses.get(k);
  if (!u) uses.set(k, { value: folder, person_id: person, first_seen: first, last_seen: last, calls });
  else {
    u.first_seen = Math.min(u.first_seen, first);
    u.last_seen = Math.max(u.last_seen, last);
    u.calls += calls;
  }
}

function addSession(uses: Uses, r: SessionFolds): void {
  for (const folder of foldersOf(r.workspace_paths)) addUse(uses, folder, r.person_id, r.first_seen, r.last_seen, 1);
}

/**
 * One use per (folder, person) from every session overlapping [from, to) that reported folders (within a team or
 * department): calls = sessions, first/last seen = their earliest first and latest last activity — what
 * `usesFromSessions` gives over the raw sessions, read as
 * - the tier blocks covering the window's whole days (sessions last active in them, as the refresher counted them),
 * - minus what they count for sessions that events past the cursor belong to, plus those sessions as they are now,
 * - plus the sessions last active in the partial days, or after the window but started in it (at most the longest
 *   folded session after it), as they are now.
 */
export async function workspaceUses(
  s: Snapshot,
  org: string,
  from: number,
  to: number,
  scope: ScopeFilters = {},
): Promise<Use[]> {
  const uses: Uses = new Map();
  const inScope = (r: SessionFolds) =>
    r.org_id === org &&
    (scope.team === undefined || r.team === scope.team) &&
    (scope.department === undefined || r.department === scope.department);
  if (s.cursor.max_session_ms < 0) {
    // Not filled yet (migration 0013 on a store the refresher had read): every overlapping session, raw.
    for (const r of await sessionsLastSeen(s.trx, org, from, Number.MAX_SAFE_INTEGER, to, scope)) addSession(uses, r);
    return [...uses.values()];
  }
  const { days } = splitWindow(from, to);
  const inDays = (t: number) => days !== null && t >= days.from && t < days.to;
  const past = await pastCursorSessions(s);
  const exact = new Set<string>();
  if (days) {
    const blocks = cover(days.from, days.to, s.cursor.tiers_through);
    const stored = await tierRead(s, ['workspace uses', org, blocks, scope], async () => {
      const out: Uses = new Map();
      for (const r of await workspaceTierRows(s.trx, org, blocks, scope))
        addUse(out, r.folder, r.person_id, r.first_seen, r.last_seen, r.sessions);
      return out;
    });
    for (const [k, u] of stored) uses.set(k, { ...u });
    const now = new Map(past.now.map((r) => [r.session_id, r]));
    for (const f of past.folded) {
      if (!inDays(f.last_seen) || !inScope(f)) continue;
      for (const folder of foldersOf(f.workspace_paths)) {
        const u = uses.get(`${folder}\u0001${f.person_id}`);
        if (u) u.calls -= 1;
      }
      // Its first/last may stay in rows no session of this key has any more: that person is read raw below.
      const n = now.get(f.session_id);
      if (!n || !sameKey(f, n)) exact.add(f.person_id);
    }
  }
  // Partial days, and sessions after the window that started in it: only the folded ones are bounded in length.
  const reach = to + Math.max(0, s.cursor.max_session_ms) + 1;
  const ranges: [number, number][] = days
    ? [
        [from, days.from],
        [days.to, reach],
      ]
    : [[from, reach]];
  for (const [a, b] of ranges) {
    for (const r of await sessionsLastSeen(s.trx, org, a, b, to, scope))
      if (!past.ids.has(r.session_id)) addSession(uses, r);
  }
  for (const r of past.now) if (inScope(r) && r.last_seen >= from && r.first_seen < to) addSession(uses, r);
  for (const person of exact) {
    for (const [k, u] of uses) if (u.person_id === person) uses.delete(k);
    for (const r of await sessionsOfPerson(s.trx, org, person, from, to, scope)) addSession(uses, r);
  }
  return [...uses.values()].filter((u) => u.calls > 0);
}
