import type { Statement } from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AnalyticsCursorTable, Database } from './database.js';
import type { Store } from './store.js';
import { formatEdges, parseEdges } from './tier-dictionaries.repo.js';

/**
 * Writes of the derived tiers (migration 0005) and the refresher's cursor. Increments are added: counters sum,
 * first/last take the min/max — the same merge whether a block row is new or already holds earlier days or events.
 * SQLite binds cached prepared statements; PostgreSQL sends multi-row statements (rows of one statement have
 * distinct keys — the caller folds per block first).
 */
type Db = Kysely<Database> | Transaction<Database>;

export interface TierTable {
  table: 'rollup_dim_tiers' | 'tool_use_tiers' | 'tool_key_tiers' | 'workspace_tiers';
  key: readonly string[];
  sum: readonly string[];
  min: readonly string[];
  max: readonly string[];
}

export const DIM_TIERS: TierTable = {
  table: 'rollup_dim_tiers',
  key: ['org_id', 'span', 'start', 'dim', 'value', 'person_id', 'team', 'department', 'surface'],
  sum: ['calls', 'requests', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cost_micros'],
  min: ['first_hour'],
  max: ['last_hour'],
};

const TOOL_KEY = ['kind', 'tool', 'mcp_server', 'mcp_tool', 'skill', 'plugin', 'agent'];

export const USE_TIERS: TierTable = {
  table: 'tool_use_tiers',
  key: ['org_id', 'span', 'start', ...TOOL_KEY, 'detail', 'person_id', 'team', 'department'],
  sum: ['calls', 'errors'],
  min: ['first_time'],
  max: ['last_time'],
};

/**
 * Workspace folders (migration 0013): sessions by the day of their last activity. The refresher adds a session's
 * new contribution and takes its old one out (sessions -1; first/last then stay what they were, see
 * analytics/workspace-tiers.ts).
 */
export const WORKSPACE_TIERS: TierTable = {
  table: 'workspace_tiers',
  key: ['org_id', 'span', 'start', 'person_id', 'team', 'department', 'folder'],
  sum: ['sessions'],
  min: ['first_seen'],
  max: ['last_seen'],
};

/**
 * Tiers whose rows hold sets, histograms or packed edges: the refresher merges them in memory and writes rows whole
 * (`replaceTierRows`).
 */
export interface WholeRowTier {
  table: 'tool_key_tiers' | 'person_edge_tiers' | 'rollup_value_tiers';
  key: readonly string[];
  values: readonly string[];
}

export const KEY_TIERS: WholeRowTier = {
  table: 'tool_key_tiers',
  key: ['org_id', 'span', 'start', ...TOOL_KEY],
  values: ['calls', 'errors', 'anonymous_calls', 'last_time', 'people', 'latency'],
};

export const VALUE_TIERS: WholeRowTier = {
  table: 'rollup_value_tiers',
  key: ['org_id', 'span', 'start', 'dim', 'value'],
  values: ['first_hour', 'last_hour', 'calls', 'people'],
};

export const EDGE_TIERS: WholeRowTier = {
  table: 'person_edge_tiers',
  key: ['org_id', 'span', 'start', 'person_id', 'team', 'department'],
  values: ['graph_calls', 'edges'],
};

const PG_PARAMS = 30_000;

/** Adds rows (distinct keys, every column of the table present) into a tier table. */
export async function addTierRows(
  trx: Transaction<Database>,
  store: Store,
  t: TierTable,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = [...t.key, ...t.sum, ...t.min, ...t.max];
  const least = store.dialect === 'postgres' ? 'least' : 'min';
  const greatest = store.dialect === 'postgres' ? 'greatest' : 'max';
  const set = [
    ...t.sum.map((c) => `${c} = ${t.table}.${c} + excluded.${c}`),
    ...t.min.map((c) => `${c} = ${least}(${t.table}.${c}, excluded.${c})`),
    ...t.max.map((c) => `${c} = ${greatest}(${t.table}.${c}, excluded.${c})`),
  ].join(', ');
  const head = `insert into ${t.table} (${columns.join(', ')}) values `;
  const tail = ` on conflict (${t.key.join(', ')}) do update set ${set}`;
  if (store.sqlite) {
    const stmt = prepared(store, t.table, () => head + `(${columns.map(() => '?').join(', ')})` + tail);
    const args: unknown[] = new Array(columns.length);
    for (const r of rows) {
      for (let i = 0; i < columns.length; i++) args[i] = r[columns[i] as string];
      stmt.run(args);
    }
    return;
  }
  const per = Math.max(1, Math.floor(PG_PARAMS / columns.length));
  for (let i = 0; i < rows.length; i += per) {
    const tuples = rows.slice(i, i + per).map((r) => sql`(${sql.join(columns.map((c) => r[c]))})`);
    await sql`${sql.raw(head)}${sql.join(tuples)}${sql.raw(tail)}`.execute(trx);
  }
}

/** Stored rows of one block of a whole-row tier (the refresher merges into them), of some people only. */
export async function wholeRowBlock(
  trx: Transaction<Database>,
  t: WholeRowTier,
  org: string,
  span: number,
  starts: readonly number[],
  people?: readonly string[],
): Promise<Record<string, unknown>[]> {
  const read = (ids?: readonly string[]) => {
    let q = trx
      .selectFrom(t.table)
      .selectAll()
      .where('org_id', '=', org)
      .where('span', '=', span)
      .where('start', 'in', [...starts]);
    if (ids) q = q.where('person_id' as never, 'in', [...ids] as never);
    return q.execute() as Promise<Record<string, unknown>[]>;
  };
  if (!people) return read();
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < people.length; i += 500) out.push(...(await read(people.slice(i, i + 500))));
  return out;
}

