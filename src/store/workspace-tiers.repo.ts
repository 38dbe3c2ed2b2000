import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, SessionFoldersTable } from './database.js';
import type { ScopeFilters } from './discovery-read.repo.js';
import type { Store } from './store.js';
import { inBlocks, type BlockRef } from './tiers-read.repo.js';
import { prepared } from './tiers.repo.js';

/**
 * Reads and writes of the workspace-folder tier (migration 0013, analytics/workspace-tiers.ts): the sessions behind
 * it, what the tier counts for each of them, and the tier rows of a window's blocks.
 */
type Db = Kysely<Database> | Transaction<Database>;

/** A session's folder-relevant columns: '' for an absent person, team or department. */
export type SessionFolds = SessionFoldersTable;

const IN_CHUNK = 500;

async function byIds<T>(ids: readonly string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) out.push(...(await read(ids.slice(i, i + IN_CHUNK))));
  return out;
}

const numeric = (r: SessionFolds): SessionFolds => ({
  ...r,
  first_seen: Number(r.first_seen),
  last_seen: Number(r.last_seen),
});

/** Sessions that reported folders, with the columns the tier keeps. */
const sessionFolds = (db: Db) =>
  db
    .selectFrom('sessions')
    .select([
      'id as session_id',
      'org_id',
      sql<string>`coalesce(person_id, '')`.as('person_id'),
      sql<string>`coalesce(team, '')`.as('team'),
      sql<string>`coalesce(department, '')`.as('department'),
      sql<string>`workspace_paths`.as('workspace_paths'),
      'first_seen',
      'last_seen',
    ])
    .where('workspace_paths', 'is not', null);

/** The sessions (that reported folders) among `ids`, as they are now. */
export async function currentSessions(db: Db, ids: readonly string[]): Promise<SessionFolds[]> {
  const rows = await byIds(ids, (chunk) => sessionFolds(db).where('id', 'in', chunk).execute());
  return rows.map(numeric);
}

/** Sessions that reported folders, in id order after `afterId` (filling the tier the first time). */
export async function sessionsPage(db: Db, afterId: string, limit: number): Promise<SessionFolds[]> {
  const rows = await sessionFolds(db).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map(numeric);
}

/** What the tier counts for the sessions among `ids`. */
export async function foldedSessions(db: Db, ids: readonly string[]): Promise<SessionFolds[]> {
  const rows = await byIds(ids, (chunk) =>
    db.selectFrom('session_folders').selectAll().where('session_id', 'in', chunk).execute(),
  );
  return rows.map(numeric);
}

/** A person's folded sessions with their last activity in [from, to). */
export async function foldedSessionsOf(
  db: Db,
  org: string,
  person: string,
  from: number,
  to: number,
): Promise<SessionFolds[]> {
  const rows = await db
    .selectFrom('session_folders')
    .selectAll()
    .where('org_id', '=', org)
    .where('person_id', '=', person)
    .where('last_seen', '>=', from)
    .where('last_seen', '<', to)
    .execute();
  return rows.map(numeric);
}

