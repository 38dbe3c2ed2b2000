import type { Statement } from 'better-sqlite3';
import type { Transaction } from 'kysely';
import { COL, EVENT_COLUMNS, type EventValues } from '../contracts/event-columns.js';
import type { Database, EventsTable } from './database.js';
import type { Store } from './store.js';

export type EventRow = Omit<EventsTable, 'id'>;

const COLUMNS = EVENT_COLUMNS;

const PG_CHUNK = 1000; // 34 columns × 1000 rows stays under Postgres' 65,535 bind-parameter limit

/**
 * Inserts events, skipping any whose dedupe key is already stored. Returns, per input row, its new id, or null when
 * it was a duplicate — the caller counts only new rows into session totals so a retried export never double counts,
 * and seals exactly the rows it inserted (audit/activity-seal.ts).
 * SQLite uses one cached prepared statement per row inside the caller's transaction (the fastest path
 * better-sqlite3 offers); Postgres uses multi-row INSERT … ON CONFLICT DO NOTHING RETURNING.
 */
export async function insertEvents(
  trx: Transaction<Database>,
  store: Store,
  rows: readonly EventValues[],
): Promise<(number | null)[]> {
  if (store.sqlite) {
    const stmt = sqliteInsert(store);
    // Rows are value arrays in column order: better-sqlite3 binds them positionally as they are.
    return rows.map((r) => {
      const res = stmt.run(r);
      return res.changes > 0 ? Number(res.lastInsertRowid) : null;
    });
  }
  const inserted = new Map<string, number>();
  for (let i = 0; i < rows.length; i += PG_CHUNK) {
    const chunk = rows.slice(i, i + PG_CHUNK).map(toObject);
    const res = await trx
      .insertInto('events')
      .values(chunk)
      .onConflict((oc) => oc.columns(['org_id', 'time', 'dedupe_key']).doNothing())
      .returning(['id', 'dedupe_key'])
      .execute();
    for (const r of res) inserted.set(r.dedupe_key, r.id);
  }
  // Within one batch the same key may appear twice (a client resent inside one request); only the first counts.
  const seen = new Set<string>();
  return rows.map((r) => {
    const key = r[COL.dedupe_key] as string;
    const id = inserted.get(key);
    if (id === undefined || seen.has(key)) return null;
    seen.add(key);
    return id;
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
