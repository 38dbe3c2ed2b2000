import type { SessionPlan } from './activity-schedule.js';
import {
  CLAUDE_CODE_MCP_SERVERS,
  COWORK_CONNECTORS,
  TOOL_MIX,
  type DemoModel,
  type DemoTool,
  type Surface,
} from './demo-catalog.js';
import type { SeededRandom } from './seeded-random.js';
import type { ApiCallOptions } from './session-api-call.js';
import type { SessionMetrics } from './session-metrics.js';
import type { EventAttributes } from './session-script.js';

/**
 * One tool use inside a turn: `tool_decision`, then (only if accepted — the client emits no `tool_result` for a
 * rejected call, claude-code-observed.md §3.1) the tool's work and its `tool_result`. The Agent tool runs a
 * subagent whose model calls sit between the decision and the result, followed by `subagent_completed`.
 */

export interface ToolContext {
  readonly random: SeededRandom;
  readonly surface: Surface;
  readonly plan: SessionPlan;
  readonly model: DemoModel;
  readonly permissionMode: string;
  readonly metrics: SessionMetrics | null;
  emit(name: string, attributes: EventAttributes): void;
  /** The session's simulated clock (epoch ms). */
  now(): number;
  advance(ms: number): void;
  addCliTime(ms: number): void;
  addUserTime(ms: number): void;
  apiCall(options: ApiCallOptions): string | null;
}

const REJECT_PROBABILITY: Readonly<Record<DemoTool, number>> = {
  Bash: 0.07,
  Write: 0.04,
  Edit: 0.02,
  WebFetch: 0.06,
  mcp_tool: 0.05,
  Read: 0.01,
  Grep: 0.005,
  Agent: 0.01,
};
const FAILURE_PROBABILITY: Readonly<Record<DemoTool, number>> = {
  Bash: 0.12,
  Write: 0.02,
  Edit: 0.06,
  WebFetch: 0.08,
  mcp_tool: 0.05,
  Read: 0.03,
  Grep: 0.01,
  Agent: 0.02,
};
const ACCEPT_SOURCES = [
  ['config', 70],
  ['user_temporary', 15],
  ['user_permanent', 10],
  ['hook', 5],
] as const;
const REJECT_SOURCES = [
  ['config', 50],
  ['hook', 30],
  ['user_reject', 20],
] as const;
const BASH_COMMANDS = [
  ['git status', 20],
  ['npm test', 15],
  ['git diff --stat', 10],
  ['ls -la', 10],
  ['rg TODO src', 8],
  ['npm run build', 8],
  ['git commit -m "wip"', 6],
  ['docker compose up -d', 3],
  ['curl -s https://status.example.com/health', 2],
  ['cat .env', 1],
] as const;
const LANGUAGES = [
  ['TypeScript', 40],
  ['Python', 25],
  ['Go', 10],
  ['Markdown', 15],
  ['YAML', 10],
] as const;

