/**
 * The shape of an hourly rollup (DESIGN §3 "Rollups"): the dimensions it is keyed by and the additive counters it
 * carries. Shared by the migration, the ingest-time aggregation (analytics/), the store and the analytics reads.
 * An absent dimension is '' so that equal keys compare equal on both engines.
 */
export const ROLLUP_DIMENSIONS = [
  'person_id',
  'team',
  'department',
  'surface',
  'model',
  'agent',
  'workflow',
  'skill',
  'plugin',
  'mcp_server',
] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

export const ROLLUP_COUNTERS = [
  // From api_request events only: the claude_code.token.usage / cost.usage metrics describe the same requests,
  // so counting both would double every token.
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_micros',
  'requests',
  'api_errors',
  'prompts',
  'tool_calls',
  'tool_errors',
  'decisions_accept',
  'decisions_reject',
  // Decisions by who decided (Claude Code tool_decision `source`: config, hook, user_* → user).
  'accept_config',
  'accept_hook',
  'accept_user',
  'reject_config',
  'reject_hook',
  'reject_user',
  // Sessions active in the hour (each session once per hour; see rollup_session_hours).
  'sessions',
  // From metric points (claude_code.active_time.total, lines_of_code.count, commit.count, pull_request.count).
  'active_time_ms',
  'lines_added',
  'lines_removed',
  'commits',
  'prs',
] as const;
export type RollupCounter = (typeof ROLLUP_COUNTERS)[number];

export type RollupDimensions = { [K in RollupDimension]: string };
export type RollupCounters = { [K in RollupCounter]: number };
export type RollupRow = { org_id: string; hour: number } & RollupDimensions & RollupCounters;

/** The metrics that feed rollups (token and cost metrics do not: api_request events already count them). */
export const ROLLUP_METRICS = [
  'claude_code.active_time.total',
  'claude_code.lines_of_code.count',
  'claude_code.commit.count',
  'claude_code.pull_request.count',
] as const;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