/** Writes whole rows (already merged with what was stored). */
export async function replaceTierRows(
  trx: Transaction<Database>,
  store: Store,
  t: WholeRowTier,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = [...t.key, ...t.values];
  const head = `insert into ${t.table} (${columns.join(', ')}) values `;
  const tail =
    ` on conflict (${t.key.join(', ')}) do update set ` + t.values.map((c) => `${c} = excluded.${c}`).join(', ');
  if (store.sqlite) {
    const stmt = prepared(store, `${t.table}/replace`, () => head + `(${columns.map(() => '?').join(', ')})` + tail);
    for (const r of rows) stmt.run(columns.map((c) => r[c]));
    return;
  }
  const per = Math.max(1, Math.floor(PG_PARAMS / columns.length));
  for (let i = 0; i < rows.length; i += per) {
    const tuples = rows.slice(i, i + per).map((r) => sql`(${sql.join(columns.map((c) => r[c]))})`);
    await sql`${sql.raw(head)}${sql.join(tuples)}${sql.raw(tail)}`.execute(trx);
  }
}

export async function deleteTierBlock(
  trx: Transaction<Database>,
  table: WholeRowTier['table'],
  org: string,
  span: number,
  start: number,
): Promise<void> {
  await trx.deleteFrom(table).where('org_id', '=', org).where('span', '=', span).where('start', '=', start).execute();
}

const statements = new WeakMap<object, Map<string, Statement>>();

export function prepared(store: Store, name: string, text: () => string): Statement {
  const raw = store.sqlite as NonNullable<Store['sqlite']>;
  let byName = statements.get(raw);
  if (!byName) statements.set(raw, (byName = new Map()));
  let stmt = byName.get(name);
  if (!stmt) byName.set(name, (stmt = raw.prepare(text())));
  return stmt;
}

export type Cursor = Omit<AnalyticsCursorTable, 'name'>;
const CURSOR = 'default';

export async function readCursor(db: Db): Promise<Cursor> {
  const row = await db
    .selectFrom('analytics_cursor')
    .select(['event_id', 'metric_id', 'max_prompt_ms', 'tiers_through', 'max_session_ms'])
    .where('name', '=', CURSOR)
    .executeTakeFirst();
  if (!row) return { event_id: 0, metric_id: 0, max_prompt_ms: 0, tiers_through: 0, max_session_ms: 0 };
  return {
    event_id: Number(row.event_id),
    metric_id: Number(row.metric_id),
    max_prompt_ms: Number(row.max_prompt_ms),
    tiers_through: Number(row.tiers_through),
    max_session_ms: Number(row.max_session_ms),
  };
}

export async function saveCursor(trx: Transaction<Database>, c: Cursor): Promise<void> {
  await trx
    .insertInto('analytics_cursor')
    .values({ name: CURSOR, ...c })
    .onConflict((oc) => oc.column('name').doUpdateSet({ ...c }))
    .execute();
}

/**
 * The highest event and metric point ids below which every row is committed. SQLite has one writer, so ids commit
 * in order. PostgreSQL hands out ids before commit, so a transaction still open may commit a lower id later: a
 * SHARE lock on both tables waits for the inserting transactions to end (and holds new inserts back for that
 * moment), after which the maxima are final.
 */
