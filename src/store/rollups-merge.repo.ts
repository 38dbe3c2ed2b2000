import { sql, type Kysely, type Transaction } from 'kysely';
import { ROLLUP_COUNTERS, ROLLUP_DIMENSIONS } from '../contracts/rollup-columns.js';
import type { Database } from './database.js';

type Db = Kysely<Database> | Transaction<Database>;

const KEY = ['org_id', 'hour', ...ROLLUP_DIMENSIONS] as const;
const SESSION_HOUR_KEY = ['org_id', 'hour', 'session_id', 'person_id', 'department', 'team', 'surface'] as const;
const PERSON_DAY_KEY = ['org_id', 'day', 'person_id', 'department', 'team', 'surface'] as const;

/**
 * An identity merge moves `fromId`'s rollups onto `intoId` (people.repo.ts mergePeople), so rollups stay what a
 * rebuild from the repointed events would give. Counters add into any row the survivor already has. A session
 * that both ids were active in during one hour (the merge happened mid-session) was counted once for each: after
 * the move it is one session-hour, so the survivor's `sessions` loses one per such twin.
 */
export async function moveRollups(db: Db, fromId: string, intoId: string): Promise<void> {
  const twins = await db
    .selectFrom('rollup_session_hours as a')
    .innerJoin('rollup_session_hours as b', (j) =>
      j
        .onRef('b.org_id', '=', 'a.org_id')
        .onRef('b.hour', '=', 'a.hour')
        .onRef('b.session_id', '=', 'a.session_id')
        .onRef('b.department', '=', 'a.department')
        .onRef('b.team', '=', 'a.team')
        .onRef('b.surface', '=', 'a.surface'),
    )
    .select(['a.org_id', 'a.hour', 'a.department', 'a.team', 'a.surface'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('a.person_id', '=', fromId)
    .where('b.person_id', '=', intoId)
    .groupBy(['a.org_id', 'a.hour', 'a.department', 'a.team', 'a.surface'])
    .execute();

  const moved = KEY.map((c) =>
    c === 'person_id' ? sql<string>`cast(${intoId} as text)`.as('person_id') : sql.ref(c).as(c),
  );
  await db
    .insertInto('rollups_hourly')
    .columns([...KEY, ...ROLLUP_COUNTERS])
    .expression(
      db
        .selectFrom('rollups_hourly')
        .select([...moved, ...ROLLUP_COUNTERS.map((c) => sql.ref(c).as(c))])
        .where('person_id', '=', fromId),
    )
    .onConflict((oc) =>
      oc
        .columns([...KEY])
        .doUpdateSet(
          Object.fromEntries(
            ROLLUP_COUNTERS.map((c) => [c, sql`rollups_hourly.${sql.ref(c)} + excluded.${sql.ref(c)}`]),
          ),
        ),
    )
    .execute();
  await db.deleteFrom('rollups_hourly').where('person_id', '=', fromId).execute();
  for (const t of twins) {
    await db
      .updateTable('rollups_hourly')
      .set({ sessions: sql`sessions - ${Number(t.n)}` })
      .where('org_id', '=', t.org_id)
      .where('hour', '=', t.hour)
      .where('person_id', '=', intoId)
      .where('team', '=', t.team)
      .where('department', '=', t.department)
      .where('surface', '=', t.surface)
      .where('model', '=', '')
      .where('agent', '=', '')
      .where('workflow', '=', '')
      .where('skill', '=', '')
      .where('plugin', '=', '')
      .where('mcp_server', '=', '')
      .execute();
  }

  const sessionHour = SESSION_HOUR_KEY.map((c) =>
    c === 'person_id' ? sql<string>`cast(${intoId} as text)`.as(c) : sql.ref(c).as(c),
  );
  await db
    .insertInto('rollup_session_hours')
    .columns([...SESSION_HOUR_KEY])
    .expression(db.selectFrom('rollup_session_hours').select(sessionHour).where('person_id', '=', fromId))
    .onConflict((oc) => oc.columns([...SESSION_HOUR_KEY]).doNothing())
    .execute();
  await db.deleteFrom('rollup_session_hours').where('person_id', '=', fromId).execute();

  const personDay = PERSON_DAY_KEY.map((c) =>
    c === 'person_id' ? sql<string>`cast(${intoId} as text)`.as(c) : sql.ref(c).as(c),
  );
  await db
    .insertInto('rollup_person_days')
    .columns([...PERSON_DAY_KEY])
    .expression(db.selectFrom('rollup_person_days').select(personDay).where('person_id', '=', fromId))
    .onConflict((oc) => oc.columns([...PERSON_DAY_KEY]).doNothing())
    .execute();
  await db.deleteFrom('rollup_person_days').where('person_id', '=', fromId).execute();
}