export function runToolUse(context: ToolContext, requestId: string): void {
  const { random, surface } = context;
  const person = context.plan.person;
  let tool = random.weighted(TOOL_MIX[surface]);
  const servers = surface === 'claude_code' ? person.mcpServers : person.coworkConnectors;
  if (tool === 'mcp_tool' && servers.length === 0) tool = 'Read';
  const toolUseId = `toolu_01${random.base62(22)}`;
  const parameters = toolParameters(context, tool, servers);

  const rejected = random.chance(REJECT_PROBABILITY[tool]);
  const source = random.weighted(rejected ? REJECT_SOURCES : ACCEPT_SOURCES);
  // A person answering a permission prompt takes seconds; config and hook decisions take milliseconds.
  const decisionMs = source.startsWith('user_') ? random.logNormal(4_000, 0.7) : random.int(3, 40);
  context.advance(decisionMs);
  if (source.startsWith('user_')) context.addUserTime(decisionMs);
  context.emit('tool_decision', {
    decision: rejected ? 'reject' : 'accept',
    source,
    tool_name: tool,
    tool_use_id: toolUseId,
    tool_source: tool === 'mcp_tool' ? 'mcp' : 'builtin',
    permission_mode: context.permissionMode,
    request_id: requestId,
    ...(parameters === null ? {} : { tool_parameters: parameters.json }),
  });
  const language = random.weighted(LANGUAGES);
  if (tool === 'Edit' || tool === 'Write') {
    context.metrics?.add('claude_code.code_edit_tool.decision', 1, {
      decision: rejected ? 'reject' : 'accept',
      source,
      tool_name: tool,
      language,
    });
  }
  if (rejected) return;

  const startedAt = context.now();
  if (tool === 'Agent') runSubagent(context);
  context.advance(toolDuration(random, tool));
  const durationMs = context.now() - startedAt;
  context.addCliTime(durationMs);
  const success = !random.chance(FAILURE_PROBABILITY[tool]);
  context.emit('tool_result', {
    tool_name: tool,
    tool_use_id: toolUseId,
    success: String(success),
    duration_ms: String(durationMs),
    ...(parameters === null ? {} : { tool_parameters: parameters.json }),
    tool_input_size_bytes: String(Math.round(random.logNormal(220, 0.8))),
    tool_result_size_bytes: String(Math.round(random.logNormal(tool === 'Read' ? 6_000 : 1_200, 1))),
    request_id: requestId,
    ...(tool === 'mcp_tool' ? { mcp_server_scope: 'dynamic' } : {}),
  });
  if (!success) return;
  if (tool === 'Edit' || tool === 'Write') {
    const added = Math.round(random.logNormal(tool === 'Write' ? 60 : 12, 0.9));
    context.metrics?.add('claude_code.lines_of_code.count', added, { type: 'added', model: context.model });
    if (tool === 'Edit') {
      const removed = Math.round(random.logNormal(5, 1));
      context.metrics?.add('claude_code.lines_of_code.count', removed, { type: 'removed', model: context.model });
    }
  }
  if (parameters?.commit === true) context.metrics?.add('claude_code.commit.count', 1);
}

/** The gated `tool_parameters` JSON for Bash and MCP calls (tool details on); null for other tools. */
function toolParameters(
  context: ToolContext,
  tool: DemoTool,
  servers: readonly string[],
): { json: string; commit: boolean } | null {
  const { random } = context;
  if (tool === 'Bash' && context.surface === 'claude_code') {
    const command = random.weighted(BASH_COMMANDS);
    const json = JSON.stringify({
      bash_command: command.split(' ')[0],
      full_command: command,
      description: 'Run a command',
    });
    return { json, commit: command.startsWith('git commit') };
  }
  if (tool === 'mcp_tool') {
    const server = random.pick(servers);
    const catalog = context.surface === 'claude_code' ? CLAUDE_CODE_MCP_SERVERS : COWORK_CONNECTORS;
    const mcpTool = random.pick(catalog[server] ?? ['call']);
    return { json: JSON.stringify({ mcp_server_name: server, mcp_tool_name: mcpTool }), commit: false };
  }
  return null;
}

function runSubagent(context: ToolContext): void {
  const { random } = context;
  const agentId = random.hex(17);
  const agentType = random.weighted([
    ['general-purpose', 6],
    ['Explore', 4],
  ] as const);
  const calls = random.int(1, 4);
  let succeeded = 0;
  const started = context.now();
  for (let i = 0; i < calls; i++)
    if (context.apiCall({ querySource: 'subagent', agentId, agentType }) !== null) succeeded++;
  context.advance(random.int(2, 20));
  context.emit('subagent_completed', {
    agent_type: agentType,
    'agent.source': 'built-in',
    is_built_in: true,
    is_async: false,
    total_tokens: Math.round(random.logNormal(2_500, 0.6)),
    total_tool_uses: succeeded > 0 ? random.int(0, calls * 2) : 0,
    duration_ms: context.now() - started,
    model: context.model,
    final_model: context.model,
    model_swapped: false,
    agent_id: agentId,
  });
}

function toolDuration(random: SeededRandom, tool: DemoTool): number {
  switch (tool) {
    case 'Bash':
      return random.logNormal(1_800, 1.2);
    case 'WebFetch':
      return random.logNormal(1_500, 0.6);
    case 'mcp_tool':
      return random.logNormal(900, 0.7);
    case 'Grep':
      return random.int(20, 300);
    case 'Agent':
      return random.int(5, 50);
    default:
      return random.int(5, 80);
  }
}