export async function settledMaxIds(store: Store): Promise<{ event: number; metric: number }> {
  const read = async (db: Db) => {
    const e = await db
      .selectFrom('events')
      .select((eb) => eb.fn.max('id').as('m'))
      .executeTakeFirst();
    const m = await db
      .selectFrom('metric_points')
      .select((eb) => eb.fn.max('id').as('m'))
      .executeTakeFirst();
    return { event: Number(e?.m ?? 0), metric: Number(m?.m ?? 0) };
  };
  if (store.dialect !== 'postgres') return read(store.db);
  return store.db.transaction().execute(async (trx) => {
    await sql`lock table events, metric_points in share mode`.execute(trx);
    return read(trx);
  });
}

/**
 * Builds longer blocks of an additive tier table from their two halves (span / 2), replacing whatever a block
 * held. Halves are built first (blocks come in increasing span).
 */
export async function compactTierBlocks(
  trx: Transaction<Database>,
  t: TierTable,
  org: string,
  blocks: readonly { span: number; start: number }[],
): Promise<void> {
  const keys = t.key.filter((c) => c !== 'org_id' && c !== 'span' && c !== 'start');
  const values = [...t.sum.map((c) => `sum(${c})`), ...t.min.map((c) => `min(${c})`), ...t.max.map((c) => `max(${c})`)];
  const columns = ['org_id', 'span', 'start', ...keys, ...t.sum, ...t.min, ...t.max];
  for (const b of blocks) {
    const half = b.span / 2;
    const block = sql`org_id = ${org} and span = ${b.span} and start = ${b.start}`;
    await sql`delete from ${sql.table(t.table)} where ${block}`.execute(trx);
    await sql`insert into ${sql.table(t.table)} (${sql.raw(columns.join(', '))})
      select org_id, ${sql.lit(b.span)}, ${sql.lit(b.start)}, ${sql.raw([...keys, ...values].join(', '))}
      from ${sql.table(t.table)}
      where org_id = ${org} and span = ${half} and start in (${b.start}, ${b.start + half * DAY})
      group by org_id, ${sql.raw(keys.join(', '))}`.execute(trx);
  }
}

const DAY = 86_400_000;

/** Organisations with day blocks, each with its earliest day block (compaction starts there). */
export async function tierOrgs(db: Db): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const table of ['rollup_dim_tiers', 'tool_use_tiers', 'workspace_tiers'] as const) {
    const rows = await db
      .selectFrom(table)
      .select(['org_id', (eb) => eb.fn.min('start').as('m')])
      .where('span', '=', 1)
      .groupBy('org_id')
      .execute();
    for (const r of rows) out.set(r.org_id, Math.min(out.get(r.org_id) ?? Infinity, Number(r.m)));
  }
  return out;
}

/**
 * Bumped when this process rewrites tiers without moving the cursor forward (a reset, a merge): part of
 * `tierVersion`, so tier reads cached in this process are dropped even when the cursor comes back to the same ids.
 */
let tierGeneration = 0;

/**
 * A string that changes whenever the tiers a snapshot sees may have changed: the cursor (every refresher write
 * moves it in the same transaction), the number of identity merges (`moveTiers` runs inside a merge), this
 * process's generation, and what tells another process's writes apart — on PostgreSQL the cursor row's version
 * (`xmin`, new on every write, also after a reset re-inserts it), on SQLite `data_version` (changes when another
 * connection commits, e.g. `steward rollups rebuild` beside a running server).
 */
export async function tierVersion(db: Db, dialect: 'sqlite' | 'postgres', c: Cursor): Promise<string> {
  const writer =
    dialect === 'postgres'
      ? sql<string>`(select xmin::text from analytics_cursor where name = ${CURSOR})`
      : sql<string>`(select data_version from pragma_data_version())`;
  const row = await sql<{ w: string | number | null; m: string | number }>`select ${writer} as w,
      (select count(*) from person_merges) as m`.execute(db);
  const r = row.rows[0];
  return [c.event_id, c.metric_id, c.tiers_through, tierGeneration, r?.m ?? 0, r?.w ?? ''].join('/');
}

