import type { ColumnType, Generated, Selectable } from 'kysely';
import type { AuditTables } from './audit-tables.js';
import type { RollupRow } from '../contracts/rollup-columns.js';
import type { BudgetSpendTable, BudgetsTable, BudgetVersionsTable } from './budget-tables.js';
import type { ExportTables } from './export-tables.js';
import type { ForumTables } from './forum-tables.js';
import type { GovernanceTables } from './governance-tables.js';
import type { RaciCadenceTables } from './raci-cadence-tables.js';

/**
 * Kysely table types — the canonical model of DESIGN §3 as stored. Times are epoch milliseconds (bigint columns;
 * the Postgres driver is told to parse int8 as number, safe below 2^53). Costs are micro-USD integers.
 * JSON columns are text so one schema serves SQLite and PostgreSQL.
 */
export interface PeopleTable {
  id: string;
  org_id: string;
  display_name: string;
  email: string | null;
  department: string | null;
  team: string | null;
  cost_center: string | null;
  manager: string | null;
  is_demo: number;
  first_seen: number;
  last_seen: number;
  merged_into: string | null;
}

export interface PersonAliasesTable {
  kind: string;
  value: string;
  person_id: string;
  first_seen: number;
  last_seen: number;
}

export interface PersonMergesTable {
  id: Generated<number>;
  from_id: string;
  into_id: string;
  at: number;
  alias_kind: string;
  alias_value: string;
}

export interface SessionsTable {
  id: string;
  org_id: string;
  person_id: string | null;
  surface: string;
  service_name: string | null;
  app_version: string | null;
  entrypoint: string | null;
  terminal_type: string | null;
  os_type: string | null;
  host_arch: string | null;
  department: string | null;
  team: string | null;
  workspace_paths: string | null;
  first_seen: number;
  last_seen: number;
  event_count: number;
  prompt_count: number;
  api_request_count: number;
  tool_call_count: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_micros: number;
}

export interface EventsTable {
  id: Generated<number>;
  dedupe_key: string;
  time: number;
  org_id: string;
  source: string;
  surface: string;
  kind: string;
  name: string;
  person_id: string | null;
  session_id: string | null;
  prompt_id: string | null;
  sequence: number | null;
  agent: string | null;
  workflow: string | null;
  skill: string | null;
  plugin: string | null;
  model: string | null;
  tool: string | null;
  tool_use_id: string | null;
  mcp_server: string | null;
  mcp_tool: string | null;
  decision: string | null;
  decision_source: string | null;
  success: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  cost_micros: number | null;
  duration_ms: number | null;
  request_id: string | null;
  department: string | null;
  team: string | null;
  content: string | null;
  attrs: string;
}

export interface MetricPointsTable {
  id: Generated<number>;
  dedupe_key: string;
  time: number;
  org_id: string;
  name: string;
  unit: string | null;
  surface: string;
  person_id: string | null;
  session_id: string | null;
  model: string | null;
  type: string | null;
  value: number;
  department: string | null;
  team: string | null;
  attrs: string;
}

