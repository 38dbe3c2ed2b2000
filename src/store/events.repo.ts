import type { Statement } from 'better-sqlite3';
import type { Transaction } from 'kysely';
import { COL, EVENT_COLUMNS, type EventValues } from '../contracts/event-columns.js';
import type { Database, EventsTable } from './database.js';
import type { Store } from './store.js';

export type EventRow = Omit<EventsTable, 'id'>;

const COLUMNS = EVENT_COLUMNS;

const PG_CHUNK = 1000; // 34 columns × 1000 rows stays under Postgres' 65,535 bind-parameter limit

/**
 * Inserts events, skipping any whose dedupe key is already stored. Returns, per input row, whether it was new —
 * the caller counts only new rows into session totals so a retried export never double counts.
 * SQLite uses one cached prepared statement per row inside the caller's transaction (the fastest path
 * better-sqlite3 offers); Postgres uses multi-row INSERT … ON CONFLICT DO NOTHING RETURNING.
 */
export async function insertEvents(
  trx: Transaction<Database>,
  store: Store,
  rows: readonly EventValues[],
): Promise<boolean[]> {
  if (store.sqlite) {
    const stmt = sqliteInsert(store);
    // Rows are value arrays in column order: better-sqlite3 binds them positionally as they are.
    return rows.map((r) => stmt.run(r).changes > 0);
  }
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += PG_CHUNK) {
    const chunk = rows.slice(i, i + PG_CHUNK).map(toObject);
    const res = await trx
      .insertInto('events')
      .values(chunk)
      .onConflict((oc) => oc.columns(['org_id', 'time', 'dedupe_key']).doNothing())
      .returning('dedupe_key')
      .execute();
    for (const r of res) inserted.add(r.dedupe_key);
  }
  // Within one batch the same key may appear twice (a client resent inside one request); only the first counts.
  const seen = new Set<string>();
  return rows.map((r) => {
    const key = r[COL.dedupe_key] as string;
    if (!inserted.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toObject(values: EventValues): EventRow {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < COLUMNS.length; i++) o[COLUMNS[i] as string] = values[i];
  return o as unknown as EventRow;
}

const statements = new WeakMap<object, Statement>();

function sqliteInsert(store: Store): Statement {
  const raw = store.sqlite as NonNullable<Store['sqlite']>;
  let stmt = statements.get(raw);
  if (!stmt) {
    stmt = raw.prepare(
      `INSERT INTO events (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ` +
        `ON CONFLICT(org_id, time, dedupe_key) DO NOTHING`,
    );
    statements.set(raw, stmt);
  }
  return stmt;
}
