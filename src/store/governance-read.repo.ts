import { sql } from 'kysely';
import type {
  GovConnectorDecisionRow,
  GovDb,
  GovHistoryRow,
  GovObjectRow,
  GovPolicyAckRow,
  GovPolicyVersionRow,
} from './governance.repo.js';

/**
 * Reads of the governance store (migration 0008). The inventories are small (hundreds of rows, not millions), so
 * lists are whole; history and decisions are per object.
 */
const numbers = (r: GovObjectRow): GovObjectRow => ({
  ...r,
  last_reviewed_at: r.last_reviewed_at === null ? null : Number(r.last_reviewed_at),
  next_review_due: Number(r.next_review_due),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

export async function listGovObjects(
  db: GovDb,
  orgId: string,
  filter: { kind?: string | undefined; status?: string | undefined } = {},
): Promise<GovObjectRow[]> {
  let q = db.selectFrom('gov_objects').selectAll().where('org_id', '=', orgId);
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  const rows = await q.orderBy('kind').orderBy('name').execute();
  return rows.map(numbers);
}

/** One object of a kind, by id or by name (names are unique per kind). */
export async function getGovObject(
  db: GovDb,
  orgId: string,
  kind: string,
  key: { id: string } | { name: string },
): Promise<GovObjectRow | undefined> {
  const q = db.selectFrom('gov_objects').selectAll().where('org_id', '=', orgId).where('kind', '=', kind);
  const row = await ('id' in key ? q.where('id', '=', key.id) : q.where('name', '=', key.name)).executeTakeFirst();
  return row && numbers(row);
}

/** An object's changes, oldest first. */
export async function govHistory(db: GovDb, orgId: string, kind: string, id: string): Promise<GovHistoryRow[]> {
  const rows = await db
    .selectFrom('gov_history')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('object_kind', '=', kind)
    .where('object_id', '=', id)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), at: Number(r.at) }));
}

/** A policy's versions, newest first. */
export async function policyVersions(db: GovDb, orgId: string, policyId: string): Promise<GovPolicyVersionRow[]> {
  const rows = await db
    .selectFrom('gov_policy_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('policy_id', '=', policyId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, version: Number(r.version), created_at: Number(r.created_at) }));
}

/** The newest version number of each policy that has one. */
export async function latestPolicyVersions(db: GovDb, orgId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('gov_policy_versions')
    .select(['policy_id', sql<number>`max(version)`.as('version')])
    .where('org_id', '=', orgId)
    .groupBy('policy_id')
    .execute();
  return new Map(rows.map((r) => [r.policy_id, Number(r.version)]));
}

export async function policyAcks(
  db: GovDb,
  orgId: string,
  policyId: string,
  version?: number,
): Promise<GovPolicyAckRow[]> {
  let q = db.selectFrom('gov_policy_acks').selectAll().where('org_id', '=', orgId).where('policy_id', '=', policyId);
  if (version !== undefined) q = q.where('version', '=', version);
  const rows = await q.orderBy('version', 'desc').orderBy('person').execute();
  return rows.map((r) => ({ ...r, version: Number(r.version), acknowledged_at: Number(r.acknowledged_at) }));
}

/** A connector's status decisions, oldest first. */
export async function connectorDecisions(
  db: GovDb,
  orgId: string,
  connectorId: string,
): Promise<GovConnectorDecisionRow[]> {
  const rows = await db
    .selectFrom('gov_connector_decisions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('connector_id', '=', connectorId)
    .orderBy('decided_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, decided_at: Number(r.decided_at) }));
}

/** People with an email (not merged away): who is expected to acknowledge the acceptable-use policy. */
export async function peopleWithEmail(
  db: GovDb,
  orgId: string,
): Promise<{ id: string; email: string; display_name: string }[]> {
  const rows = await db
    .selectFrom('people')
    .select(['id', 'email', 'display_name'])
    .where('org_id', '=', orgId)
    .where('merged_into', 'is', null)
    .where('email', 'is not', null)
    .orderBy('email')
    .execute();
  return rows.map((r) => ({ id: r.id, email: (r.email ?? '').toLowerCase(), display_name: r.display_name }));
}
