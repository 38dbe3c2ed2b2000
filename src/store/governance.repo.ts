import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './database.js';
import type {
  GovConnectorDecisionsTable,
  GovHistoryTable,
  GovObjectsTable,
  GovPolicyAcksTable,
  GovPolicyVersionsTable,
} from './governance-tables.js';
import type { Dialect, Store } from './store.js';

/**
 * Writes of the governance store (migration 0008). Every change runs inside `inGovernanceTransaction`, and the
 * caller (govern/) appends its history entry with the same transaction handle, so a change and its record of who
 * made it commit or fail together. Reads live in governance-read.repo.ts.
 */
export type GovObjectRow = Selectable<GovObjectsTable>;
export type GovHistoryRow = Selectable<GovHistoryTable>;
export type GovPolicyVersionRow = Selectable<GovPolicyVersionsTable>;
export type GovPolicyAckRow = Selectable<GovPolicyAcksTable>;
export type GovConnectorDecisionRow = Selectable<GovConnectorDecisionsTable>;
export type GovDb = Kysely<Database> | Transaction<Database>;

/** A transaction handle that also knows its engine (row locks differ) and its store (audit appends join it). */
export interface GovTransaction {
  trx: Transaction<Database>;
  dialect: Dialect;
  store: Store;
}

export function inGovernanceTransaction<T>(store: Store, fn: (t: GovTransaction) => Promise<T>): Promise<T> {
  // Inside a caller's transaction (an import applies every row in one), the change joins it.
  if (store.db.isTransaction) return fn({ trx: store.db as Transaction<Database>, dialect: store.dialect, store });
  return store.db.transaction().execute((trx) => fn({ trx, dialect: store.dialect, store: { ...store, db: trx } }));
}

/** The object, locked for the rest of the transaction on PostgreSQL (SQLite has one writer at a time anyway). */
export async function lockGovObject(
  t: GovTransaction,
  orgId: string,
  kind: string,
  id: string,
): Promise<GovObjectRow | undefined> {
  let q = t.trx
    .selectFrom('gov_objects')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('id', '=', id);
  if (t.dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function insertGovObject(t: GovTransaction, row: Insertable<GovObjectsTable>): Promise<void> {
  await t.trx.insertInto('gov_objects').values(row).execute();
}

export async function updateGovObject(
  t: GovTransaction,
  row: Pick<GovObjectRow, 'org_id' | 'id'> & Partial<Omit<GovObjectRow, 'org_id' | 'id' | 'kind'>>,
): Promise<void> {
  const { org_id, id, ...set } = row;
  await t.trx.updateTable('gov_objects').set(set).where('org_id', '=', org_id).where('id', '=', id).execute();
}

export async function appendGovHistory(t: GovTransaction, entry: Omit<GovHistoryRow, 'id'>): Promise<void> {
  await t.trx.insertInto('gov_history').values(entry).execute();
}

export async function insertPolicyVersion(t: GovTransaction, row: GovPolicyVersionRow): Promise<void> {
  await t.trx.insertInto('gov_policy_versions').values(row).execute();
}

/** Records an acknowledgement; a person acknowledging the same version again keeps the first time. */
export async function insertPolicyAck(t: GovTransaction, row: GovPolicyAckRow): Promise<boolean> {
  const res = await t.trx
    .insertInto('gov_policy_acks')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'policy_id', 'version', 'person']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function insertConnectorDecision(t: GovTransaction, row: GovConnectorDecisionRow): Promise<void> {
  await t.trx.insertInto('gov_connector_decisions').values(row).execute();
}
