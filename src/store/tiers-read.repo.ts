import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, ToolKeyTiersTable } from './database.js';

/**
 * Reads of the derived tiers (migration 0005) and the same groupings over rollups_hourly for a window's partial
 * days. Blocks are named by (span, start) row values so each is a primary-key range.
 */
type Db = Kysely<Database> | Transaction<Database>;

export interface BlockRef {
  span: number;
  start: number;
}

export function inBlocks(blocks: readonly BlockRef[]) {
  // Literals: the block list is trusted integers, and PostgreSQL would type VALUES parameters as text.
  return sql<boolean>`(span, start) in (values ${sql.join(blocks.map((b) => sql`(${sql.lit(b.span)}, ${sql.lit(b.start)})`))})`;
}

/** Session-level columns every projection keeps (and may be filtered on). */
export const SESSION_COLUMNS = ['person_id', 'team', 'department', 'surface'] as const;
export type SessionColumn = (typeof SESSION_COLUMNS)[number];
export type PairColumn = 'value' | SessionColumn;

export interface PairRow {
  /** Group key values in the order asked. */
  keys: string[];
  first_hour: number;
  last_hour: number;
  calls: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_micros: number;
}

export interface PairQuery {
  org: string;
  /** The tier dimension: '' (session-level base) or a rollup dimension name. */
  dim: string;
  groupBy: readonly PairColumn[];
  filters?: Partial<Record<SessionColumn, string>> | undefined;
  /** Leave out rows where this column is ''. */
  nonEmpty?: PairColumn | undefined;
  /** Only these values of `value`. */
  values?: readonly string[] | undefined;
}

const AGGREGATES = [
  ['first_hour', 'min', 'first_hour'],
  ['last_hour', 'max', 'last_hour'],
  ['calls', 'sum', 'calls'],
  ['requests', 'sum', 'requests'],
  ['input_tokens', 'sum', 'input_tokens'],
  ['output_tokens', 'sum', 'output_tokens'],
  ['cache_read_tokens', 'sum', 'cache_read_tokens'],
  ['cache_write_tokens', 'sum', 'cache_write_tokens'],
  ['cost_micros', 'sum', 'cost_micros'],
] as const;

function toPairRows(rows: readonly Record<string, unknown>[], n: number): PairRow[] {
  // Without GROUP BY an empty input still gives one row, of NULLs: no group.
  return rows
    .filter((o) => o.first_hour !== null)
    .map((o) => ({
      keys: Array.from({ length: n }, (_, i) => String(o[`k${i}`] ?? '')),
      first_hour: Number(o.first_hour),
      last_hour: Number(o.last_hour),
      calls: Number(o.calls),
      requests: Number(o.requests),
      input_tokens: Number(o.input_tokens),
      output_tokens: Number(o.output_tokens),
      cache_read_tokens: Number(o.cache_read_tokens),
      cache_write_tokens: Number(o.cache_write_tokens),
      cost_micros: Number(o.cost_micros),
    }));
}

/** Grouped sums of `rollup_dim_tiers` over whole blocks. */
export async function dimTierPairs(db: Db, blocks: readonly BlockRef[], q: PairQuery): Promise<PairRow[]> {
  if (blocks.length === 0) return [];
  let query = db
    .selectFrom('rollup_dim_tiers')
    .select(q.groupBy.map((c, i) => sql<string>`${sql.ref(c)}`.as(`k${i}`)))
    .select(AGGREGATES.map(([as, fn, c]) => sql<number>`${sql.raw(fn)}(${sql.ref(c)})`.as(as)))
    .where('org_id', '=', q.org)
    .where(inBlocks(blocks))
    .where('dim', '=', q.dim);
  for (const [c, v] of Object.entries(q.filters ?? {}))
    if (v !== undefined) query = query.where(c as SessionColumn, '=', v);
  if (q.nonEmpty) query = query.where(q.nonEmpty, '!=', '');
  if (q.values) query = query.where('value', 'in', q.values.length ? [...q.values] : ['\u0000']);
  if (q.groupBy.length) query = query.groupBy([...q.groupBy]);
  return toPairRows((await query.execute()) as Record<string, unknown>[], q.groupBy.length);
}

