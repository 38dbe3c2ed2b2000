import type { Statement } from 'better-sqlite3';
import type { Transaction } from 'kysely';
import type { Database } from './database.js';
import type { GatewayTables } from './gateway-keys.repo.js';
import type { Store } from './store.js';

/**
 * The request ledger (migration 0006): the first claim of (org, request_id) wins, inside the caller's transaction.
 * Returns, per claim, null when it was the first, else the source that claimed the id before. SQLite: one cached prepared statement per claim (as events are
 * inserted); PostgreSQL: one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per chunk. Concurrent transactions
 * on PostgreSQL claiming the same id serialise on the primary key, so exactly one of them wins.
 */
export interface RequestClaim {
  orgId: string;
  requestId: string;
  source: string;
  time: number;
}

const PG_CHUNK = 5000; // 4 parameters per row, well under PostgreSQL's 65,535

export async function claimRequests(
  trx: Transaction<Database>,
  store: Store,
  claims: readonly RequestClaim[],
): Promise<(string | null)[]> {
  if (claims.length === 0) return [];
  if (store.sqlite) {
    const { insert, select } = sqliteStatements(store);
    return claims.map((c) => {
      if (insert.run(c.orgId, c.requestId, c.source, c.time).changes > 0) return null;
      return (select.get(c.orgId, c.requestId) as { source: string } | undefined)?.source ?? '';
    });
  }
  const won = new Set<string>();
  const db = trx.withTables<GatewayTables>();
  for (let i = 0; i < claims.length; i += PG_CHUNK) {
    const rows = claims
      .slice(i, i + PG_CHUNK)
      .map((c) => ({ org_id: c.orgId, request_id: c.requestId, source: c.source, time: c.time }));
    const res = await db
      .insertInto('request_ledger')
      .values(rows)
      .onConflict((oc) => oc.columns(['org_id', 'request_id']).doNothing())
      .returning(['org_id', 'request_id'])
      .execute();
    for (const r of res) won.add(r.org_id + '\u0000' + r.request_id);
  }
  const lost = claims.filter((c) => !won.has(c.orgId + '\u0000' + c.requestId));
  const before = new Map<string, string>();
  for (let i = 0; i < lost.length; i += PG_CHUNK) {
    const chunk = lost.slice(i, i + PG_CHUNK);
    const rows = await db
      .selectFrom('request_ledger')
      .select(['org_id', 'request_id', 'source'])
      .where('org_id', 'in', [...new Set(chunk.map((c) => c.orgId))])
      .where(
        'request_id',
        'in',
        chunk.map((c) => c.requestId),
      )
      .execute();
    for (const r of rows) before.set(r.org_id + '\u0000' + r.request_id, r.source);
  }
  return claims.map((c) => {
    const key = c.orgId + '\u0000' + c.requestId;
    return won.has(key) ? null : (before.get(key) ?? '');
  });
}

const statements = new WeakMap<object, { insert: Statement; select: Statement }>();

function sqliteStatements(store: Store): { insert: Statement; select: Statement } {
  const raw = store.sqlite as NonNullable<Store['sqlite']>;
  let s = statements.get(raw);
  if (!s) {
    s = {
      insert: raw.prepare(
        'INSERT INTO request_ledger (org_id, request_id, source, time) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      select: raw.prepare('SELECT source FROM request_ledger WHERE org_id = ? AND request_id = ?'),
    };
    statements.set(raw, s);
  }
  return s;
}
