import { sql, type Kysely } from 'kysely';
import type { RollupDimension } from '../contracts/rollup-columns.js';
import type { Database } from './database.js';

/**
 * Reads behind discovery and the agent access graph (issue 3 §6–7). Every query is bounded by a time window
 * ([from, to), epoch ms) on an indexed time column; grouped on the server so results stay small.
 */
export interface ScopeFilters {
  team?: string | undefined;
  department?: string | undefined;
}

export interface DimensionPersonRow {
  value: string;
  person_id: string;
  first_hour: number;
  last_hour: number;
  calls: number;
}

/** Per (value of one rollup dimension, person): first/last hour and activity (requests + tool calls + prompts). */
export async function dimensionByPerson(
  db: Kysely<Database>,
  org: string,
  dim: RollupDimension,
  from: number,
  to: number,
  scope: ScopeFilters = {},
): Promise<DimensionPersonRow[]> {
  let q = db
    .selectFrom('rollups_hourly')
    .select([
      sql<string>`${sql.ref(dim)}`.as('value'),
      'person_id',
      sql<number>`min(hour)`.as('first_hour'),
      sql<number>`max(hour)`.as('last_hour'),
      sql<number>`coalesce(sum(requests + tool_calls + prompts), 0)`.as('calls'),
    ])
    .where('org_id', '=', org)
    .where('hour', '>=', from)
    .where('hour', '<', to)
    .where(dim, '!=', '');
  if (scope.team !== undefined) q = q.where('team', '=', scope.team);
  if (scope.department !== undefined) q = q.where('department', '=', scope.department);
  const rows = await q.groupBy(dim === 'person_id' ? ['person_id'] : [dim, 'person_id']).execute();
  return rows.map((r) => ({
    value: String(r.value),
    person_id: String(r.person_id),
    first_hour: Number(r.first_hour),
    last_hour: Number(r.last_hour),
    calls: Number(r.calls),
  }));
}

/** Which of `values` of a dimension appear in the rollups in [from, to) — used to tell "new" from "seen before". */
export async function dimensionValuesSeen(
  db: Kysely<Database>,
  org: string,
  dim: RollupDimension,
  values: readonly string[],
  from: number,
  to: number,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < values.length; i += 500) {
    const chunk = values.slice(i, i + 500);
    const rows = await db
      .selectFrom('rollups_hourly')
      .select(sql<string>`${sql.ref(dim)}`.as('value'))
      .distinct()
      .where('org_id', '=', org)
      .where('hour', '>=', from)
      .where('hour', '<', to)
      .where(dim, 'in', chunk)
      .execute();
    for (const r of rows) out.add(String(r.value));
  }
  return out;
}

export interface SessionWorkspaceRow {
  person_id: string | null;
  workspace_paths: string;
  first_seen: number;
  last_seen: number;
}

/**
 * Sessions overlapping [from, to) that reported workspace folders (at most `limit` rows, most recent first): the raw
 * read the workspace tier (analytics/workspace-tiers.ts) is tested against.
 */
export async function sessionWorkspaces(
  db: Kysely<Database>,
  org: string,
  from: number,
  to: number,
  limit: number,
  scope: ScopeFilters = {},
): Promise<SessionWorkspaceRow[]> {
  let q = db
    .selectFrom('sessions')
    .select(['person_id', 'workspace_paths', 'first_seen', 'last_seen'])
    .where('org_id', '=', org)
    .where('last_seen', '>=', from)
    .where('first_seen', '<', to)
    .where('workspace_paths', 'is not', null);
  if (scope.team !== undefined) q = q.where('team', '=', scope.team);
  if (scope.department !== undefined) q = q.where('department', '=', scope.department);
  const rows = await q.orderBy('last_seen', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    person_id: r.person_id,
    workspace_paths: r.workspace_paths ?? '[]',
    first_seen: Number(r.first_seen),
    last_seen: Number(r.last_seen),
  }));
}

export interface ToolUseRow {
  person_id: string;
  agent: string;
  tool: string;
  mcp_server: string;
  mcp_tool: string;
  calls: number;
  last_use: number;
}

