import type { Statement } from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import { EVENT_COLUMNS, type EventValues } from '../contracts/event-columns.js';
import { ROLLUP_COUNTERS, ROLLUP_DIMENSIONS, type RollupRow } from '../contracts/rollup-columns.js';
import type { Database, RollupPersonDaysTable, RollupSessionHoursTable } from './database.js';
import type { Store } from './store.js';

/**
 * Writes rollup increments inside the caller's transaction. Counters are added with an UPSERT (`x = x + excluded.x`)
 * so concurrent writers and later batches accumulate; the two set tables insert-or-ignore. SQLite binds cached
 * prepared statements (the ingest hot path); PostgreSQL sends multi-row statements.
 */
const ROLLUP_COLUMNS = ['org_id', 'hour', ...ROLLUP_DIMENSIONS, ...ROLLUP_COUNTERS] as const;
const ROLLUP_KEY = ['org_id', 'hour', ...ROLLUP_DIMENSIONS] as const;
const SESSION_HOUR_COLUMNS = ['org_id', 'hour', 'session_id', 'person_id', 'department', 'team', 'surface'] as const;
const PERSON_DAY_COLUMNS = ['org_id', 'day', 'person_id', 'department', 'team', 'surface'] as const;
const PG_CHUNK = 500; // 36 columns × 500 rows stays far under Postgres' 65,535 bind parameters

/** Inserts session-hours, returning those not already stored (each then counts once in `sessions`). */
export async function insertSessionHours(
  trx: Transaction<Database>,
  store: Store,
  rows: readonly RollupSessionHoursTable[],
): Promise<RollupSessionHoursTable[]> {
  if (rows.length === 0) return [];
  if (store.sqlite) {
    const stmt = prepared(store, 'session_hours', () => insertIgnoreSql('rollup_session_hours', SESSION_HOUR_COLUMNS));
    return rows.filter((r) => stmt.run(SESSION_HOUR_COLUMNS.map((c) => r[c])).changes > 0);
  }
  const out: RollupSessionHoursTable[] = [];
  for (let i = 0; i < rows.length; i += PG_CHUNK) {
    const res = await trx
      .insertInto('rollup_session_hours')
      .values(rows.slice(i, i + PG_CHUNK))
      .onConflict((oc) => oc.columns([...SESSION_HOUR_COLUMNS]).doNothing())
      .returningAll()
      .execute();
    out.push(...res);
  }
  return out;
}

export async function insertPersonDays(
  trx: Transaction<Database>,
  store: Store,
  rows: readonly RollupPersonDaysTable[],
): Promise<void> {
  if (rows.length === 0) return;
  if (store.sqlite) {
    const stmt = prepared(store, 'person_days', () => insertIgnoreSql('rollup_person_days', PERSON_DAY_COLUMNS));
    for (const r of rows) stmt.run(PERSON_DAY_COLUMNS.map((c) => r[c]));
    return;
  }
  for (let i = 0; i < rows.length; i += PG_CHUNK) {
    await trx
      .insertInto('rollup_person_days')
      .values(rows.slice(i, i + PG_CHUNK))
      .onConflict((oc) => oc.columns([...PERSON_DAY_COLUMNS]).doNothing())
      .execute();
  }
}

/** Adds each row's counters into the stored row with the same key (rows must have distinct keys). */
export async function upsertRollups(
  trx: Transaction<Database>,
  store: Store,
  rows: readonly RollupRow[],
): Promise<void> {
  if (rows.length === 0) return;
  if (store.sqlite) {
    const stmt = prepared(
      store,
      'rollups',
      () =>
        `INSERT INTO rollups_hourly (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')}) ` +
        `ON CONFLICT(${ROLLUP_KEY.join(', ')}) DO UPDATE SET ` +
        ROLLUP_COUNTERS.map((c) => `${c} = rollups_hourly.${c} + excluded.${c}`).join(', '),
    );
    for (const r of rows) stmt.run(ROLLUP_COLUMNS.map((c) => r[c]));
    return;
  }
  const set = Object.fromEntries(
    ROLLUP_COUNTERS.map((c) => [c, sql`rollups_hourly.${sql.ref(c)} + excluded.${sql.ref(c)}`]),
  );
  for (let i = 0; i < rows.length; i += PG_CHUNK) {
    await trx
      .insertInto('rollups_hourly')
      .values(rows.slice(i, i + PG_CHUNK))
      .onConflict((oc) => oc.columns([...ROLLUP_KEY]).doUpdateSet(set))
      .execute();
  }
}