/** The same grouping over hourly rollups in [from, to) (whole hours): a window's partial days. */
export async function hourlyPairs(db: Db, from: number, to: number, q: PairQuery): Promise<PairRow[]> {
  if (from >= to) return [];
  const col = (c: PairColumn) => (c === 'value' ? (q.dim === '' ? sql<string>`''` : sql.ref(q.dim)) : sql.ref(c));
  let query = db
    .selectFrom('rollups_hourly')
    .select(q.groupBy.map((c, i) => sql<string>`${col(c)}`.as(`k${i}`)))
    .select([
      sql<number>`min(hour)`.as('first_hour'),
      sql<number>`max(hour)`.as('last_hour'),
      sql<number>`sum(requests + tool_calls + prompts)`.as('calls'),
      sql<number>`sum(requests)`.as('requests'),
      sql<number>`sum(input_tokens)`.as('input_tokens'),
      sql<number>`sum(output_tokens)`.as('output_tokens'),
      sql<number>`sum(cache_read_tokens)`.as('cache_read_tokens'),
      sql<number>`sum(cache_write_tokens)`.as('cache_write_tokens'),
      sql<number>`sum(cost_micros)`.as('cost_micros'),
    ])
    .where('org_id', '=', q.org)
    .where('hour', '>=', from)
    .where('hour', '<', to);
  if (q.dim !== '') query = query.where(sql<boolean>`${sql.ref(q.dim)} != ''`);
  for (const [c, v] of Object.entries(q.filters ?? {}))
    if (v !== undefined) query = query.where(c as SessionColumn, '=', v);
  if (q.nonEmpty) query = query.where(sql<boolean>`${col(q.nonEmpty)} != ''`);
  if (q.values) query = query.where(col('value'), 'in', q.values.length ? [...q.values] : ['\u0000']);
  // The base has no value column ('' for all rows): never group by a constant (PostgreSQL refuses it).
  const grouped = q.groupBy.filter((c) => !(c === 'value' && q.dim === ''));
  if (grouped.length) query = query.groupBy(grouped.map((c) => col(c)));
  return toPairRows((await query.execute()) as Record<string, unknown>[], q.groupBy.length);
}

export const USE_COLUMNS = [
  'kind',
  'tool',
  'mcp_server',
  'mcp_tool',
  'skill',
  'plugin',
  'agent',
  'detail',
  'person_id',
  'team',
  'department',
] as const;
export type UseColumn = (typeof USE_COLUMNS)[number];

export interface UseRow {
  keys: string[];
  calls: number;
  errors: number;
  first_time: number;
  last_time: number;
}

export interface UseQuery {
  org: string;
  kinds: readonly string[];
  groupBy: readonly UseColumn[];
  filters?: Partial<Record<'team' | 'department', string | undefined>> | undefined;
  nonEmpty?: readonly UseColumn[] | undefined;
  /** Only rows of these people (e.g. the graph's kept nodes). */
  people?: readonly string[] | undefined;
}

/** Grouped `tool_use_tiers` over whole blocks. */
export async function useTierRows(db: Db, blocks: readonly BlockRef[], q: UseQuery): Promise<UseRow[]> {
  if (blocks.length === 0) return [];
  let query = db
    .selectFrom('tool_use_tiers')
    .select(q.groupBy.map((c, i) => sql<string>`${sql.ref(c)}`.as(`k${i}`)))
    .select([
      sql<number>`sum(calls)`.as('calls'),
      sql<number>`sum(errors)`.as('errors'),
      sql<number>`min(first_time)`.as('first_time'),
      sql<number>`max(last_time)`.as('last_time'),
    ])
    .where('org_id', '=', q.org)
    .where(inBlocks(blocks))
    .where('kind', 'in', [...q.kinds]);
  for (const [c, v] of Object.entries(q.filters ?? {})) {
    if (v !== undefined) query = query.where(c as 'team' | 'department', '=', v);
  }
  for (const c of q.nonEmpty ?? []) query = query.where(c, '!=', '');
  if (q.people) query = query.where('person_id', 'in', q.people.length ? [...q.people] : ['\u0000']);
  if (q.groupBy.length) query = query.groupBy([...q.groupBy]);
  const rows = (await query.execute()) as Record<string, unknown>[];
  return rows
    .filter((o) => o.first_time !== null)
    .map((o) => ({
      keys: q.groupBy.map((_, i) => String(o[`k${i}`] ?? '')),
      calls: Number(o.calls),
      errors: Number(o.errors),
      first_time: Number(o.first_time),
      last_time: Number(o.last_time),
    }));
}

/** The tool-use key columns in primary-key order (after org_id, span, start). */
const USE_KEY = ['kind', 'tool', 'mcp_server', 'mcp_tool', 'skill', 'plugin', 'agent', 'detail'] as const;

