import type { NodeType } from './api/analytics.types';

/** What the console calls each kind of thing Steward discovers and graphs (discovery kinds are graph node types). */
export const KIND_LABELS: Record<NodeType, { one: string; many: string }> = {
  person: { one: 'Person', many: 'People' },
  agent: { one: 'Agent', many: 'Agents and subagents' },
  skill: { one: 'Skill', many: 'Skills' },
  plugin: { one: 'Plugin', many: 'Plugins' },
  mcp_server: { one: 'MCP server', many: 'MCP servers' },
  tool: { one: 'Tool', many: 'Tools' },
  workspace: { one: 'Workspace folder', many: 'Workspace folders' },
  model: { one: 'Model', many: 'Models' },
};

/** The access graph focused on one node (ids are `type:value`), over the same number of days. */
export function graphHref(type: NodeType, value: string, days?: number): string {
  const q = new URLSearchParams();
  if (days) q.set('days', String(days));
  q.set('focus', `${type}:${value}`);
  return `/graph?${q.toString()}`;
}
