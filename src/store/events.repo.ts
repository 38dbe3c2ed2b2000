import type { Statement } from 'better-sqlite3';
import type { Transaction } from 'kysely';
import type { Database, EventsTable } from './database.js';
import type { Store } from './store.js';

export type EventRow = Omit<EventsTable, 'id'>;

const COLUMNS = [
  'dedupe_key',
  'time',
  'org_id',
  'source',
  'surface',
  'kind',
  'name',
  'person_id',
  'session_id',
  'prompt_id',
  'sequence',
  'agent',
  'workflow',
  'skill',
  'plugin',
  'model',
  'tool',
  'tool_use_id',
  'mcp_server',
  'mcp_tool',
  'decision',
  'decision_source',
  'success',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_micros',
  'duration_ms',
  'request_id',
  'department',
  'team',
  'content',
  'attrs',
] as const satisfies readonly (keyof EventRow)[];

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
  rows: readonly EventRow[],
): Promise<boolean[]> {
  if (store.sqlite) {
    const stmt = sqliteInsert(store);
    // Positional binding from one reused argument array: measured ~13% faster than named parameters.
    const args: unknown[] = new Array(COLUMNS.length);
    return rows.map((r) => {
      for (let i = 0; i < COLUMNS.length; i++) args[i] = r[COLUMNS[i] as keyof EventRow];
      return stmt.run(args).changes > 0;
    });
  }
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += PG_CHUNK) {
    const chunk = rows.slice(i, i + PG_CHUNK);
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
    if (!inserted.has(r.dedupe_key) || seen.has(r.dedupe_key)) return false;
    seen.add(r.dedupe_key);
    return true;
  });
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
