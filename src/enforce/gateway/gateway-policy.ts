import type { Surface } from '../../contracts/canonical.js';
import type { Finding } from '../../contracts/detection.js';
import type { Decision, DecisionRequest, DecisionSubject, PolicyAction } from '../../contracts/policy-decision.js';
import { collectText, rewriteLeaves } from '../content-text.js';
import type { PolicyEngine } from '../policy-engine.js';
import type { MessagesBody } from './messages-body.js';

/**
 * Prompt protection and model policy for one Messages API request, through the same engine the hooks use (point
 * `gateway`, stage `model_request`; the default policy's credential and personal-data rules and any `models` rule
 * match that stage).
 *
 * What is scanned: the newest turn only — the messages after the last `assistant` message (the person's new prompt,
 * the tool results being returned, Claude Code's mid-conversation `role:"system"` blocks). Claude Code resends the
 * whole conversation every turn (claude-code-observed.md §2), so each earlier turn was judged when it was new;
 * rescanning it would cost time proportional to the conversation on every request and re-block a conversation for
 * something already decided. The system prompt is not scanned (the client's own instructions, identical every turn).
 *
 * Unlike hooks, the gateway can rewrite what reaches the model, so `redact` replaces the detected spans in the
 * newest turn's strings; only that turn is re-serialised, the rest of the body keeps its bytes. `ask` has nobody to ask and denies; `warn`
 * forwards; shadow mode (config or policy) decides and records, and always forwards the client's bytes.
 */
export interface GatewayVerdict {
  request: DecisionRequest;
  decision: Decision;
  findings: readonly Finding[];
  /** allow, deny or redact. */
  enforced: PolicyAction;
  /** The new body when a redaction applied. */
  redactedBody: Buffer | null;
  /** Messages scanned (the newest turn). */
  scanned: number;
}

/** Keys whose values are not prose: block types, ids, signatures, base64 media. */
const SKIP_KEYS: ReadonlySet<string> = new Set([
  'type',
  'id',
  'tool_use_id',
  'cache_control',
  'signature',
  'data',
  'media_type',
  'role',
]);

export function gatewayVerdict(
  engine: PolicyEngine,
  body: MessagesBody,
  ctx: { subject: DecisionSubject; surface: Surface; sessionId: string | null; time: number; shadow: boolean },
): GatewayVerdict {
  const turn = body.turn;
  const collected = collectText(turn, { skipKeys: SKIP_KEYS });
  const findings = collected.text.length > 0 ? engine.scan(collected.text) : [];
  const request: DecisionRequest = {
    point: 'gateway',
    stage: 'model_request',
    surface: ctx.surface,
    subject: ctx.subject,
    model: body.model,
    findings,
    time: ctx.time,
    sessionId: ctx.sessionId,
  };
  const evaluated = engine.evaluate(request);
  const decision = ctx.shadow && !evaluated.shadow ? { ...evaluated, shadow: true } : evaluated;
  let enforced: PolicyAction = decision.action;
  if (enforced === 'ask') enforced = 'deny';
  if (enforced === 'warn') enforced = 'allow';
  if (decision.shadow) enforced = 'allow';
  let redactedBody: Buffer | null = null;
  if (enforced === 'redact') {
    const rewritten = rewriteLeaves(turn, collected, decision.redact, (leaf, found) => engine.redact(leaf, found));
    if (rewritten === undefined) {
      enforced = 'allow'; // nothing in the scanned text to replace
    } else {
      redactedBody = body.withTurn(rewritten as unknown[]);
    }
  }
  return { request, decision, findings, enforced, redactedBody, scanned: turn.length };
}

/** The policy's message for a refusal, never empty. */
export function denyMessage(decision: Decision): string {
  return (
    decision.message?.trim() || "Steward stopped this request: it is not allowed by your organisation's AI policy."
  );
}

/**
 * The model's answer, judged after delivery at stage `model_response` (`gateway.scanResponses`). The decision is
 * what the policy would have done; `enforced` is always `allow` because the client already has the bytes.
 */
export function responseVerdict(
  engine: PolicyEngine,
  text: string,
  ctx: { subject: DecisionSubject; surface: Surface; sessionId: string | null; time: number; model: string | null },
): Pick<GatewayVerdict, 'request' | 'decision' | 'findings' | 'enforced'> {
  const findings = engine.scan(text);
  const request: DecisionRequest = {
    point: 'gateway',
    stage: 'model_response',
    surface: ctx.surface,
    subject: ctx.subject,
    model: ctx.model,
    findings,
    time: ctx.time,
    sessionId: ctx.sessionId,
  };
  return { request, decision: engine.evaluate(request), findings, enforced: 'allow' };
}
