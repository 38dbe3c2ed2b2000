import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from './database.js';
import type { ExportOutboxTable } from './export-tables.js';
import type { Store } from './store.js';

/**
 * The export outbox (migration 0012, docs/exports.md): the feeder's cursors and reads of the two sources, the
 * enqueue that moves a cursor in the same transaction, and the dispatcher's claim / delivered / failed / dead
 * transitions. Rows are claimed with a lease (`claimed_until`) rather than a held transaction, so no transaction
 * stays open across a network call; on PostgreSQL `FOR UPDATE SKIP LOCKED` keeps replicas from claiming one row twice.
 */
type Db = Kysely<Database> | Transaction<Database>;
export type OutboxRow = Selectable<ExportOutboxTable>;
export type OutboxState = 'pending' | 'delivered' | 'dead';

export interface NewOutboxRow {
  sink: string;
  source: string;
  source_id: number;
  uid: string;
  kind: string;
  severity: string;
  payload: string;
}

export async function readCursor(db: Db, sink: string, source: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('export_cursors')
    .select('position')
    .where('sink', '=', sink)
    .where('source', '=', source)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.position);
}

/** Creates the cursor at `position` unless it exists (a replica may have just done so); returns the stored one. */
export async function ensureCursor(
  db: Db,
  sink: string,
  source: string,
  position: number,
  now: number,
): Promise<number> {
  await db
    .insertInto('export_cursors')
    .values({ sink, source, position, updated_at: now })
    .onConflict((oc) => oc.columns(['sink', 'source']).doNothing())
    .execute();
  return (await readCursor(db, sink, source)) ?? position;
}

/**
 * Inserts the rows and moves the cursor from `from` to `to` in one transaction. The move is a compare-and-swap: if
 * another replica moved the cursor first, nothing is written and false comes back (it enqueued the same rows).
 */
export async function enqueueAndAdvance(
  store: Store,
  c: { sink: string; source: string; from: number; to: number; now: number },
  rows: readonly NewOutboxRow[],
): Promise<boolean> {
  return store.db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('export_cursors')
      .set({ position: c.to, updated_at: c.now })
      .where('sink', '=', c.sink)
      .where('source', '=', c.source)
      .where('position', '=', c.from)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return false;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await trx
        .insertInto('export_outbox')
        .values(
          rows.slice(i, i + INSERT_CHUNK).map((r) => ({
            ...r,
            created_at: c.now,
            attempts: 0,
            next_attempt_at: c.now,
            claimed_until: null,
            state: 'pending',
            last_error: null,
            delivered_at: null,
          })),
        )
        // The unique (sink, source, source_id) index: a record already enqueued stays as it is.
        .onConflict((oc) => oc.columns(['sink', 'source', 'source_id']).doNothing())
        .execute();
    }
    return true;
  });
}

/** 14 columns per row: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const INSERT_CHUNK = 500;

/**
 * Claims up to `limit` of the sink's oldest due rows for `leaseMs` and returns them in id order. A row is due when
 * pending, its next attempt time has come and no live lease holds it.
 */
export async function claimDue(
  store: Store,
  c: { sink: string; now: number; leaseMs: number; limit: number },
): Promise<OutboxRow[]> {
  const due = store.db
    .selectFrom('export_outbox')
    .select('id')
    .where('sink', '=', c.sink)
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', c.now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', c.now)]))
    .orderBy('id')
    .limit(c.limit);
  const rows = await store.db
    .updateTable('export_outbox')
    .set({ claimed_until: c.now + c.leaseMs })
    .where('id', 'in', store.dialect === 'postgres' ? due.forUpdate().skipLocked() : due)
    .returningAll()
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
}

export async function markDelivered(db: Db, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('export_outbox')
    .set({ state: 'delivered', delivered_at: now, claimed_until: null, last_error: null })
    .where('id', 'in', [...ids])
    .where('state', '=', 'pending')
    .execute();
}

/**
 * Counts a failed attempt: attempts + 1, the error, the next attempt time; a row that has now failed
 * `maxAttempts` times becomes dead. Returns how many rows went dead.
 */
export async function markFailed(
  db: Db,
  ids: readonly number[],
  f: { error: string; nextAttemptAt: number; maxAttempts: number },
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .updateTable('export_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: f.error.slice(0, 2000),
      next_attempt_at: f.nextAttemptAt,
      claimed_until: null,
      state: sql<string>`case when attempts + 1 >= ${f.maxAttempts} then 'dead' else 'pending' end`,
    }))
    .where('id', 'in', [...ids])
    .where('state', '=', 'pending')
    .returning('state')
    .execute();
  return rows.filter((r) => r.state === 'dead').length;
}

