import type { Kysely } from 'kysely';
import type { Database, EventRecord, SessionsTable } from './database.js';
import type { KeysetCursor } from './people-read.repo.js';

export interface SessionFilter {
  personId?: string | undefined;
  surface?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  cursor?: KeysetCursor | undefined;
  limit: number;
}

export async function listSessions(db: Kysely<Database>, f: SessionFilter): Promise<SessionsTable[]> {
  let q = db.selectFrom('sessions').selectAll();
  if (f.personId) q = q.where('person_id', '=', f.personId);
  if (f.surface) q = q.where('surface', '=', f.surface);
  if (f.from !== undefined) q = q.where('last_seen', '>=', f.from);
  if (f.to !== undefined) q = q.where('first_seen', '<', f.to);
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

export async function getSession(db: Kysely<Database>, id: string): Promise<SessionsTable | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The session's events in the order they happened: time, then the client's own sequence, then arrival. */
export async function sessionEvents(db: Kysely<Database>, session: SessionsTable, max: number): Promise<EventRecord[]> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('session_id', '=', session.id)
    .where('time', '>=', session.first_seen)
    .where('time', '<=', session.last_seen)
    .orderBy('time', 'asc')
    .orderBy('sequence', 'asc')
    .orderBy('id', 'asc')
    .limit(max)
    .execute();
}

export async function countSessions(db: Kysely<Database>): Promise<number> {
  const r = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
