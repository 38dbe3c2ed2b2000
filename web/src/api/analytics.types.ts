import type { RollupDimensions } from '../../../src/contracts/rollup-columns';
import type { TokenSplit } from './types';

/**
 * The dashboards' JSON (/api/v1/analytics/*), as built by src/analytics/{adoption,cost,tools,discovery,graph}.ts.
 * Those response shapes are inferred from server functions in src/analytics/, not declared in src/contracts/, so
 * they are mirrored here by hand; what src/contracts/ does declare (the rollup dimensions) is imported from it.
 */

export type AdoptionGroup = 'department' | 'team' | 'surface';

export interface AdoptionFigures {
  active_people: number;
  known_people: number | null;
  active_share: number | null;
  dau_average: number;
  wau: number;
  mau: number;
  previous_active_people: number;
  change: number;
  growth: number | null;
}

export interface AdoptionReport {
  from: string;
  to: string;
  group_by: AdoptionGroup | null;
  definition: string;
  totals: AdoptionFigures & { known_people: number; new_people: number; returning_people: number };
  daily: { day: string; dau: number; wau: number; mau: number }[];
  groups: (AdoptionFigures & { key: string | null })[] | null;
  fastest_growing: (string | null)[] | null;
  stalling: (string | null)[] | null;
}

export const COST_GROUPS = [
  'person',
  'team',
  'department',
  'model',
  'agent',
  'workflow',
  'skill',
  'mcp_server',
  'surface',
] as const;
export type CostGroup = (typeof COST_GROUPS)[number];

export interface CostUsage {
  requests: number;
  tokens: TokenSplit;
  cost_usd_estimate: number;
  cache_hit_ratio: number | null;
}

export interface Spender {
  person_id: string;
  display_name: string | null;
  cost_usd_estimate: number;
  previous_cost_usd_estimate: number;
  change_usd_estimate: number;
  growth: number | null;
}

export interface CostReport {
  from: string;
  to: string;
  group_by: CostGroup;
  filters: Partial<RollupDimensions>;
  cost_note: string;
  totals: CostUsage;
  previous_window: { from: string; to: string; cost_usd_estimate: number };
  groups: (CostUsage & {
    key: string | null;
    display_name?: string | null;
    share_of_cost: number | null;
    previous_cost_usd_estimate: number;
  })[];
  top_spenders: Spender[];
  fastest_growing_spenders: Spender[];
  month_to_date: {
    month: string;
    as_of: string;
    cost_usd_estimate: number;
    days_elapsed: number;
    days_in_month: number;
    forecast_month_end_usd_estimate: number;
    method: string;
  };
}

export interface ToolStats {
  calls: number;
  errors: number;
  error_rate: number | null;
  latency_ms: { p50: number | null; p95: number | null };
  people: number;
}

export type NamedStats = ToolStats & { name: string };

export interface ToolsReport {
  from: string;
  to: string;
  method: string;
  totals: ToolStats;
  builtin_tools: (NamedStats & { write_capable: boolean })[];
  mcp_servers: (ToolStats & {
    name: string | null;
    write_capable: boolean;
    tools: (ToolStats & { name: string | null; write_capable: boolean })[];
  })[];
  skills: NamedStats[];
  plugins: NamedStats[];
  subagents: (ToolStats & { name: string | null })[];
}

export type DiscoveryKind = 'person' | 'model' | 'agent' | 'skill' | 'plugin' | 'mcp_server' | 'workspace';

export interface DiscoveredItem {
  kind: DiscoveryKind;
  value: string;
  label: string;
  first_seen: string;
  last_seen: string;
  people: number;
  top_people: { person_id: string; display_name: string | null; calls: number }[];
}

export interface DiscoveryReport {
  from: string;
  to: string;
  new_since: string;
  seat_table: null;
  plugin_events_from: string;
  unsanctioned_note: string;
  people: DiscoveredItem[];
  models: DiscoveredItem[];
  agents: DiscoveredItem[];
  skills: DiscoveredItem[];
  plugins: DiscoveredItem[];
  mcp_servers: DiscoveredItem[];
  workspaces: DiscoveredItem[];
  new_this_week: DiscoveredItem[];
  unsanctioned_candidates: {
    person_id: string;
    display_name: string | null;
    first_seen: string;
    last_seen: string;
    reason: string;
  }[];
}

export const NODE_TYPES = ['person', 'agent', 'skill', 'plugin', 'mcp_server', 'tool', 'workspace', 'model'] as const;
export type NodeType = (typeof NODE_TYPES)[number];
export type Risk = 'write' | 'egress' | null;

export interface GraphNode {
  id: string;
  type: NodeType;
  label: string;
  calls: number;
  risk?: Risk;
  department?: string | null;
  team?: string | null;
  transports?: string[];
  remote?: boolean;
}

export interface GraphEdge {
  source: string;
  target: string;
  calls: number;
  last_use: string;
  risk: Risk;
  loads?: number;
}

export interface GraphReport {
  from: string;
  to: string;
  filters: { team: string | null; department: string | null };
  risk_rule: string;
  sources: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  capped: boolean;
  total_nodes: number;
  total_edges: number;
  cap_note?: string;
}