/**
 * Makes a rebuild exclusive against concurrent ingest. PostgreSQL: EXCLUSIVE table locks wait for ingest
 * transactions that already wrote rollups to commit (so the rebuild sees their events) and hold back new ones until
 * the rebuild commits (their events were invisible to it, so their own increments are still needed). SQLite needs
 * nothing: the rebuild's first statement takes the single writer lock.
 */
export async function lockRollups(trx: Transaction<Database>, store: Store): Promise<void> {
  if (store.dialect !== 'postgres') return;
  // The order ingest writes them in (rollup-writer.ts), so a waiting ingest cannot deadlock with the rebuild.
  await sql`lock table rollup_session_hours, rollup_person_days, rollups_hourly in exclusive mode`.execute(trx);
}

/** Deletes rollups, session-hours and person-days at or after `from` (a UTC midnight) — a rebuild's first step. */
export async function deleteRollupsSince(trx: Transaction<Database>, org: string, from: number): Promise<void> {
  await trx.deleteFrom('rollups_hourly').where('org_id', '=', org).where('hour', '>=', from).execute();
  await trx.deleteFrom('rollup_session_hours').where('org_id', '=', org).where('hour', '>=', from).execute();
  await trx.deleteFrom('rollup_person_days').where('org_id', '=', org).where('day', '>=', from).execute();
}

/** Columns a rollup needs; content and attrs (the wide part of a row) are left out of rebuild reads. */
const ROLLUP_EVENT_COLUMNS = EVENT_COLUMNS.filter((c) => c !== 'content' && c !== 'attrs');

/**
 * Events at or after `from`, after the keyset position `after`, in (time, dedupe_key) order — the order of the
 * unique index, so each chunk is an index range scan. Rows come back as value arrays in EVENT_COLUMNS order.
 */
export async function readEventChunk(
  trx: Transaction<Database>,
  org: string,
  from: number,
  after: { time: number; key: string } | null,
  limit: number,
): Promise<{ rows: EventValues[]; last: { time: number; key: string } | null }> {
  let q = trx.selectFrom('events').select(ROLLUP_EVENT_COLUMNS).where('org_id', '=', org).where('time', '>=', from);
  if (after) {
    q = q.where((eb) =>
      eb.or([eb('time', '>', after.time), eb.and([eb('time', '=', after.time), eb('dedupe_key', '>', after.key)])]),
    );
  }
  const found = await q.orderBy('time').orderBy('dedupe_key').limit(limit).execute();
  const rows = found.map((r) => {
    const o = r as Record<string, unknown>;
    return EVENT_COLUMNS.map((c) => o[c] ?? null);
  });
  const lastRow = found[found.length - 1];
  return { rows, last: lastRow ? { time: lastRow.time, key: lastRow.dedupe_key } : null };
}

/** Metric points of one name at or after `from`, in (time, id) order through the (org, name, time) index. */
export async function readMetricChunk(
  trx: Transaction<Database>,
  org: string,
  name: string,
  from: number,
  after: { time: number; id: number } | null,
  limit: number,
) {
  let q = trx
    .selectFrom('metric_points')
    .select(['id', 'org_id', 'time', 'name', 'type', 'value', 'person_id', 'surface', 'model', 'department', 'team'])
    .where('org_id', '=', org)
    .where('name', '=', name)
    .where('time', '>=', from);
  if (after) {
    q = q.where((eb) =>
      eb.or([eb('time', '>', after.time), eb.and([eb('time', '=', after.time), eb('id', '>', after.id)])]),
    );
  }
  return q.orderBy('time').orderBy('id').limit(limit).execute();
}

function insertIgnoreSql(table: string, columns: readonly string[]): string {
  return (
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ` +
    `ON CONFLICT(${columns.join(', ')}) DO NOTHING`
  );
}

const statements = new WeakMap<object, Map<string, Statement>>();

function prepared(store: Store, name: string, text: () => string): Statement {
  const raw = store.sqlite as NonNullable<Store['sqlite']>;
  let byName = statements.get(raw);
  if (!byName) statements.set(raw, (byName = new Map()));
  let stmt = byName.get(name);
  if (!stmt) byName.set(name, (stmt = raw.prepare(text())));
  return stmt;
}
