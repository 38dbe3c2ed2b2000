import { sql, type Kysely, type Transaction } from 'kysely';
import { EVENT_COLUMNS, type EventValues } from '../contracts/event-columns.js';
import type { Database } from './database.js';
import type { Store } from './store.js';
import { prepared } from './tiers.repo.js';

/**
 * Reads of events and metric points for folding (analytics/derived-fold.ts): past the refresher's cursor (the
 * refresher, and reports for what the tiers do not hold yet) and within a window's partial days.
 */
type Db = Kysely<Database> | Transaction<Database>;

/** Columns the fold reads (derived-fold.ts and the rollup aggregation); the others come back null. */
const FOLD_COLUMNS = new Set(
  EVENT_COLUMNS.filter(
    (c) => !['dedupe_key', 'source', 'name', 'sequence', 'tool_use_id', 'request_id', 'attrs'].includes(c),
  ),
);
const READ_COLUMNS = EVENT_COLUMNS.filter((c) => c !== 'attrs');
/** Attributes are read for MCP connections only (their transport). */
const FOLD_SELECT = [
  ...EVENT_COLUMNS.map((c) =>
    c === 'attrs' ? `case when kind = 'mcp_connection' then attrs end` : FOLD_COLUMNS.has(c) ? c : 'null',
  ),
  'id',
].join(', ');

export interface AfterQuery {
  after: number;
  upto?: number | undefined;
  limit?: number | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/**
 * Events with id in (after, upto], oldest id first, at most `limit`, as value arrays in EVENT_COLUMNS order (the
 * columns the fold reads) — with an optional time window (reports fold only what their window holds). The id range
 * is the small part: SQLite reads it through the rowid (`+time` keeps the planner off the time index) into plain
 * arrays; PostgreSQL through the primary key.
 */
export async function eventsAfter(
  db: Db,
  store: Store,
  q: AfterQuery,
): Promise<{ rows: EventValues[]; lastId: number }> {
  if (store.sqlite) {
    const text =
      `select ${FOLD_SELECT} from events where id > ?` +
      (q.upto !== undefined ? ' and id <= ?' : '') +
      (q.from !== undefined ? ' and +time >= ?' : '') +
      (q.to !== undefined ? ' and +time < ?' : '') +
      ' order by id' +
      (q.limit !== undefined ? ' limit ?' : '');
    const stmt = prepared(store, text, () => text).raw(true);
    const args = [q.after, q.upto, q.from, q.to, q.limit].filter((v) => v !== undefined);
    const rows = stmt.all(args) as unknown[][];
    const last = rows[rows.length - 1];
    const lastId = last ? Number(last[EVENT_COLUMNS.length]) : q.after;
    for (const r of rows) r.length = EVENT_COLUMNS.length; // drop the trailing id
    return { rows, lastId };
  }
  let query = db
    .selectFrom('events')
    .select(['id', ...READ_COLUMNS])
    .select(sql<string | null>`case when kind = 'mcp_connection' then attrs end`.as('attrs'))
    .where('id', '>', q.after);
  if (q.upto !== undefined) query = query.where('id', '<=', q.upto);
  if (q.from !== undefined) query = query.where('time', '>=', q.from);
  if (q.to !== undefined) query = query.where('time', '<', q.to);
  query = query.orderBy('id');
  if (q.limit !== undefined) query = query.limit(q.limit);
  const found = await query.execute();
  const rows = found.map((r) => {
    const o = r as Record<string, unknown>;
    return EVENT_COLUMNS.map((c) => o[c] ?? null);
  });
  const last = found[found.length - 1];
  return { rows, lastId: last ? Number(last.id) : q.after };
}

/** Every event of `kinds` (all kinds without) in [from, to), through the time index: a window's partial days. */
export async function eventsInWindow(
  db: Db,
  from: number,
  to: number,
  kinds?: readonly string[],
): Promise<EventValues[]> {
  let query = db
    .selectFrom('events')
    .select(READ_COLUMNS)
    .select(sql<string | null>`case when kind = 'mcp_connection' then attrs end`.as('attrs'))
    .where('org_id', '=', 'default')
    .where('time', '>=', from)
    .where('time', '<', to);
  if (kinds) query = query.where('kind', 'in', [...kinds]);
  const found = await query.execute();
  return found.map((r) => {
    const o = r as Record<string, unknown>;
    return EVENT_COLUMNS.map((c) => o[c] ?? null);
  });
}

/** Metric points with id in (after, upto] (the names rollups read), oldest id first. */
export async function metricsAfter(db: Db, store: Store, q: AfterQuery) {
  const time = store.dialect === 'sqlite' ? sql.raw('+time') : sql.raw('time');
  let query = db
    .selectFrom('metric_points')
    .select(['id', 'org_id', 'time', 'name', 'type', 'value', 'person_id', 'surface', 'model', 'department', 'team'])
    .where('id', '>', q.after);
  if (q.upto !== undefined) query = query.where('id', '<=', q.upto);
  if (q.from !== undefined) query = query.where(sql<boolean>`${time} >= ${q.from}`);
  if (q.to !== undefined) query = query.where(sql<boolean>`${time} < ${q.to}`);
  query = query.orderBy('id');
  if (q.limit !== undefined) query = query.limit(q.limit);
  const rows = await query.execute();
  const last = rows[rows.length - 1];
  return { rows, lastId: last ? Number(last.id) : q.after };
}
