import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/** Tables of migration 0006 (declared here, next to their only repositories, and added with `withTables`). */
export type GatewayKeysTable = {
  id: string;
  org_id: string;
  /** `person` (subject = email), `agent` or `app` (subject = name). */
  kind: string;
  subject: string;
  name: string;
  key_hash: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
};

export type RequestLedgerTable = {
  org_id: string;
  request_id: string;
  source: string;
  time: number;
};

export type GatewayTables = {
  gateway_keys: GatewayKeysTable;
  request_ledger: RequestLedgerTable;
};

export function gatewayDb(db: Kysely<Database>): Kysely<Database & GatewayTables> {
  return db.withTables<GatewayTables>();
}

export async function insertGatewayKey(db: Kysely<Database>, row: GatewayKeysTable): Promise<void> {
  await gatewayDb(db).insertInto('gateway_keys').values(row).execute();
}

export async function findGatewayKeyByHash(db: Kysely<Database>, hash: string): Promise<GatewayKeysTable | undefined> {
  return gatewayDb(db).selectFrom('gateway_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
}

export async function listGatewayKeys(db: Kysely<Database>): Promise<GatewayKeysTable[]> {
  return gatewayDb(db).selectFrom('gateway_keys').selectAll().orderBy('created_at', 'asc').execute();
}

/** True when a live key was revoked (false: unknown id or already revoked). */
export async function revokeGatewayKey(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const res = await gatewayDb(db)
    .updateTable('gateway_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function touchGatewayKey(db: Kysely<Database>, id: string, now: number): Promise<void> {
  await gatewayDb(db).updateTable('gateway_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}
