import type { Finding } from '../../contracts/detection.js';
import type {
  Decision,
  DecisionRequest,
  DecisionStage,
  DecisionSubject,
  EnforcementPoint,
} from '../../contracts/policy-decision.js';
import { collectText } from '../content-text.js';
import type { PolicyEngine } from '../policy-engine.js';
import { hookAnswer, type DecidedContent, type HookAnswer } from './hook-answer.js';
import type { DecidedEvent } from './hook-events.js';
import type { HookPayload } from './hook-payload.js';

/**
 * One Claude Code hook payload → the policy's decision → the answer, shared by `POST /hooks/claude-code`, the
 * command hook's local fallback and `bench:verdict`. Pure apart from the engine it is given: the caller brings the
 * subject (who), the time and the settings, and records the result.
 */
export interface HookSettings {
  mode: 'enforce' | 'shadow';
  promptRedact: 'warn' | 'deny';
  preToolUseAllow: 'defer' | 'grant';
}

export interface HookVerdict {
  request: DecisionRequest;
  decision: Decision;
  findings: readonly Finding[];
  answer: HookAnswer;
}

export const STAGE: Record<DecidedEvent, DecisionStage> = {
  UserPromptSubmit: 'prompt',
  PreToolUse: 'tool_call',
  PostToolUse: 'tool_result',
  SessionStart: 'session_start',
};

/** What the hook decides on, as the detectors see it. */
function decidedContent(payload: HookPayload): DecidedContent | null {
  switch (payload.hook_event_name) {
    case 'UserPromptSubmit':
      return { value: payload.prompt, collected: collectText(payload.prompt) };
    case 'PreToolUse':
      return { value: payload.tool_input, collected: collectText(payload.tool_input) };
    case 'PostToolUse':
      return { value: payload.tool_response, collected: collectText(payload.tool_response) };
    case 'SessionStart':
      return null;
  }
}

/** `mcp__<server>__<tool>` (plugin servers `mcp__plugin_<plugin>_<server>__<tool>`), claude-surfaces.md §3.1. */
export function mcpParts(
  toolName: string,
  serverName: string | undefined,
): { server: string | null; tool: string | null } {
  if (!toolName.startsWith('mcp__')) return { server: serverName ?? null, tool: null };
  const rest = toolName.slice(5);
  if (serverName && rest.startsWith(serverName + '__')) {
    return { server: serverName, tool: rest.slice(serverName.length + 2) || null };
  }
  const cut = rest.indexOf('__');
  return cut < 0 ? { server: rest || null, tool: null } : { server: rest.slice(0, cut), tool: rest.slice(cut + 2) };
}

export function hookRequest(
  payload: HookPayload,
  subject: DecisionSubject,
  findings: readonly Finding[],
  time: number,
  point: EnforcementPoint = 'claude_code_hook',
): DecisionRequest {
  const p = payload as HookPayload & {
    tool_name?: string;
    tool_input?: Record<string, unknown>;
    tool_use_id?: string;
    mcp_server?: { name: string };
    model?: string;
  };
  const mcp = p.tool_name ? mcpParts(p.tool_name, p.mcp_server?.name) : { server: null, tool: null };
  return {
    point,
    stage: STAGE[payload.hook_event_name],
    surface: 'claude_code',
    subject,
    tool: p.tool_name ?? null,
    toolInput: p.tool_input ?? null,
    mcpServer: mcp.server,
    mcpTool: mcp.tool,
    model: typeof p.model === 'string' ? p.model : null,
    folders: payload.cwd ? [payload.cwd] : [],
    findings,
    time,
    sessionId: payload.session_id,
    promptId: payload.prompt_id ?? null,
    toolUseId: p.tool_use_id ?? null,
  };
}

export function hookVerdict(
  engine: PolicyEngine,
  payload: HookPayload,
  subject: DecisionSubject,
  time: number,
  settings: HookSettings,
): HookVerdict {
  const content = decidedContent(payload);
  const findings = content && content.collected.text.length > 0 ? engine.scan(content.collected.text) : [];
  const request = hookRequest(payload, subject, findings, time);
  const evaluated = engine.evaluate(request);
  const decision = settings.mode === 'shadow' && !evaluated.shadow ? { ...evaluated, shadow: true } : evaluated;
  const answer = hookAnswer(payload, decision, findings, content, {
    promptRedact: settings.promptRedact,
    preToolUseAllow: settings.preToolUseAllow,
    redact: engine.redact,
    sessionContext: engine.sessionContext,
  });
  return { request, decision, findings, answer };
}
