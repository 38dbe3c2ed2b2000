import type { Finding } from '../contracts/detection.js';
import type { Decision, DecisionRequest, DecisionStage } from '../contracts/policy-decision.js';
import { compileOrganisationPatterns } from '../detect/organisation.js';
import { redact } from '../detect/redact.js';
import { scan } from '../detect/scan.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { evaluate, failureStance } from '../policy/evaluate.js';
import { loadPolicy } from '../policy/load.js';
import type { DecidedEvent } from './hooks/hook-events.js';
import { STAGE } from './hooks/hook-verdict.js';

/**
 * One compiled policy with the detectors configured for it: what every enforcement point runs (DESIGN §2: one
 * policy source decides everywhere). Built once per policy version; all methods are pure and synchronous.
 */
export interface PolicyEngine {
  readonly version: string;
  readonly name: string;
  /** Decide and record, never enforce (policy `defaults.shadow`). */
  readonly shadow: boolean;
  /** SessionStart context: which policy governs the session, and where to read it. */
  readonly sessionContext: string | null;
  scan(text: string): Finding[];
  evaluate(request: DecisionRequest): Decision;
  redact(text: string, findings: readonly Finding[]): string;
  /** The stance when a hook event cannot be decided; null event = the input was unreadable. */
  failure(event: DecidedEvent | null): 'open' | 'closed';
  /** The stance when a decision at `stage` cannot be taken (the gateway's model requests). */
  stageFailure(stage: DecisionStage): 'open' | 'closed';
}

export function engineFor(policy: CompiledPolicy): PolicyEngine {
  // The policy's dictionaries and patterns are compiled once per policy version, not per scan.
  const organisation = policy.organisation ? compileOrganisationPatterns(policy.organisation) : undefined;
  if (organisation && 'error' in organisation) throw new Error(`policy organisation patterns: ${organisation.error}`);
  const scanOptions = organisation ? { organisation } : {};
  const stances = new Map<DecidedEvent, 'open' | 'closed'>(
    (Object.keys(STAGE) as DecidedEvent[]).map((e) => [e, failureStance(policy, STAGE[e])]),
  );
  // Unreadable input could have been any blockable event: closed if any of them is.
  const anyClosed = (['UserPromptSubmit', 'PreToolUse', 'PostToolUse'] as const).some(
    (e) => stances.get(e) === 'closed',
  );
  const aup = policy.acceptableUseUrl ? ` Read it at ${policy.acceptableUseUrl}.` : '';
  return {
    version: policy.version,
    name: policy.name,
    shadow: policy.shadow,
    sessionContext:
      `This Claude Code session is governed by the organisation's AI policy "${policy.name}" (Steward, ` +
      `version ${policy.version}). Prompts, tool calls and tool results are checked as the session goes: ` +
      `credentials and other sensitive data may be blocked, redacted or flagged, and some tool calls need ` +
      `confirmation. When Steward stops something, explain its message to the person.${aup}`,
    scan: (text) => scan(text, scanOptions),
    evaluate: (request) => evaluate(policy, request),
    redact: (text, findings) => redact(text, findings),
    failure: (event) => (event === null ? (anyClosed ? 'closed' : 'open') : (stances.get(event) ?? 'open')),
    stageFailure: (stage) => failureStance(policy, stage),
  };
}

/** Policy text (YAML or JSON) → engine; throws with every problem located when the text does not load. */
export function engineFromText(text: string, version: string, file = `policy ${version}`): PolicyEngine {
  const loaded = loadPolicy(text, { file, version });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join('; '));
  return engineFor(loaded.policy);
}
