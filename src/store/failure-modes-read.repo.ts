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
  time: number;
  kind: string;
  success: number | null;
  model: string | null;
  app_version: string | null;
}

/**
 * Events attributed to a skill in [from, to) that say something about its error rate or its versions: tool results
 * (success) and API requests (model), with the session's app version; oldest first, at most `limit`.
 */
export async function skillEvents(
  db: Kysely<Database>,
  orgId: string,
  from: number,
  to: number,
  limit = 500_000,
): Promise<SkillEvent[]> {
  const rows = await db
    .selectFrom('events as e')
    .leftJoin('sessions as s', 's.id', 'e.session_id')
    .select(['e.skill', 'e.time', 'e.kind', 'e.success', 'e.model', 's.app_version'])
    .where('e.org_id', '=', orgId)
    .where('e.time', '>=', from)
    .where('e.time', '<', to)
    .where('e.skill', 'is not', null)
    .where('e.kind', 'in', ['tool_result', 'api_request'])
    .orderBy('e.time')
    .orderBy('e.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    skill: r.skill as string,
    time: Number(r.time),
    kind: r.kind,
    success: r.success === null ? null : Number(r.success),
    model: r.model,
    app_version: r.app_version,
  }));
}
