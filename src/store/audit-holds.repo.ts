import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AuditHoldsTable } from './audit-tables.js';
import type { Database } from './database.js';

/**
 * Legal holds and retention for the audit vault (migration 0011, docs/audit.md "Retention and legal hold").
 * Pruning clears an entry's content only; its row and hashes stay, so the tree and every proof are unchanged.
 */
type Db = Kysely<Database> | Transaction<Database>;
export type AuditHoldRow = Selectable<AuditHoldsTable>;

export async function insertHold(db: Db, row: AuditHoldsTable): Promise<void> {
  await db.insertInto('audit_holds').values(row).execute();
}

export async function listHolds(db: Db, includeReleased: boolean): Promise<AuditHoldRow[]> {
  let q = db.selectFrom('audit_holds').selectAll();
  if (!includeReleased) q = q.where('released_at', 'is', null);
  return q.orderBy('created_at').execute();
}

export async function releaseHold(db: Db, id: string, by: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('audit_holds')
    .set({ released_at: now, released_by: by })
    .where('id', '=', id)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Retention: clears the content of entries older than `cutoff` that no live hold matches. The leaf hash and the
 * stored hashes stay, so every proof and the tree itself are unchanged. Returns the pruned index range and count.
 */
export async function pruneAuditEntries(
  db: Db,
  cutoff: number,
  now: number,
): Promise<{ count: number; first: number | null; last: number | null }> {
  const holds = await listHolds(db, false);
  let q = db
    .updateTable('audit_entries')
    .set({ leaf: null, pruned_at: now })
    .where('time', '<', cutoff)
    .where('pruned_at', 'is', null);
  for (const h of holds) {
    // An entry is kept when EVERY criterion of some hold matches it; so prune only rows that fail at least one.
    q = q.where((eb) => {
      const misses = [];
      if (h.from_time !== null) misses.push(eb('time', '<', h.from_time));
      if (h.to_time !== null) misses.push(eb('time', '>=', h.to_time));
      if (h.actor_id !== null) misses.push(eb('actor_id', '!=', h.actor_id));
      if (h.action !== null) misses.push(eb('action', '!=', h.action));
      if (h.subject_id !== null)
        misses.push(eb.or([eb('subject_id', 'is', null), eb('subject_id', '!=', h.subject_id)]));
      // A hold with no criteria holds everything.
      return misses.length ? eb.or(misses) : eb.val(false);
    });
  }
  const r = await q.returning(['idx']).execute();
  if (r.length === 0) return { count: 0, first: null, last: null };
  const idxs = r.map((x) => x.idx);
  return { count: idxs.length, first: Math.min(...idxs), last: Math.max(...idxs) };
}
