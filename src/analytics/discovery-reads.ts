import type { RollupDimension } from '../contracts/rollup-columns.js';
import type { DimensionPersonRow, PluginLoadRow, ScopeFilters, ToolUseRow } from '../store/discovery-read.repo.js';
import { SESSION_COLUMNS, type PairQuery, type SessionColumn } from '../store/tiers-read.repo.js';
import { rollupPairs, serverDetails, toolUses, type Snapshot } from './tier-reads.js';

/**
 * The reads behind discovery and the access graph, from the derived tiers (tier-reads.ts): each returns exactly
 * what the raw-row query of the same name in store/discovery-read.repo.ts returns over the same window.
 */
const isSession = (d: string): d is SessionColumn => (SESSION_COLUMNS as readonly string[]).includes(d);

function scopeFilters(scope: ScopeFilters): PairQuery['filters'] {
  return {
    ...(scope.team !== undefined ? { team: scope.team } : {}),
    ...(scope.department !== undefined ? { department: scope.department } : {}),
  };
}

/** Per (value of one rollup dimension, person) over whole hours: first/last hour and activity. */
export async function dimensionByPerson(
  s: Snapshot,
  org: string,
  dim: RollupDimension,
  from: number,
  to: number,
  scope: ScopeFilters = {},
): Promise<DimensionPersonRow[]> {
  const q: PairQuery = isSession(dim)
    ? { org, dim: '', groupBy: dim === 'person_id' ? ['person_id'] : [dim, 'person_id'], nonEmpty: dim }
    : { org, dim, groupBy: ['value', 'person_id'], nonEmpty: 'value' };
  const rows = await rollupPairs(s, from, to, { ...q, filters: scopeFilters(scope) });
  return rows.map((r) => ({
    value: r.keys[0] as string,
    person_id: (dim === 'person_id' ? r.keys[0] : r.keys[1]) as string,
    first_hour: r.first_hour,
    last_hour: r.last_hour,
    calls: r.calls,
  }));
}

/** Which of `values` of a (non-session) dimension appear in the rollups in [from, to). */
export async function dimensionValuesSeen(
  s: Snapshot,
  org: string,
  dim: RollupDimension,
  values: readonly string[],
  from: number,
  to: number,
): Promise<Set<string>> {
  const q: PairQuery = isSession(dim)
    ? { org, dim: '', groupBy: [dim], nonEmpty: dim }
    : { org, dim, groupBy: ['value'], values };
  const rows = await rollupPairs(s, from, to, q);
  const wanted = new Set(values);
  return new Set(rows.map((r) => r.keys[0] as string).filter((v) => wanted.has(v)));
}

/** Tool results per (person, agent, tool, MCP server/tool), with the last use. */
export async function toolEdges(
  s: Snapshot,
  org: string,
  from: number,
  to: number,
  scope: ScopeFilters = {},
  people?: readonly string[],
): Promise<ToolUseRow[]> {
  const rows = await toolUses(s, from, to, {
    org,
    kinds: ['tool_result'],
    groupBy: ['person_id', 'agent', 'tool', 'mcp_server', 'mcp_tool'],
    nonEmpty: ['tool'],
    filters: scope,
    people,
  });
  return rows.map((r) => ({
    person_id: r.keys[0] as string,
    agent: r.keys[1] as string,
    tool: r.keys[2] as string,
    mcp_server: r.keys[3] as string,
    mcp_tool: r.keys[4] as string,
    calls: r.calls,
    last_use: r.last_time,
  }));
}

/** Plugin load/install events per (plugin, person). */
export async function pluginLoads(
  s: Snapshot,
  org: string,
  from: number,
  to: number,
  scope: ScopeFilters = {},
): Promise<PluginLoadRow[]> {
  const rows = await toolUses(s, from, to, {
    org,
    kinds: ['plugin'],
    groupBy: ['plugin', 'person_id'],
    nonEmpty: ['plugin'],
    filters: scope,
  });
  return rows.map((r) => ({
    plugin: r.keys[0] as string,
    person_id: r.keys[1] as string,
    first_seen: r.first_time,
    last_seen: r.last_time,
    loads: r.calls,
  }));
}

/** MCP server transports reported by connection events in the window (every one of them). */
export async function mcpTransports(
  s: Snapshot,
  org: string,
  from: number,
  to: number,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const [server, transport] of await serverDetails(s, org, 'mcp_connection', from, to)) {
    let set = out.get(server);
    if (!set) out.set(server, (set = new Set()));
    set.add(transport);
  }
  return out;
}
