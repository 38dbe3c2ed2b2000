/**
 * The canonical model as produced by the normalisers and consumed by the store (DESIGN §3).
 * Plain types, no runtime services: shared by ingest, store, API and CLI.
 */
export const surfaces = ['claude_code', 'cowork', 'desktop', 'office', 'api', 'claude_ai'] as const;
export type Surface = (typeof surfaces)[number];

export const eventSources = [
  'otlp',
  'gateway',
  'hook',
  'inference_hook',
  'mcp',
  'admin_api',
  'compliance_api',
] as const;
export type EventSource = (typeof eventSources)[number];

export const eventKinds = [
  'prompt',
  'response',
  'api_request',
  /** The same Messages API request reported again by another source (gateway and OTel): stored, never counted. */
  'api_request_duplicate',
  'api_error',
  'api_refusal',
  'tool_decision',
  'tool_result',
  'policy_decision',
  'mcp_call',
  'mcp_connection',
  'skill_activated',
  'subagent',
  'compaction',
  'hook',
  'plugin',
  'auth',
  'permission_change',
  'settings',
  'span',
  'other',
] as const;
export type EventKind = (typeof eventKinds)[number];

/** Identifier kinds people are resolved from (DESIGN §3). `process.owner` is weak: it never merges two people. */
export const aliasKinds = [
  'user.email',
  'user.account_uuid',
  'user.account_id',
  'enduser.id',
  'user.id',
  'process.owner',
] as const;
export type AliasKind = (typeof aliasKinds)[number];

export interface Alias {
  kind: AliasKind;
  value: string;
}

/** What one resource/record tells us about the person behind it. `key` identifies the alias set (for caching). */
export interface IdentityHints {
  key: string;
  aliases: Alias[];
  email: string | null;
  department: string | null;
  team: string | null;
  costCenter: string | null;
  isDemo: boolean;
}

export interface SessionHints {
  serviceName: string | null;
  appVersion: string | null;
  entrypoint: string | null;
  terminalType: string | null;
  osType: string | null;
  hostArch: string | null;
  workspacePaths: string[] | null;
}

export interface NormalisedEvent {
  dedupeKey: string;
  time: number;
  source: EventSource;
  surface: Surface;
  kind: EventKind;
  name: string;
  sessionId: string | null;
  promptId: string | null;
  sequence: number | null;
  agent: string | null;
  workflow: string | null;
  skill: string | null;
  plugin: string | null;
  model: string | null;
  tool: string | null;
  toolUseId: string | null;
  mcpServer: string | null;
  mcpTool: string | null;
  decision: string | null;
  decisionSource: string | null;
  success: boolean | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  costMicros: number | null;
  durationMs: number | null;
  requestId: string | null;
  department: string | null;
  team: string | null;
  content: string | null;
  attrs: Record<string, unknown>;
  identity: IdentityHints;
  session: SessionHints;
}

export type Temporality = 'delta' | 'cumulative' | 'gauge';

export interface NormalisedMetricPoint {
  seriesKey: string;
  temporality: Temporality;
  startTime: number;
  time: number;
  name: string;
  unit: string | null;
  surface: Surface;
  sessionId: string | null;
  model: string | null;
  type: string | null;
  value: number;
  department: string | null;
  team: string | null;
  attrs: Record<string, unknown>;
  identity: IdentityHints;
  session: SessionHints;
}

export interface NormalisedBatch {
  events: NormalisedEvent[];
  metrics: NormalisedMetricPoint[];
  /** Records the normaliser refused (OTLP partial success `rejected_*`), with the first reasons. */
  rejected: number;
  errors: string[];
}

export function emptyBatch(): NormalisedBatch {
  return { events: [], metrics: [], rejected: 0, errors: [] };
}

/**
 * A normalised batch made ready for commit (ingest/prepare-batch.ts): events as value arrays in EVENT_COLUMNS
 * order with `person_id` still empty, each pointing at its identity; session hints once per session. Compact to
 * pass from a decode worker to the writer (arrays of primitives clone cheaply).
 */
export interface PreparedBatch {
  rows: unknown[][];
  rowIdentity: number[];
  identities: IdentityHints[];
  sessions: [string, SessionHints][];
  metrics: NormalisedMetricPoint[];
  rejected: number;
  errors: string[];
}