/** Tool results in [from, to) grouped by person, agent, tool and MCP server/tool (raw events, window-bounded). */
export async function toolUses(
  db: Kysely<Database>,
  org: string,
  from: number,
  to: number,
  scope: ScopeFilters = {},
): Promise<ToolUseRow[]> {
  let q = db
    .selectFrom('events')
    .select([
      sql<string>`coalesce(person_id, '')`.as('person_id'),
      sql<string>`coalesce(agent, '')`.as('agent'),
      sql<string>`coalesce(tool, '')`.as('tool'),
      sql<string>`coalesce(mcp_server, '')`.as('mcp_server'),
      sql<string>`coalesce(mcp_tool, '')`.as('mcp_tool'),
      sql<number>`count(*)`.as('calls'),
      sql<number>`max(time)`.as('last_use'),
    ])
    .where('org_id', '=', org)
    .where('time', '>=', from)
    .where('time', '<', to)
    .where('kind', '=', 'tool_result')
    .where('tool', 'is not', null);
  if (scope.team !== undefined) q = q.where('team', '=', scope.team);
  if (scope.department !== undefined) q = q.where('department', '=', scope.department);
  const rows = await q
    .groupBy([
      sql`coalesce(person_id, '')`,
      sql`coalesce(agent, '')`,
      sql`coalesce(tool, '')`,
      sql`coalesce(mcp_server, '')`,
      sql`coalesce(mcp_tool, '')`,
    ])
    .execute();
  return rows.map((r) => ({
    person_id: String(r.person_id),
    agent: String(r.agent),
    tool: String(r.tool),
    mcp_server: String(r.mcp_server),
    mcp_tool: String(r.mcp_tool),
    calls: Number(r.calls),
    last_use: Number(r.last_use),
  }));
}

export interface PluginLoadRow {
  plugin: string;
  person_id: string;
  first_seen: number;
  last_seen: number;
  loads: number;
}

/** Plugin load/install events in [from, to) per (plugin, person): plugins present even when never counted in rollups. */
export async function pluginLoads(
  db: Kysely<Database>,
  org: string,
  from: number,
  to: number,
  scope: ScopeFilters = {},
): Promise<PluginLoadRow[]> {
  let q = db
    .selectFrom('events')
    .select([
      sql<string>`plugin`.as('plugin'),
      sql<string>`coalesce(person_id, '')`.as('person_id'),
      sql<number>`min(time)`.as('first_seen'),
      sql<number>`max(time)`.as('last_seen'),
      sql<number>`count(*)`.as('loads'),
    ])
    .where('org_id', '=', org)
    .where('time', '>=', from)
    .where('time', '<', to)
    .where('kind', '=', 'plugin')
    .where('plugin', 'is not', null);
  if (scope.team !== undefined) q = q.where('team', '=', scope.team);
  if (scope.department !== undefined) q = q.where('department', '=', scope.department);
  const rows = await q.groupBy(['plugin', sql`coalesce(person_id, '')`]).execute();
  return rows.map((r) => ({
    plugin: String(r.plugin),
    person_id: String(r.person_id),
    first_seen: Number(r.first_seen),
    last_seen: Number(r.last_seen),
    loads: Number(r.loads),
  }));
}

/**
 * MCP server transports reported by connection events in [from, to) (`transport_type` in attrs), most recent
 * first, at most `limit` events: connections happen once per server per session, so this stays small.
 */
export async function mcpTransports(
  db: Kysely<Database>,
  org: string,
  from: number,
  to: number,
  limit: number,
): Promise<Map<string, Set<string>>> {
  const rows = await db
    .selectFrom('events')
    .select(['mcp_server', 'attrs'])
    .where('org_id', '=', org)
    .where('time', '>=', from)
    .where('time', '<', to)
    .where('kind', '=', 'mcp_connection')
    .where('mcp_server', 'is not', null)
    .orderBy('time', 'desc')
    .limit(limit)
    .execute();
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    let transport: unknown;
    try {
      transport = (JSON.parse(r.attrs) as Record<string, unknown>)['transport_type'];
    } catch {
      continue;
    }
    if (typeof transport !== 'string' || transport === '' || r.mcp_server === null) continue;
    let set = out.get(r.mcp_server);
    if (!set) out.set(r.mcp_server, (set = new Set()));
    set.add(transport);
  }
  return out;
}
