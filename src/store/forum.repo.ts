import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './database.js';
import type { GovMeetingDecisionsTable, GovMeetingsTable } from './forum-tables.js';

/**
 * The forum's store (migration 0010): meetings and the decisions recorded in them, plus the bounded reads the
 * standing agenda needs that no report offers (sessions active in a window, enforcement decisions in a window).
 */
export type MeetingRow = Selectable<GovMeetingsTable>;
export type MeetingDecisionRow = Selectable<GovMeetingDecisionsTable>;
type Db = Kysely<Database> | Transaction<Database>;

export async function insertMeeting(db: Db, row: GovMeetingsTable): Promise<void> {
  await db.insertInto('gov_meetings').values(row).execute();
}

export async function updateMeeting(
  db: Db,
  orgId: string,
  id: string,
  set: Partial<Pick<GovMeetingsTable, 'held_at' | 'title' | 'attendees' | 'notes' | 'updated_at' | 'updated_by'>>,
): Promise<void> {
  await db.updateTable('gov_meetings').set(set).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function getMeeting(db: Db, orgId: string, id: string): Promise<MeetingRow | undefined> {
  return db.selectFrom('gov_meetings').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** Meetings held in [from, to) (every meeting without bounds), newest first. */
export async function listMeetings(
  db: Db,
  orgId: string,
  range: { from?: number; to?: number; limit?: number } = {},
): Promise<MeetingRow[]> {
  let q = db.selectFrom('gov_meetings').selectAll().where('org_id', '=', orgId);
  if (range.from !== undefined) q = q.where('held_at', '>=', range.from);
  if (range.to !== undefined) q = q.where('held_at', '<', range.to);
  return q
    .orderBy('held_at', 'desc')
    .orderBy('id')
    .limit(range.limit ?? 500)
    .execute();
}

export async function insertMeetingDecision(db: Db, row: GovMeetingDecisionsTable): Promise<void> {
  await db.insertInto('gov_meeting_decisions').values(row).execute();
}

/** The decisions of some meetings, in the order they were recorded. */
export async function meetingDecisions(
  db: Db,
  orgId: string,
  meetingIds: readonly string[],
): Promise<MeetingDecisionRow[]> {
  if (meetingIds.length === 0) return [];
  return db
    .selectFrom('gov_meeting_decisions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('meeting_id', 'in', [...meetingIds])
    .orderBy('meeting_id')
    .orderBy('seq')
    .execute();
}

export async function nextDecisionSeq(db: Db, orgId: string, meetingId: string): Promise<number> {
  const r = await db
    .selectFrom('gov_meeting_decisions')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('org_id', '=', orgId)
    .where('meeting_id', '=', meetingId)
    .executeTakeFirst();
  return r?.seq === null || r?.seq === undefined ? 1 : Number(r.seq) + 1;
}

/** Sessions active in [from, to): seen at least once inside the window. */
export async function countSessionsActive(db: Db, orgId: string, from: number, to: number): Promise<number> {
  const r = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('last_seen', '>=', from)
    .where('first_seen', '<', to)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Enforcement decisions (`policy_decision` events) in [from, to), counted by decision. */
export async function policyDecisionCounts(
  db: Db,
  orgId: string,
  from: number,
  to: number,
): Promise<{ decision: string | null; n: number }[]> {
  const rows = await db
    .selectFrom('events')
    .select(['decision'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('kind', '=', 'policy_decision')
    .where('time', '>=', from)
    .where('time', '<', to)
    .groupBy('decision')
    .execute();
  return rows.map((r) => ({ decision: r.decision, n: Number(r.n) }));
}
