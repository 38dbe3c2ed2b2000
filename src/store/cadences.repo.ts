import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import {
  cadenceStatus,
  type Cadence,
  type CadenceAttendees,
  type CadenceFrequency,
  type CadenceStatus,
} from '../contracts/cadence.js';
import type { Database } from './database.js';
import type { GovCadencesTable } from './raci-cadence-tables.js';

/**
 * Cadences and review records (migration 0009). The defaults are seeded by govern/cadence.ts (`ensureCadences`)
 * with fixed ids, so seeding twice — or from two replicas — inserts them once. `overdueCadences` is what the
 * findings read: active cadences whose last review is older than their period plus grace.
 */
export interface ReviewRecord {
  id: string;
  cadenceId: string;
  heldAt: number;
  attendees: string[];
  notes: string;
  decisions: string[];
  createdAt: number;
  createdBy: string;
}

export function toCadence(row: Selectable<GovCadencesTable>): Cadence {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    frequency: row.frequency as CadenceFrequency,
    ownerPerson: row.owner_person,
    ownerRole: row.owner_role,
    attendees: JSON.parse(row.attendees) as CadenceAttendees,
    startsAt: Number(row.starts_at),
    graceDays: Number(row.grace_days),
    active: Number(row.active) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    updatedBy: row.updated_by,
  };
}

function toRow(orgId: string, c: Cadence): GovCadencesTable {
  return {
    org_id: orgId,
    id: c.id,
    name: c.name,
    kind: c.kind,
    frequency: c.frequency,
    owner_person: c.ownerPerson,
    owner_role: c.ownerRole,
    attendees: JSON.stringify(c.attendees),
    starts_at: c.startsAt,
    grace_days: c.graceDays,
    active: c.active ? 1 : 0,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    updated_by: c.updatedBy,
  };
}

/** Inserts the cadences whose id the organisation does not have yet; returns how many were inserted. */
export async function insertMissingCadences(db: Kysely<Database>, orgId: string, cadences: Cadence[]): Promise<number> {
  if (cadences.length === 0) return 0;
  // Read first: on every request this is a read, not a write transaction (SQLite's one writer is ingest's).
  const have = await db
    .selectFrom('gov_cadences')
    .select('id')
    .where('org_id', '=', orgId)
    .where(
      'id',
      'in',
      cadences.map((c) => c.id),
    )
    .execute();
  const existing = new Set(have.map((r) => r.id));
  let inserted = 0;
  for (const c of cadences.filter((x) => !existing.has(x.id))) {
    const r = await db
      .insertInto('gov_cadences')
      .values(toRow(orgId, c))
      .onConflict((oc) => oc.columns(['org_id', 'id']).doNothing())
      .executeTakeFirst();
    inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

export async function listCadences(db: Kysely<Database>, orgId: string): Promise<Cadence[]> {
  const rows = await db
    .selectFrom('gov_cadences')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toCadence);
}

export async function getCadence(db: Kysely<Database>, orgId: string, id: string): Promise<Cadence | null> {
  const row = await db
    .selectFrom('gov_cadences')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toCadence(row) : null;
}

/** Creates (`created` true) or replaces the cadence with this id. */
export async function putCadence(db: Kysely<Database>, orgId: string, c: Cadence): Promise<{ created: boolean }> {
  const row = toRow(orgId, c);
  const set = {
    name: row.name,
    kind: row.kind,
    frequency: row.frequency,
    owner_person: row.owner_person,
    owner_role: row.owner_role,
    attendees: row.attendees,
    starts_at: row.starts_at,
    grace_days: row.grace_days,
    active: row.active,
    updated_at: row.updated_at,
    updated_by: row.updated_by,
  };
  const r = await db
    .updateTable('gov_cadences')
    .set(set)
    .where('org_id', '=', orgId)
    .where('id', '=', c.id)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 1) return { created: false };
  await db.insertInto('gov_cadences').values(row).execute();
  return { created: true };
}

export async function addReview(
  db: Kysely<Database>,
  orgId: string,
  review: Omit<ReviewRecord, 'id'>,
): Promise<ReviewRecord> {
  const record = { id: randomUUID(), ...review };
  await db
    .insertInto('gov_reviews')
    .values({
      id: record.id,
      org_id: orgId,
      cadence_id: record.cadenceId,
      held_at: record.heldAt,
      attendees: JSON.stringify(record.attendees),
      notes: record.notes,
      decisions: JSON.stringify(record.decisions),
      created_at: record.createdAt,
      created_by: record.createdBy,
    })
    .execute();
  return record;
}

export async function listReviews(
  db: Kysely<Database>,
  orgId: string,
  cadenceId: string,
  limit = 100,
): Promise<ReviewRecord[]> {
  const rows = await db
    .selectFrom('gov_reviews')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('cadence_id', '=', cadenceId)
    .orderBy('held_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    cadenceId: r.cadence_id,
    heldAt: Number(r.held_at),
    attendees: JSON.parse(r.attendees) as string[],
    notes: r.notes,
    decisions: JSON.parse(r.decisions) as string[],
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
  }));
}

/** Cadence id → time of its latest review held at or before `now`. */
export async function lastReviews(db: Kysely<Database>, orgId: string, now: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('gov_reviews')
    .select(['cadence_id'])
    .select((eb) => eb.fn.max('held_at').as('last'))
    .where('org_id', '=', orgId)
    .where('held_at', '<=', now)
    .groupBy('cadence_id')
    .execute();
  return new Map(rows.map((r) => [r.cadence_id, Number(r.last)]));
}

export interface CadenceWithStatus {
  orgId: string;
  cadence: Cadence;
  status: CadenceStatus;
}

/** Every cadence of an organisation with its last review, next due date and whether it is overdue at `now`. */
export async function cadenceStatuses(db: Kysely<Database>, orgId: string, now: number): Promise<CadenceWithStatus[]> {
  const [cadences, last] = await Promise.all([listCadences(db, orgId), lastReviews(db, orgId, now)]);
  return cadences.map((cadence) => ({
    orgId,
    cadence,
    status: cadenceStatus(cadence, last.get(cadence.id) ?? null, now),
  }));
}

/**
 * The overdue cadences of every organisation (or one): active, and the last review (or, with none, the first
 * occurrence) older than the period plus the grace days. For the findings list.
 */
export async function overdueCadences(db: Kysely<Database>, now: number, orgId?: string): Promise<CadenceWithStatus[]> {
  let orgs: string[];
  if (orgId !== undefined) orgs = [orgId];
  else {
    const rows = await db.selectFrom('gov_cadences').select('org_id').distinct().execute();
    orgs = rows.map((r) => r.org_id);
  }
  const out: CadenceWithStatus[] = [];
  for (const org of orgs) out.push(...(await cadenceStatuses(db, org, now)).filter((c) => c.status.overdue));
  return out;
}

/** People with at least one event in [since, now]: the active seats that decide whether a forum is required. */
export async function countActiveSeats(db: Kysely<Database>, orgId: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.count<number>('person_id').distinct().as('n'))
    .where('org_id', '=', orgId)
    .where('time', '>=', since)
    .where('person_id', 'is not', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