export interface MetricSeriesTable {
  key: string;
  start_time: number;
  last_time: number;
  last_value: number;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface MetaTable {
  key: string;
  value: ColumnType<string, string, string>;
}

export type RollupsHourlyTable = RollupRow;

/** Distinct (hour, session, session-level dimensions) seen; counts each session once per hour. */
export interface RollupSessionHoursTable {
  org_id: string;
  hour: number;
  session_id: string;
  person_id: string;
  department: string;
  team: string;
  surface: string;
}

/** Distinct (day, person, department, team, surface) with engaged activity: the base of DAU/WAU/MAU. */
export interface RollupPersonDaysTable {
  org_id: string;
  day: number;
  person_id: string;
  department: string;
  team: string;
  surface: string;
}

/** Derived tiers (migration 0005): written by the analytics refresher, see analytics/tiers.ts. */
export interface RollupDimTiersTable {
  org_id: string;
  span: number;
  start: number;
  dim: string;
  value: string;
  person_id: string;
  team: string;
  department: string;
  surface: string;
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

export interface ToolUseTiersTable {
  org_id: string;
  span: number;
  start: number;
  kind: string;
  tool: string;
  mcp_server: string;
  mcp_tool: string;
  skill: string;
  plugin: string;
  agent: string;
  detail: string;
  person_id: string;
  team: string;
  department: string;
  calls: number;
  errors: number;
  first_time: number;
  last_time: number;
}

export interface ToolKeyTiersTable {
  org_id: string;
  span: number;
  start: number;
  kind: string;
  tool: string;
  mcp_server: string;
  mcp_tool: string;
  skill: string;
  plugin: string;
  agent: string;
  calls: number;
  errors: number;
  anonymous_calls: number;
  last_time: number;
  people: string;
  latency: string;
}

export interface RollupValueTiersTable {
  org_id: string;
  span: number;
  start: number;
  dim: string;
  value: string;
  first_hour: number;
  last_hour: number;
  calls: number;
  people: string;
}

export interface PersonEdgeTiersTable {
  org_id: string;
  span: number;
  start: number;
  person_id: string;
  team: string;
  department: string;
  graph_calls: number;
  edges: string;
}

export interface EdgeKeysTable {
  org_id: string;
  key: string;
  n: number;
}

export interface PersonNumbersTable {
  org_id: string;
  person_id: string;
  n: number;
}

export interface PromptSummariesTable {
  org_id: string;
  prompt_id: string;
  first_time: number;
  last_time: number;
  person_min: string | null;
  person_max: string | null;
  no_person: number;
  session_min: string | null;
  session_max: string | null;
  no_session: number;
  events: number;
  api_requests: number;
  tool_calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_micros: number;
  tools: string;
  mcp_servers: string;
  skills: string;
  models: string;
  content: string | null;
}

export interface AnalyticsCursorTable {
  name: string;
  event_id: number;
  metric_id: number;
  max_prompt_ms: number;
  tiers_through: number;
  /** Migration 0013: the longest session folded into `workspace_tiers`; -1 until the tier is filled. */
  max_session_ms: number;
}

/** Workspace folders per block (migration 0013): written by the analytics refresher, see analytics/workspace-tiers.ts. */
export interface WorkspaceTiersTable {
  org_id: string;
  span: number;
  start: number;
  person_id: string;
  team: string;
  department: string;
  folder: string;
  sessions: number;
  first_seen: number;
  last_seen: number;
}

/** What `workspace_tiers` counts for each session that reported folders (migration 0013). */
export interface SessionFoldersTable {
  session_id: string;
  org_id: string;
  person_id: string;
  team: string;
  department: string;
  workspace_paths: string;
  first_seen: number;
  last_seen: number;
}

/** Policy versions (migration 0004): the exact YAML pushed, who and why, and which one is active. */
export interface PolicyVersionsTable {
  id: string;
  org_id: string;
  version: number;
  name: string;
  yaml: string;
  sha256: string;
  author: string;
  comment: string | null;
  /** draft | active | retired */
  status: string;
  created_at: number;
  activated_at: number | null;
  activated_by: string | null;
}

export interface Database extends RaciCadenceTables, ForumTables, AuditTables, ExportTables {
  people: PeopleTable;
  person_aliases: PersonAliasesTable;
  person_merges: PersonMergesTable;
  sessions: SessionsTable;
  events: EventsTable;
  metric_points: MetricPointsTable;
  metric_series: MetricSeriesTable;
  api_tokens: ApiTokensTable;
  meta: MetaTable;
  rollups_hourly: RollupsHourlyTable;
  rollup_session_hours: RollupSessionHoursTable;
  rollup_person_days: RollupPersonDaysTable;
  policy_versions: PolicyVersionsTable;
  rollup_dim_tiers: RollupDimTiersTable;
  tool_use_tiers: ToolUseTiersTable;
  tool_key_tiers: ToolKeyTiersTable;
  person_edge_tiers: PersonEdgeTiersTable;
  rollup_value_tiers: RollupValueTiersTable;
  person_numbers: PersonNumbersTable;
  edge_keys: EdgeKeysTable;
  prompt_summaries: PromptSummariesTable;
  analytics_cursor: AnalyticsCursorTable;
  workspace_tiers: WorkspaceTiersTable;
  session_folders: SessionFoldersTable;
  budgets: BudgetsTable;
  budget_spend: BudgetSpendTable;
  budget_versions: BudgetVersionsTable;
  gov_objects: GovernanceTables['gov_objects'];
  gov_history: GovernanceTables['gov_history'];
  gov_policy_versions: GovernanceTables['gov_policy_versions'];
  gov_policy_acks: GovernanceTables['gov_policy_acks'];
  gov_connector_decisions: GovernanceTables['gov_connector_decisions'];
}

/** A stored event as read back (generated id resolved to number). */
export type EventRecord = Selectable<EventsTable>;
