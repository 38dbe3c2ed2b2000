import type { Kysely } from 'kysely';
import type { ApiTokensTable, Database } from './database.js';

export async function insertApiToken(db: Kysely<Database>, row: ApiTokensTable): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

export async function findApiTokenByHash(db: Kysely<Database>, hash: string): Promise<ApiTokensTable | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
}

export async function listApiTokens(db: Kysely<Database>): Promise<ApiTokensTable[]> {
  return db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'asc').execute();
}

/** Returns true when a live token was revoked (false: unknown id or already revoked). */
export async function revokeApiToken(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function touchApiToken(db: Kysely<Database>, id: string, now: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function getMeta(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function setMeta(db: Kysely<Database>, key: string, value: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
