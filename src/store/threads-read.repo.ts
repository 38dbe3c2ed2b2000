import { sql, type Kysely } from 'kysely';
import type { Database, EventRecord } from './database.js';
import type { KeysetCursor } from './people-read.repo.js';

/**
 * One prompt's events in the order they happened: time, then the client's own sequence, then arrival.
 *
 * No index serves `prompt_id` (one would cost ~30% of insert throughput, measured by bench/prompt-index.bench.ts),
 * so the lookup is two bounded reads: one event of the prompt inside [lo, hi) through the time index, which names
 * its session; then the session's events through the (session_id, time) index within the session's first/last
 * seen, keeping the prompt's. Events without a session are read from [lo, hi) alone.
 */
export async function threadEvents(
  db: Kysely<Database>,
  promptId: string,
  window: { lo: number; hi: number },
  max: number,
): Promise<EventRecord[]> {
  const anchor = await db
    .selectFrom('events')
    .select(['session_id'])
    .where('org_id', '=', 'default')
    .where('time', '>=', window.lo)
    .where('time', '<', window.hi)
    .where('prompt_id', '=', promptId)
    .limit(1)
    .executeTakeFirst();
  if (!anchor) return [];
  let q = db.selectFrom('events').selectAll().where('prompt_id', '=', promptId);
  const session = anchor.session_id
    ? await db
        .selectFrom('sessions')
        .select(['id', 'first_seen', 'last_seen'])
        .where('id', '=', anchor.session_id)
        .executeTakeFirst()
    : undefined;
  if (session) {
    q = q
      .where('session_id', '=', session.id)
      .where('time', '>=', session.first_seen)
      .where('time', '<=', session.last_seen);
  } else {
    q = q.where('org_id', '=', 'default').where('time', '>=', window.lo).where('time', '<', window.hi);
  }
  return q.orderBy('time', 'asc').orderBy('sequence', 'asc').orderBy('id', 'asc').limit(max).execute();
}

export interface ThreadFilter {
  from: number;
  to: number;
  q?: string | undefined;
  tool?: string | undefined;
  mcpServer?: string | undefined;
  skill?: string | undefined;
  model?: string | undefined;
  personId?: string | undefined;
  cursor?: KeysetCursor | undefined;
  limit: number;
}

export interface ThreadRow {
  prompt_id: string;
  person_id: string | null;
  session_id: string | null;
  first_time: number;
  last_time: number;
  events: number;
  api_requests: number;
  tool_calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_micros: number;
}

export function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Threads (one row per prompt_id) with events in a required window, newest first. Filters keep the threads with at
 * least one event in the window matching each one (tool, MCP server, skill, model, content); counts and tokens are
 * those of the thread's events inside the window. Keyset on (first time desc, prompt_id asc).
 */
export async function searchThreads(db: Kysely<Database>, f: ThreadFilter): Promise<ThreadRow[]> {
  const rows = await threadQuery(db, f)
    .orderBy(sql`min(time)`, 'desc')
    .orderBy('prompt_id', 'asc')
    .limit(f.limit + 1)
    .execute();
  return rows.map(toThreadRow);
}

/**
 * `searchThreads` figures for some prompts only, read through their sessions' (session_id, time) index within the
 * window — or through the time index between `range` bounds for prompts with events outside any session. Used
 * for the few prompts a prompt summary cannot answer for (see analytics/thread-search.ts).
 */
export async function threadRowsFor(
  db: Kysely<Database>,
  f: ThreadFilter,
  promptIds: readonly string[],
  where: { sessions: readonly string[] } | { from: number; to: number },
): Promise<ThreadRow[]> {
  if (promptIds.length === 0) return [];
  let q = threadQuery(
    db,
    'sessions' in where ? f : { ...f, from: Math.max(f.from, where.from), to: Math.min(f.to, where.to) },
  );
  if ('sessions' in where) {
    if (where.sessions.length === 0) return [];
    q = q.where('session_id', 'in', [...where.sessions]);
  }
  return (await q.where('prompt_id', 'in', [...promptIds]).execute()).map(toThreadRow);
}

