import { randomUUID } from 'node:crypto';
import { engineFromText } from '../policy-engine.js';
import { failClosedAnswer, typesFound, UNREADABLE_REASON } from './hook-answer.js';
import type { LocalDecider } from './hook-client.js';
import { isDecidedEvent } from './hook-events.js';
import { parseHookPayload } from './hook-payload.js';
import { hookVerdict } from './hook-verdict.js';

/**
 * `steward hook`'s fallback when the server cannot answer: the cached policy, compiled here, evaluated with the same
 * detectors and the same verdict code as the server (hook-verdict.ts). Loaded lazily: it pulls in zod, YAML and the
 * detectors, which the common path (server reachable) never needs. The person is unknown here (the server resolves
 * them from the session), so rules about teams or people do not match offline; content and tool rules do. Each
 * decision also comes back as a record for the offline spool (offline-decisions.ts), sent once the server answers.
 */
export const decideLocally: LocalDecider = async (cache, input) => {
  const engine = engineFromText(cache.policy.source, cache.policy.version, 'cached policy');
  const parsed = parseHookPayload(input);
  if (!parsed.ok) {
    const event = parsed.event;
    // SessionStart cannot block, and events Steward does not decide on are not ours to fail closed on.
    if (event === 'SessionStart' || (event !== null && !isDecidedEvent(event))) return { json: null, offline: null };
    const json = engine.failure(event) === 'closed' ? failClosedAnswer(event, UNREADABLE_REASON) : null;
    return { json, offline: null };
  }
  if (!parsed.decided) return { json: null, offline: null };
  const time = Date.now();
  const v = hookVerdict(engine, parsed.payload, {}, time, cache.policy.settings);
  const q = v.request;
  return {
    json: v.answer.json,
    offline: {
      id: randomUUID(),
      time,
      hook_event: parsed.payload.hook_event_name,
      stage: q.stage,
      session_id: parsed.payload.session_id,
      prompt_id: q.promptId ?? null,
      tool_use_id: q.toolUseId ?? null,
      tool: q.tool ?? null,
      mcp_server: q.mcpServer ?? null,
      mcp_tool: q.mcpTool ?? null,
      action: v.decision.action,
      enforced: v.answer.enforced,
      rule_id: v.decision.ruleId,
      matched_rules: v.decision.matches.map((m) => m.ruleId),
      policy_version: v.decision.policyVersion,
      on_failure: v.decision.onFailure,
      shadow: v.decision.shadow,
      detector_types: typesFound(v.findings),
      content_classes: [...new Set(v.findings.map((f) => f.class))].sort(),
    },
  };
};