/** Empties every derived tier and rewinds the cursor (a rebuild refolds everything). */
export async function resetTiers(trx: Transaction<Database>): Promise<void> {
  tierGeneration++;
  await trx.deleteFrom('rollup_dim_tiers').execute();
  await trx.deleteFrom('tool_use_tiers').execute();
  await trx.deleteFrom('tool_key_tiers').execute();
  await trx.deleteFrom('person_edge_tiers').execute();
  await trx.deleteFrom('rollup_value_tiers').execute();
  await trx.deleteFrom('prompt_summaries').execute();
  await trx.deleteFrom('workspace_tiers').execute();
  await trx.deleteFrom('session_folders').execute();
  await trx.deleteFrom('analytics_cursor').execute();
}

/**
 * An identity merge moves `fromId`'s tier rows onto `intoId` (counters add, first/last widen) and repoints prompt
 * summaries, so the tiers stay what folding the repointed events gives. Key-tier bitmaps keep the merged person's
 * number: reads count a merged-away person as the one they were merged into.
 */
export async function moveTiers(db: Db, fromId: string, intoId: string): Promise<void> {
  tierGeneration++;
  for (const t of [DIM_TIERS, USE_TIERS, WORKSPACE_TIERS]) {
    const columns = [...t.key, ...t.sum, ...t.min, ...t.max];
    const select = columns.map((c) => (c === 'person_id' ? sql`${intoId}` : sql.ref(c)));
    // CASE rather than min()/least(): the same SQL on both engines.
    const pick = (c: string, op: '<' | '>') =>
      `${c} = case when ${t.table}.${c} ${op} excluded.${c} then ${t.table}.${c} else excluded.${c} end`;
    const set = [
      ...t.sum.map((c) => `${c} = ${t.table}.${c} + excluded.${c}`),
      ...t.min.map((c) => pick(c, '<')),
      ...t.max.map((c) => pick(c, '>')),
    ].join(', ');
    await sql`insert into ${sql.table(t.table)} (${sql.raw(columns.join(', '))})
      select ${sql.join(select)} from ${sql.table(t.table)} where person_id = ${fromId}
      on conflict (${sql.raw(t.key.join(', '))}) do update set ${sql.raw(set)}`.execute(db);
    await sql`delete from ${sql.table(t.table)} where person_id = ${fromId}`.execute(db);
  }
  await db.updateTable('session_folders').set({ person_id: intoId }).where('person_id', '=', fromId).execute();
  // Packed edges merge in memory: calls add, last use is the later.
  for (const r of await db.selectFrom('person_edge_tiers').selectAll().where('person_id', '=', fromId).execute()) {
    const into = await db
      .selectFrom('person_edge_tiers')
      .selectAll()
      .where('org_id', '=', r.org_id)
      .where('span', '=', r.span)
      .where('start', '=', r.start)
      .where('person_id', '=', intoId)
      .where('team', '=', r.team)
      .where('department', '=', r.department)
      .executeTakeFirst();
    const edges = parseEdges(into?.edges ?? '');
    for (const [n, [calls, last]] of parseEdges(r.edges)) {
      const e = edges.get(n);
      edges.set(n, e ? [e[0] + calls, Math.max(e[1], last)] : [calls, last]);
    }
    const row = { ...r, person_id: intoId, graph_calls: Number(r.graph_calls) + Number(into?.graph_calls ?? 0) };
    await db
      .insertInto('person_edge_tiers')
      .values({ ...row, edges: formatEdges(edges) })
      .onConflict((oc) =>
        oc
          .columns(['org_id', 'span', 'start', 'person_id', 'team', 'department'])
          .doUpdateSet({ graph_calls: row.graph_calls, edges: formatEdges(edges) }),
      )
      .execute();
  }
  await db.deleteFrom('person_edge_tiers').where('person_id', '=', fromId).execute();
  await sql`update prompt_summaries set
      person_min = case when person_min = ${fromId} then ${intoId} else person_min end,
      person_max = case when person_max = ${fromId} then ${intoId} else person_max end
    where person_min = ${fromId} or person_max = ${fromId}`.execute(db);
  await sql`update prompt_summaries set person_min = person_max, person_max = person_min
    where person_min > person_max`.execute(db);
}

/** PostgreSQL: fresh planner statistics for the tier tables (after the refresher folded a lot at once). */
export async function analyzeTiers(store: Store): Promise<void> {
  await sql`analyze rollup_dim_tiers, rollup_value_tiers, tool_use_tiers, tool_key_tiers, person_edge_tiers, prompt_summaries, person_numbers, workspace_tiers, session_folders`.execute(
    store.db,
  );
}