/** The grouped thread query: one row per prompt with events in the window, filters as HAVING (any event matches). */
function threadQuery(db: Kysely<Database>, f: ThreadFilter) {
  const any = (cond: ReturnType<typeof sql>) => sql<boolean>`sum(case when ${cond} then 1 else 0 end) > 0`;
  let q = db
    .selectFrom('events')
    .select([
      sql<string>`prompt_id`.as('prompt_id'),
      sql<string | null>`min(person_id)`.as('person_id'),
      sql<string | null>`min(session_id)`.as('session_id'),
      sql<number>`min(time)`.as('first_time'),
      sql<number>`max(time)`.as('last_time'),
      sql<number>`count(*)`.as('events'),
      sql<number>`sum(case when kind = 'api_request' then 1 else 0 end)`.as('api_requests'),
      sql<number>`sum(case when kind = 'tool_result' then 1 else 0 end)`.as('tool_calls'),
      sql<number>`sum(case when kind = 'api_error' or (kind = 'tool_result' and success = 0) then 1 else 0 end)`.as(
        'errors',
      ),
      sql<number>`coalesce(sum(input_tokens), 0)`.as('input_tokens'),
      sql<number>`coalesce(sum(output_tokens), 0)`.as('output_tokens'),
      sql<number>`coalesce(sum(cache_read_tokens), 0)`.as('cache_read_tokens'),
      sql<number>`coalesce(sum(cache_write_tokens), 0)`.as('cache_write_tokens'),
      sql<number>`coalesce(sum(cost_micros), 0)`.as('cost_micros'),
    ])
    .where('org_id', '=', 'default')
    .where('time', '>=', f.from)
    .where('time', '<', f.to)
    .where('prompt_id', 'is not', null);
  if (f.personId) q = q.where('person_id', '=', f.personId);
  q = q.groupBy('prompt_id');
  if (f.tool) q = q.having(any(sql`tool = ${f.tool}`));
  if (f.mcpServer) q = q.having(any(sql`mcp_server = ${f.mcpServer}`));
  if (f.skill) q = q.having(any(sql`skill = ${f.skill}`));
  if (f.model) q = q.having(any(sql`model = ${f.model}`));
  if (f.q) q = q.having(any(sql`lower(content) like ${likePattern(f.q)} escape '\\'`));
  if (f.cursor) {
    const c = f.cursor;
    q = q.having(sql<boolean>`min(time) < ${c.t} or (min(time) = ${c.t} and prompt_id > ${String(c.id)})`);
  }
  return q;
}

function toThreadRow(r: Record<string, unknown>): ThreadRow {
  return {
    prompt_id: String(r.prompt_id),
    person_id: (r.person_id as string | null) ?? null,
    session_id: (r.session_id as string | null) ?? null,
    first_time: Number(r.first_time),
    last_time: Number(r.last_time),
    events: Number(r.events),
    api_requests: Number(r.api_requests),
    tool_calls: Number(r.tool_calls),
    errors: Number(r.errors),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    cache_read_tokens: Number(r.cache_read_tokens),
    cache_write_tokens: Number(r.cache_write_tokens),
    cost_micros: Number(r.cost_micros),
  };
}

/** Prompts with events past the refresher's cursor in the window: their sessions and times there. */
export async function promptsPastCursor(
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  afterId: number,
  from: number,
  to: number,
): Promise<{ prompt_id: string; session_id: string | null; first: number; last: number }[]> {
  // SQLite: `+time` keeps the plan on the id (rowid) range, the small part.
  const time = dialect === 'sqlite' ? sql.raw('+time') : sql.raw('time');
  const rows = await db
    .selectFrom('events')
    .select([
      sql<string>`prompt_id`.as('prompt_id'),
      'session_id',
      sql<number>`min(time)`.as('first'),
      sql<number>`max(time)`.as('last'),
    ])
    .where('id', '>', afterId)
    .where(sql<boolean>`${time} >= ${from}`)
    .where(sql<boolean>`${time} < ${to}`)
    .where('org_id', '=', 'default')
    .where('prompt_id', 'is not', null)
    .groupBy(['prompt_id', 'session_id'])
    .execute();
  return rows.map((r) => ({ ...r, first: Number(r.first), last: Number(r.last) }));
}

/** Display names of a page's people (at most one page of ids). */
export async function personNames(db: Kysely<Database>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('people').select(['id', 'display_name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