/**
 * The distinct (MCP server, detail) pairs of one kind's `tool_use_tiers` rows in the blocks — e.g. which transports
 * each server connected over — without reading a row per person: on PostgreSQL a skip scan of the primary key (one
 * index probe per distinct key and block); SQLite reads the rows (it has no LATERAL and its scans are cheap).
 */
export async function distinctServerDetails(
  db: Db,
  postgres: boolean,
  org: string,
  kind: string,
  blocks: readonly BlockRef[],
): Promise<{ mcp_server: string; detail: string }[]> {
  if (blocks.length === 0) return [];
  if (!postgres) {
    return db
      .selectFrom('tool_use_tiers')
      .select(['mcp_server', 'detail'])
      .distinct()
      .where('org_id', '=', org)
      .where(inBlocks(blocks))
      .where('kind', '=', kind)
      .where('mcp_server', '!=', '')
      .where('detail', '!=', '')
      .execute();
  }
  const rest = USE_KEY.slice(1);
  const cols = sql.join(rest.map((c) => sql.ref(`u.${c}`)));
  const prev = sql.join(rest.map((c) => sql.ref(`t.${c}`)));
  const next = (from: ReturnType<typeof sql.raw>, after: boolean) => sql`(
    select ${cols} from tool_use_tiers u
    where u.org_id = ${org} and u.span = ${from}.span and u.start = ${from}.start and u.kind = ${kind}
    ${after ? sql`and (${cols}) > (${prev})` : sql``}
    order by ${cols} limit 1)`;
  const blockValues = sql.join(blocks.map((b) => sql`(${sql.lit(b.span)}, ${sql.lit(b.start)}::bigint)`));
  const { rows } = await sql<{ mcp_server: string; detail: string }>`
    with recursive b(span, start) as (values ${blockValues}),
    t as (
      select b.span, b.start, f.* from b cross join lateral ${next(sql.raw('b'), false)} f
      union all
      select t.span, t.start, f.* from t cross join lateral ${next(sql.raw('t'), true)} f
    )
    select distinct mcp_server, detail from t where mcp_server != '' and detail != ''`.execute(db);
  return rows;
}

/** Every key-tier row of the blocks (a few dozen per block). */
export async function keyTierRows(db: Db, org: string, blocks: readonly BlockRef[]): Promise<ToolKeyTiersTable[]> {
  if (blocks.length === 0) return [];
  return db.selectFrom('tool_key_tiers').selectAll().where('org_id', '=', org).where(inBlocks(blocks)).execute();
}

/** People merged away: id → the person they were merged into. */
export async function mergedPeople(db: Db, org: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('people')
    .select(['id', 'merged_into'])
    .where('org_id', '=', org)
    .where('merged_into', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.id, r.merged_into as string]));
}

/** Per person over whole blocks: the calls their access-graph edges add to their node. */
export async function edgeTierTotals(db: Db, org: string, blocks: readonly BlockRef[]) {
  if (blocks.length === 0) return [];
  const rows = await db
    .selectFrom('person_edge_tiers')
    .select(['person_id', sql<number>`sum(graph_calls)`.as('calls')])
    .where('org_id', '=', org)
    .where(inBlocks(blocks))
    .groupBy('person_id')
    .execute();
  return rows.map((r) => ({ person_id: r.person_id, calls: Number(r.calls) }));
}

/** Some people's packed access-graph edges, one row per (block, person, team, department). */
export async function edgeTierRows(db: Db, org: string, blocks: readonly BlockRef[], people: readonly string[]) {
  const out: { person_id: string; edges: string }[] = [];
  if (blocks.length === 0) return out;
  for (let i = 0; i < people.length; i += 500) {
    out.push(
      ...(await db
        .selectFrom('person_edge_tiers')
        .select(['person_id', 'edges'])
        .where('org_id', '=', org)
        .where(inBlocks(blocks))
        .where('person_id', 'in', people.slice(i, i + 500))
        .execute()),
    );
  }
  return out;
}

/** Value-tier rows of the blocks for some dimensions (a few dozen per block). */
export async function valueTierRows(db: Db, org: string, blocks: readonly BlockRef[], dims: readonly string[]) {
  if (blocks.length === 0) return [];
  return db
    .selectFrom('rollup_value_tiers')
    .selectAll()
    .where('org_id', '=', org)
    .where(inBlocks(blocks))
    .where('dim', 'in', [...dims])
    .execute();
}
