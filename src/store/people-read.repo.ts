import type { Kysely } from 'kysely';
import type { Database, PeopleTable } from './database.js';

export interface KeysetCursor {
  t: number;
  id: string | number;
}

export interface PeopleFilter {
  department?: string | undefined;
  team?: string | undefined;
  q?: string | undefined;
  cursor?: KeysetCursor | undefined;
  limit: number;
}

/** People, most recently active first; merged-away people are hidden (their data now belongs to the survivor). */
export async function listPeople(db: Kysely<Database>, f: PeopleFilter): Promise<PeopleTable[]> {
  let q = db.selectFrom('people').selectAll().where('merged_into', 'is', null);
  if (f.department) q = q.where('department', '=', f.department);
  if (f.team) q = q.where('team', '=', f.team);
  if (f.q) {
    const like = `%${f.q.toLowerCase()}%`;
    q = q.where((eb) =>
      eb.or([eb(eb.fn('lower', ['display_name']), 'like', like), eb(eb.fn('lower', ['email']), 'like', like)]),
    );
  }
  if (f.cursor) {
    const c = f.cursor;
    q = q.where((eb) =>
      eb.or([eb('last_seen', '<', c.t), eb.and([eb('last_seen', '=', c.t), eb('id', '>', String(c.id))])]),
    );
  }
  return q
    .orderBy('last_seen', 'desc')
    .orderBy('id', 'asc')
    .limit(f.limit + 1)
    .execute();
}

/** A person by id; an id that was merged away resolves to the person it was merged into. */
export async function getPerson(db: Kysely<Database>, id: string): Promise<PeopleTable | undefined> {
  let row = await db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
  for (let hops = 0; row?.merged_into && hops < 10; hops++) {
    row = await db.selectFrom('people').selectAll().where('id', '=', row.merged_into).executeTakeFirst();
  }
  return row;
}

export async function getAliases(db: Kysely<Database>, personId: string): Promise<{ kind: string; value: string }[]> {
  return db
    .selectFrom('person_aliases')
    .select(['kind', 'value'])
    .where('person_id', '=', personId)
    .orderBy('kind')
    .orderBy('value')
    .execute();
}

export async function countPeople(db: Kysely<Database>): Promise<number> {
  const r = await db
    .selectFrom('people')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('merged_into', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
