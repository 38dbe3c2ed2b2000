import type { Kysely, Transaction } from 'kysely';
import type { Alias } from '../contracts/canonical.js';
import type { Database, PeopleTable } from './database.js';
import { moveRollups } from './rollups-merge.repo.js';
import { moveTiers } from './tiers.repo.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface AliasRow {
  kind: string;
  value: string;
  person_id: string;
}

export async function findAliases(db: Db, aliases: readonly Alias[]): Promise<AliasRow[]> {
  if (aliases.length === 0) return [];
  return db
    .selectFrom('person_aliases')
    .select(['kind', 'value', 'person_id'])
    .where((eb) => eb.or(aliases.map((a) => eb.and([eb('kind', '=', a.kind), eb('value', '=', a.value)]))))
    .execute();
}

export async function insertPerson(db: Db, person: PeopleTable): Promise<void> {
  await db.insertInto('people').values(person).execute();
}

export async function attachAliases(db: Db, personId: string, aliases: readonly Alias[], now: number): Promise<void> {
  if (aliases.length === 0) return;
  await db
    .insertInto('person_aliases')
    .values(
      aliases.map((a) => ({ kind: a.kind, value: a.value, person_id: personId, first_seen: now, last_seen: now })),
    )
    .onConflict((oc) => oc.columns(['kind', 'value']).doNothing())
    .execute();
}

export async function getPeopleByIds(db: Db, ids: readonly string[]): Promise<PeopleTable[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('people').selectAll().where('id', 'in', ids).execute();
}

/**
 * Folds `fromId` into `intoId`: aliases, events, sessions, metric points and rollups are repointed; the loser keeps a
 * `merged_into` tombstone (so old links still resolve) and the merge is recorded with the alias that linked them.
 */
export async function mergePeople(db: Db, fromId: string, intoId: string, link: Alias, now: number): Promise<void> {
  await db.updateTable('person_aliases').set({ person_id: intoId }).where('person_id', '=', fromId).execute();
  await db.updateTable('events').set({ person_id: intoId }).where('person_id', '=', fromId).execute();
  await db.updateTable('sessions').set({ person_id: intoId }).where('person_id', '=', fromId).execute();
  await db.updateTable('metric_points').set({ person_id: intoId }).where('person_id', '=', fromId).execute();
  await moveRollups(db, fromId, intoId);
  await moveTiers(db, fromId, intoId);
  const [from, into] = await Promise.all([
    db.selectFrom('people').selectAll().where('id', '=', fromId).executeTakeFirst(),
    db.selectFrom('people').selectAll().where('id', '=', intoId).executeTakeFirst(),
  ]);
  if (from && into) {
    await db
      .updateTable('people')
      .set({
        first_seen: Math.min(from.first_seen, into.first_seen),
        last_seen: Math.max(from.last_seen, into.last_seen),
        email: into.email ?? from.email,
        department: into.department ?? from.department,
        team: into.team ?? from.team,
        cost_center: into.cost_center ?? from.cost_center,
        display_name: into.email ?? from.email ?? into.display_name,
      })
      .where('id', '=', intoId)
      .execute();
  }
  await db.updateTable('people').set({ merged_into: intoId }).where('id', '=', fromId).execute();
  await db.updateTable('people').set({ merged_into: intoId }).where('merged_into', '=', fromId).execute();
  await db
    .insertInto('person_merges')
    .values({ from_id: fromId, into_id: intoId, at: now, alias_kind: link.kind, alias_value: link.value })
    .execute();
}

export interface PersonUpdate {
  id: string;
  lastSeen: number;
  firstSeen: number;
  email: string | null;
  department: string | null;
  team: string | null;
  costCenter: string | null;
}

/** Batch-end update: widen first/last seen, and take the newest organisational attributes a source sent. */
export async function applyPersonUpdates(db: Db, updates: Iterable<PersonUpdate>): Promise<void> {
  for (const u of updates) {
    const row = await db
      .selectFrom('people')
      .select(['first_seen', 'last_seen', 'email', 'display_name'])
      .where('id', '=', u.id)
      .executeTakeFirst();
    if (!row) continue;
    await db
      .updateTable('people')
      .set({
        first_seen: Math.min(row.first_seen, u.firstSeen),
        last_seen: Math.max(row.last_seen, u.lastSeen),
        ...(u.email && !row.email ? { email: u.email, display_name: u.email } : {}),
        ...(u.department ? { department: u.department } : {}),
        ...(u.team ? { team: u.team } : {}),
        ...(u.costCenter ? { cost_center: u.costCenter } : {}),
      })
      .where('id', '=', u.id)
      .execute();
  }
}
