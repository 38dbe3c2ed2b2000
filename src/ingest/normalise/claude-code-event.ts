import type { EventKind, NormalisedEvent } from '../../contracts/canonical.js';
import { bool, num, str } from '../otlp/values.js';

/**
 * Maps a Claude Code / Cowork log event (reference §1.6, observed §3.1) to canonical kind and columns.
 * Unknown events are kept as kind `other` with their name — never dropped.
 */
const KIND_BY_EVENT: Record<string, EventKind> = {
  user_prompt: 'prompt',
  assistant_response: 'response',
  api_request: 'api_request',
  api_error: 'api_error',
  api_retries_exhausted: 'api_error',
  api_refusal: 'api_refusal',
  tool_decision: 'tool_decision',
  tool_result: 'tool_result',
  mcp_server_connection: 'mcp_connection',
  skill_activated: 'skill_activated',
  subagent_completed: 'subagent',
  compaction: 'compaction',
  hook_registered: 'hook',
  hook_execution_start: 'hook',
  hook_execution_complete: 'hook',
  hook_plugin_metrics: 'hook',
  plugin_loaded: 'plugin',
  plugin_installed: 'plugin',
  auth: 'auth',
  permission_mode_changed: 'permission_change',
  managed_settings_resolved: 'settings',
};

export function kindOfEvent(name: string): EventKind {
  return KIND_BY_EVENT[name] ?? 'other';
}

/** The columns an event's own attributes fill (the rest come from the record envelope and identity). */
export type EventColumns = Pick<
  NormalisedEvent,
  | 'agent'
  | 'workflow'
  | 'skill'
  | 'plugin'
  | 'model'
  | 'tool'
  | 'toolUseId'
  | 'mcpServer'
  | 'mcpTool'
  | 'decision'
  | 'decisionSource'
  | 'success'
  | 'inputTokens'
  | 'outputTokens'
  | 'cacheReadTokens'
  | 'cacheWriteTokens'
  | 'costMicros'
  | 'durationMs'
  | 'requestId'
>;

/** `tool_parameters` is a JSON string (gated by OTEL_LOG_TOOL_DETAILS); MCP/skill/agent names live inside it. */
function toolParameters(a: Record<string, unknown>): Record<string, unknown> | null {
  const raw = a['tool_parameters'];
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw !== 'string' || raw.length < 2 || raw[0] !== '{') return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function costMicros(a: Record<string, unknown>): number | null {
  const micros = num(a, 'cost_usd_micros');
  if (micros !== null) return Math.round(micros);
  const usd = num(a, 'cost_usd');
  return usd === null ? null : Math.round(usd * 1_000_000);
}

export function eventColumns(name: string, a: Record<string, unknown>): EventColumns {
  const params = toolParameters(a);
  const p = params ?? {};
  const isConnection = name === 'mcp_server_connection';
  return {
    agent: str(a, 'agent.name') ?? str(a, 'agent_type') ?? str(p, 'subagent_type') ?? str(a, 'agent_id'),
    workflow: str(a, 'workflow.name'),
    skill: str(a, 'skill.name') ?? str(p, 'skill_name') ?? str(p, 'skill'),
    plugin: str(a, 'plugin.name'),
    model: str(a, 'model'),
    tool: str(a, 'tool_name'),
    toolUseId: str(a, 'tool_use_id'),
    mcpServer: str(a, 'mcp_server.name') ?? str(p, 'mcp_server_name') ?? (isConnection ? str(a, 'server_name') : null),
    mcpTool: str(a, 'mcp_tool.name') ?? str(p, 'mcp_tool_name'),
    decision: str(a, 'decision') ?? str(a, 'decision_type'),
    decisionSource: str(a, 'source') ?? str(a, 'decision_source'),
    success: bool(a, 'success'),
    inputTokens: num(a, 'input_tokens'),
    outputTokens: num(a, 'output_tokens'),
    cacheReadTokens: num(a, 'cache_read_tokens'),
    cacheWriteTokens: num(a, 'cache_creation_tokens'),
    costMicros: costMicros(a),
    durationMs: num(a, 'duration_ms') ?? num(a, 'total_duration_ms'),
    requestId: str(a, 'request_id'),
  };
}
