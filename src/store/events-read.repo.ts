import { sql, type Kysely } from 'kysely';
import type { Database, EventRecord } from './database.js';
import type { KeysetCursor } from './people-read.repo.js';

export interface EventFilter {
  from: number;
  to: number;
  personId?: string | undefined;
  sessionId?: string | undefined;
  kind?: string | undefined;
  model?: string | undefined;
  tool?: string | undefined;
  mcpServer?: string | undefined;
  skill?: string | undefined;
  cursor?: KeysetCursor | undefined;
  limit: number;
}

/** Raw events in a required time window (DESIGN §4: raw reads are always time-bounded), oldest first. */
export async function listEvents(db: Kysely<Database>, f: EventFilter): Promise<EventRecord[]> {
  let q = db
    .selectFrom('events')
    .selectAll()
    .where('org_id', '=', 'default')
    .where('time', '>=', f.from)
    .where('time', '<', f.to);
  if (f.personId) q = q.where('person_id', '=', f.personId);
  if (f.sessionId) q = q.where('session_id', '=', f.sessionId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.model) q = q.where('model', '=', f.model);
  if (f.tool) q = q.where('tool', '=', f.tool);
  if (f.mcpServer) q = q.where('mcp_server', '=', f.mcpServer);
  if (f.skill) q = q.where('skill', '=', f.skill);
  if (f.cursor) {
    const c = f.cursor;
    q = q.where((eb) => eb.or([eb('time', '>', c.t), eb.and([eb('time', '=', c.t), eb('id', '>', Number(c.id))])]));
  }
  return q
    .orderBy('time', 'asc')
    .orderBy('id', 'asc')
    .limit(f.limit + 1)
    .execute();
}

export type UsageGroup = 'person' | 'team' | 'department' | 'model' | 'day';

export interface UsageRow {
  key: string | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_micros: number;
}

const DAY_MS = 86_400_000;

/** Token and cost totals from `api_request` events in a window, grouped. Input/output/cache never conflated. */
export async function usageSummary(
  db: Kysely<Database>,
  from: number,
  to: number,
  groupBy: UsageGroup,
): Promise<UsageRow[]> {
  const keyExpr =
    groupBy === 'person'
      ? sql<string | null>`person_id`
      : groupBy === 'team'
        ? sql<string | null>`team`
        : groupBy === 'department'
          ? sql<string | null>`department`
          : groupBy === 'model'
            ? sql<string | null>`model`
            : sql<string>`cast(time / ${sql.lit(DAY_MS)} as bigint)`;
  const rows = await db
    .selectFrom('events')
    .select([
      keyExpr.as('key'),
      sql<number>`count(*)`.as('requests'),
      sql<number>`coalesce(sum(input_tokens), 0)`.as('input_tokens'),
      sql<number>`coalesce(sum(output_tokens), 0)`.as('output_tokens'),
      sql<number>`coalesce(sum(cache_read_tokens), 0)`.as('cache_read_tokens'),
      sql<number>`coalesce(sum(cache_write_tokens), 0)`.as('cache_write_tokens'),
      sql<number>`coalesce(sum(cost_micros), 0)`.as('cost_micros'),
    ])
    .where('org_id', '=', 'default')
    .where('kind', '=', 'api_request')
    .where('time', '>=', from)
    .where('time', '<', to)
    .groupBy(sql`1`)
    .orderBy(groupBy === 'day' ? sql`1` : sql`7`, groupBy === 'day' ? 'asc' : 'desc')
    .execute();
  return rows.map((r) => ({
    key: r.key === null ? null : String(r.key),
    requests: Number(r.requests),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    cache_read_tokens: Number(r.cache_read_tokens),
    cache_write_tokens: Number(r.cache_write_tokens),
    cost_micros: Number(r.cost_micros),
  }));
}

export async function eventStats(db: Kysely<Database>): Promise<{ events: number; last_event: number | null }> {
  const r = await db
    .selectFrom('events')
    .select([sql<number>`count(*)`.as('n'), sql<number | null>`max(time)`.as('last')])
    .executeTakeFirstOrThrow();
  return { events: Number(r.n), last_event: r.last === null ? null : Number(r.last) };
}
