import type { ContentClass, DetectorType, Finding } from './detection.js';
import type { Surface } from './canonical.js';

/**
 * The question every enforcement point asks the policy engine, and the answer (DESIGN §5: one policy source
 * decides everywhere). Built by src/enforce from a hook payload, an inference-hook request or a gateway request;
 * evaluated by src/policy (pure); recorded as a `policy_decision` event.
 */
export const policyActions = ['allow', 'warn', 'redact', 'ask', 'deny'] as const;
export type PolicyAction = (typeof policyActions)[number];

/** Where the question comes from. */
export const enforcementPoints = ['claude_code_hook', 'inference_hook', 'gateway', 'mcp_proxy', 'api'] as const;
export type EnforcementPoint = (typeof enforcementPoints)[number];

/** What is being decided: a prompt, a tool call about to run, a tool result coming back, a model request. */
/**
 * `model_response`: what a model answered through the gateway, scanned after delivery when `gateway.scanResponses`
 * is on (the stream has already reached the person, so the decision is recorded, not enforced).
 */
export const decisionStages = [
  'prompt',
  'tool_call',
  'tool_result',
  'model_request',
  'model_response',
  'session_start',
] as const;
export type DecisionStage = (typeof decisionStages)[number];

export interface DecisionSubject {
  personId?: string | null;
  email?: string | null;
  team?: string | null;
  department?: string | null;
  /** IdP groups (SCIM / SSO) the person belongs to. */
  groups?: readonly string[];
}

export interface DecisionRequest {
  point: EnforcementPoint;
  stage: DecisionStage;
  surface: Surface;
  subject: DecisionSubject;
  /** Claude Code tool name as in permission rules: `Bash`, `Edit`, `mcp__github__create_issue`. */
  tool?: string | null;
  /** The tool input (Bash command, file path, URL…) as Claude Code passes it; matched by `Bash(rm *)`-style rules. */
  toolInput?: Record<string, unknown> | null;
  mcpServer?: string | null;
  mcpTool?: string | null;
  model?: string | null;
  /** Working directory or workspace folders involved. */
  folders?: readonly string[];
  /** Findings of the detectors over the content being decided (prompt text, tool input, tool result). */
  findings: readonly Finding[];
  /** Epoch ms; rules with time windows use it. */
  time: number;
  sessionId?: string | null;
  promptId?: string | null;
  toolUseId?: string | null;
}

export interface DecisionMatch {
  ruleId: string;
  action: PolicyAction;
  /** Detector types / content classes that made the rule match, if any. */
  types?: readonly DetectorType[];
  classes?: readonly ContentClass[];
}

export interface Decision {
  action: PolicyAction;
  /** The rule that decided (the most restrictive match), or null for the policy default. */
  ruleId: string | null;
  /** The kind, user-facing explanation (the "education moment"), with a link to the acceptable-use policy. */
  message: string | null;
  /** Every rule that matched, most restrictive first. */
  matches: readonly DecisionMatch[];
  /** Which findings a `redact` decision replaces (all, when the rule does not narrow it). */
  redact: readonly Finding[];
  /** Policy version that decided, for the record and the audit trail. */
  policyVersion: string;
  /** The policy's stance when Steward cannot be reached: `closed` blocks, `open` allows. */
  onFailure: 'open' | 'closed';
  /** Decided in shadow mode: recorded, never enforced. */
  shadow: boolean;
}
