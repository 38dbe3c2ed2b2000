import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../errors/app-error.js';
import type { Database } from './database.js';

/**
 * The RACI matrix of an organisation (migration 0009): one JSON document per organisation with a version, and a
 * history row per change (actor, time, before/after). Saves are compare-and-swap on the version, retried, so two
 * concurrent edits (a PUT and a PATCH from two replicas) both land, the second applied to the first's result.
 * The matrix's shape and rules are govern/raci.ts's; this module stores whatever JSON it is given.
 */
export interface StoredRaci {
  matrix: unknown;
  version: number;
  updatedAt: number;
  updatedBy: string;
}

export interface RaciChange {
  version: number;
  at: number;
  actor: string;
  before: unknown;
  after: unknown;
}

export async function readRaci(db: Kysely<Database>, orgId: string): Promise<StoredRaci | null> {
  const row = await db.selectFrom('gov_raci').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  if (!row) return null;
  return {
    matrix: JSON.parse(row.matrix) as unknown,
    version: Number(row.version),
    updatedAt: Number(row.updated_at),
    updatedBy: row.updated_by,
  };
}

const MAX_ATTEMPTS = 5;

/**
 * Replaces the matrix with `next(current)` (current is null before the first save). `next` may throw to refuse the
 * change (validation); it is called again with the newer matrix when another save won the race. `also` runs in the
 * save's transaction after the history row (govern/ appends the change's audit entry there).
 */
export async function saveRaci(
  db: Kysely<Database>,
  orgId: string,
  next: (current: unknown) => unknown,
  actor: string,
  now: number,
  also?: (trx: Kysely<Database>, change: RaciChange) => Promise<void>,
): Promise<StoredRaci> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await readRaci(db, orgId);
    const matrix = next(current?.matrix ?? null);
    const text = JSON.stringify(matrix);
    const version = (current?.version ?? 0) + 1;
    // Inside a caller's transaction (an import), the save joins it.
    const inTransaction = <R>(fn: (trx: Kysely<Database>) => Promise<R>): Promise<R> =>
      db.isTransaction ? fn(db) : db.transaction().execute(fn);
    const saved = await inTransaction(async (trx) => {
      if (current) {
        const r = await trx
          .updateTable('gov_raci')
          .set({ matrix: text, version, updated_at: now, updated_by: actor })
          .where('org_id', '=', orgId)
          .where('version', '=', current.version)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
      } else {
        const r = await trx
          .insertInto('gov_raci')
          .values({ org_id: orgId, matrix: text, version, updated_at: now, updated_by: actor })
          .onConflict((oc) => oc.column('org_id').doNothing())
          .executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
      }
      await trx
        .insertInto('gov_raci_history')
        .values({
          id: randomUUID(),
          org_id: orgId,
          version,
          at: now,
          actor,
          before: current ? JSON.stringify(current.matrix) : null,
          after: text,
        })
        .execute();
      await also?.(trx, { version, at: now, actor, before: current?.matrix ?? null, after: matrix });
      return true;
    });
    if (saved) return { matrix, version, updatedAt: now, updatedBy: actor };
  }
  throw new AppError('store_unavailable', `the RACI matrix changed ${MAX_ATTEMPTS} times while saving; try again`);
}

export async function raciHistory(db: Kysely<Database>, orgId: string, limit = 100): Promise<RaciChange[]> {
  const rows = await db
    .selectFrom('gov_raci_history')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    version: Number(r.version),
    at: Number(r.at),
    actor: r.actor,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: JSON.parse(r.after) as unknown,
  }));
}
