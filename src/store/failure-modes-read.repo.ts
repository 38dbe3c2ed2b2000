import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/**
 * Bounded raw-event reads for the failure-mode findings (govern/failure-modes.ts): which MCP tools each server was
 * used with, and each skill's tool results and model / app-version changes.
 */
export interface McpToolUse {
  mcp_server: string;
  mcp_tool: string;
  events: number;
  first_seen: number;
  last_seen: number;
}

/** MCP (server, tool) pairs seen in [from, to) outside enforcement records (a denied call was not a use). */
export async function mcpToolUses(
  db: Kysely<Database>,
  orgId: string,
  from: number,
  to: number,
): Promise<McpToolUse[]> {
  const rows = await db
    .selectFrom('events')
    .select(['mcp_server', 'mcp_tool'])
    .select([
      sql<number>`count(*)`.as('n'),
      sql<number>`min(time)`.as('first_seen'),
      sql<number>`max(time)`.as('last_seen'),
    ])
    .where('org_id', '=', orgId)
    .where('time', '>=', from)
    .where('time', '<', to)
    .where('mcp_server', 'is not', null)
    .where('mcp_tool', 'is not', null)
    .where('kind', '!=', 'policy_decision')
    .groupBy(['mcp_server', 'mcp_tool'])
    .execute();
  return rows.map((r) => ({
    mcp_server: r.mcp_server as string,
    mcp_tool: r.mcp_tool as string,
    events: Number(r.n),
    first_seen: Number(r.first_seen),
    last_seen: Number(r.last_seen),
  }));
}

export interface SkillEvent {
  skill: string;
  /** The first event of the group (groups are per skill, hour, model and app version). */
  time: number;
  /** Tool results with a success flag, and how many of them failed. */
  calls: number;
  errors: number;
  model: string | null;
  app_version: string | null;
}

const HOUR_MS = 3_600_000;

/**
 * What a skill's events in [from, to) say about its error rate and its versions — tool results (success) and API
 * requests (model), with the session's app version — grouped by skill, hour, model and app version (so a busy
 * organisation reads thousands of rows, not millions), oldest first.
 */
export async function skillEvents(
  db: Kysely<Database>,
  orgId: string,
  from: number,
  to: number,
): Promise<SkillEvent[]> {
  const rows = await db
    .selectFrom('events as e')
    .leftJoin('sessions as s', 's.id', 'e.session_id')
    .select(['e.skill', 'e.model', 's.app_version'])
    .select([
      sql<number>`min(e.time)`.as('first'),
      sql<number>`sum(case when e.kind = 'tool_result' and e.success is not null then 1 else 0 end)`.as('calls'),
      sql<number>`sum(case when e.kind = 'tool_result' and e.success = 0 then 1 else 0 end)`.as('errors'),
    ])
    .where('e.org_id', '=', orgId)
    .where('e.time', '>=', from)
    .where('e.time', '<', to)
    .where('e.skill', 'is not', null)
    .where('e.kind', 'in', ['tool_result', 'api_request'])
    .groupBy(['e.skill', sql`cast(e.time / ${sql.lit(HOUR_MS)} as bigint)`, 'e.model', 's.app_version'])
    .execute();
  return rows
    .map((r) => ({
      skill: r.skill as string,
      time: Number(r.first),
      calls: Number(r.calls),
      errors: Number(r.errors),
      model: r.model,
      app_version: r.app_version,
    }))
    .sort((a, b) => a.time - b.time);
}