/** A permanent refusal (the receiver said the record itself is bad): dead at once. */
export async function markDead(db: Db, ids: readonly number[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('export_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 2000),
      claimed_until: null,
      state: 'dead',
    }))
    .where('id', 'in', [...ids])
    .where('state', '=', 'pending')
    .execute();
}

/** Gives claimed rows back without counting an attempt (the exporter stopped, or an earlier chunk failed). */
export async function releaseRows(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('export_outbox')
    .set({ claimed_until: null })
    .where('id', 'in', [...ids])
    .where('state', '=', 'pending')
    .execute();
}

/** Drops every lease of these sinks (SQLite at start: only this process dispatches, so no lease is live). */
export async function releaseClaims(db: Db, sinks: readonly string[]): Promise<void> {
  if (sinks.length === 0) return;
  await db
    .updateTable('export_outbox')
    .set({ claimed_until: null })
    .where('sink', 'in', [...sinks])
    .where('claimed_until', 'is not', null)
    .execute();
}

/** Dead letters, oldest first. */
export async function listDead(db: Db, q: { sink?: string | undefined; limit: number }): Promise<OutboxRow[]> {
  let query = db.selectFrom('export_outbox').selectAll().where('state', '=', 'dead');
  if (q.sink !== undefined) query = query.where('sink', '=', q.sink);
  const rows = await query.orderBy('id').limit(q.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Dead letters back to pending, due now, with a fresh attempt count. Returns how many. */
export async function requeueDead(db: Db, q: { sink?: string | undefined; now: number }): Promise<number> {
  let query = db
    .updateTable('export_outbox')
    .set({ state: 'pending', attempts: 0, next_attempt_at: q.now, claimed_until: null })
    .where('state', '=', 'dead');
  if (q.sink !== undefined) query = query.where('sink', '=', q.sink);
  const r = await query.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface SinkStats {
  sink: string;
  pending: number;
  dead: number;
  delivered: number;
  /** created_at of the oldest pending row, or null. */
  oldestPendingAt: number | null;
  lastDeliveredAt: number | null;
}

/** Per-sink counts. Delivered rows count until the purge removes them. */
export async function sinkStats(db: Db): Promise<SinkStats[]> {
  const rows = await db
    .selectFrom('export_outbox')
    .select((eb) => [
      'sink',
      'state',
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.min('created_at').as('oldest'),
      eb.fn.max('delivered_at').as('last_delivered'),
    ])
    .groupBy(['sink', 'state'])
    .execute();
  const bySink = new Map<string, SinkStats>();
  for (const r of rows) {
    const s = bySink.get(r.sink) ?? {
      sink: r.sink,
      pending: 0,
      dead: 0,
      delivered: 0,
      oldestPendingAt: null,
      lastDeliveredAt: null,
    };
    const n = Number(r.n);
    if (r.state === 'pending') {
      s.pending = n;
      s.oldestPendingAt = r.oldest === null ? null : Number(r.oldest);
    } else if (r.state === 'dead') s.dead = n;
    else if (r.state === 'delivered') {
      s.delivered = n;
      s.lastDeliveredAt = r.last_delivered === null ? null : Number(r.last_delivered);
    }
    bySink.set(r.sink, s);
  }
  return [...bySink.values()];
}

/**
 * The sink's oldest pending row that has failed at least once (the retry in progress): its error, attempts and
 * next attempt time. Failed rows are the oldest pending ones (retried first), so the (sink, state, id) index finds
 * it at once.
 */
export async function oldestFailing(
  db: Db,
  sink: string,
): Promise<{ last_error: string | null; attempts: number; next_attempt_at: number } | undefined> {
  return db
    .selectFrom('export_outbox')
    .select(['last_error', 'attempts', 'next_attempt_at'])
    .where('sink', '=', sink)
    .where('state', '=', 'pending')
    .where('attempts', '>', 0)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/** Deletes delivered rows older than `before`, a chunk at a time; returns how many. */
export async function purgeDelivered(db: Db, before: number, chunk = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = db
      .selectFrom('export_outbox')
      .select('id')
      .where('state', '=', 'delivered')
      .where('delivered_at', '<', before)
      .limit(chunk);
    const r = await db.deleteFrom('export_outbox').where('id', 'in', ids).executeTakeFirst();
    const n = Number(r.numDeletedRows);
    total += n;
    if (n < chunk) return total;
  }
}

/** Every outbox row of a sink in id order (tests and the CLI's inspection). */
export async function outboxRows(db: Db, sink: string): Promise<OutboxRow[]> {
  const rows = await db.selectFrom('export_outbox').selectAll().where('sink', '=', sink).orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