export async function writeSessionFolds(
  trx: Transaction<Database>,
  store: Store,
  rows: readonly SessionFolds[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = [
    'session_id',
    'org_id',
    'person_id',
    'team',
    'department',
    'workspace_paths',
    'first_seen',
    'last_seen',
  ] as const;
  const head = `insert into session_folders (${columns.join(', ')}) values `;
  const tail =
    ` on conflict (session_id) do update set ` +
    columns
      .filter((c) => c !== 'session_id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
  if (store.sqlite) {
    const stmt = prepared(store, 'session_folders/write', () => head + `(${columns.map(() => '?').join(', ')})` + tail);
    for (const r of rows) stmt.run(columns.map((c) => r[c]));
    return;
  }
  for (let i = 0; i < rows.length; i += 2_000) {
    const tuples = rows.slice(i, i + 2_000).map((r) => sql`(${sql.join(columns.map((c) => r[c]))})`);
    await sql`${sql.raw(head)}${sql.join(tuples)}${sql.raw(tail)}`.execute(trx);
  }
}

/** Deletes a person's rows of some blocks (they are written again from `session_folders`). */
export async function deletePersonBlocks(
  trx: Transaction<Database>,
  org: string,
  person: string,
  blocks: readonly BlockRef[],
): Promise<void> {
  if (blocks.length === 0) return;
  await trx
    .deleteFrom('workspace_tiers')
    .where('org_id', '=', org)
    .where('person_id', '=', person)
    .where(inBlocks(blocks))
    .execute();
}

export interface WorkspaceTierRow {
  person_id: string;
  folder: string;
  sessions: number;
  first_seen: number;
  last_seen: number;
}

/**
 * Tier rows of the blocks (rows whose sessions all moved on are left out), within a team or department. One query per
 * block: SQLite does not search the primary key by a `(span, start) in (values …)` list, it scans the organisation.
 */
export async function workspaceTierRows(
  db: Db,
  org: string,
  blocks: readonly BlockRef[],
  scope: ScopeFilters,
): Promise<WorkspaceTierRow[]> {
  const out: WorkspaceTierRow[] = [];
  for (const b of blocks) {
    let q = db
      .selectFrom('workspace_tiers')
      .select(['person_id', 'folder', 'sessions', 'first_seen', 'last_seen'])
      .where('org_id', '=', org)
      .where('span', '=', b.span)
      .where('start', '=', b.start)
      .where('sessions', '>', 0);
    if (scope.team !== undefined) q = q.where('team', '=', scope.team);
    if (scope.department !== undefined) q = q.where('department', '=', scope.department);
    for (const r of await q.execute()) {
      out.push({
        person_id: r.person_id,
        folder: r.folder,
        sessions: Number(r.sessions),
        first_seen: Number(r.first_seen),
        last_seen: Number(r.last_seen),
      });
    }
  }
  return out;
}

/**
 * Sessions that events past the cursor belong to: the only ones whose rows may differ from what the tier counts.
 * Read in id order and made distinct here: a DISTINCT lets SQLite's planner walk the whole `events_session` index
 * instead of the few rows past the cursor.
 */
export async function sessionsPastCursor(db: Db, after: number): Promise<string[]> {
  const rows = await db
    .selectFrom('events')
    .select('session_id')
    .where('id', '>', after)
    .where('session_id', 'is not', null)
    .orderBy('id')
    .execute();
  return [...new Set(rows.map((r) => r.session_id as string))];
}

/**
 * Sessions (that reported folders) with their last activity in [from, to) and their first before `before`, within
 * a team or department, as they are now.
 */
export async function sessionsLastSeen(
  db: Db,
  org: string,
  from: number,
  to: number,
  before: number,
  scope: ScopeFilters,
): Promise<SessionFolds[]> {
  if (from >= to) return [];
  let q = sessionFolds(db)
    .where('org_id', '=', org)
    .where('last_seen', '>=', from)
    .where('last_seen', '<', to)
    .where('first_seen', '<', before);
  if (scope.team !== undefined) q = q.where('team', '=', scope.team);
  if (scope.department !== undefined) q = q.where('department', '=', scope.department);
  return (await q.execute()).map(numeric);
}

/** One person's sessions (that reported folders) overlapping [from, to), within a team or department, as they are now. */
export async function sessionsOfPerson(
  db: Db,
  org: string,
  person: string,
  from: number,
  to: number,
  scope: ScopeFilters,
): Promise<SessionFolds[]> {
  let q = sessionFolds(db).where('org_id', '=', org).where('last_seen', '>=', from).where('first_seen', '<', to);
  q = person === '' ? q.where('person_id', 'is', null) : q.where('person_id', '=', person);
  if (scope.team !== undefined) q = q.where('team', '=', scope.team);
  if (scope.department !== undefined) q = q.where('department', '=', scope.department);
  return (await q.execute()).map(numeric);
}
