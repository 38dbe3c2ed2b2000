import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/schema.js';
import type { Decision } from '../../contracts/policy-decision.js';
import type { ErrorCode } from '../../errors/catalog.js';
import type { ActivePolicy } from '../active-policy.js';
import type { DecisionRecorder } from '../decision-record.js';
import type { SubjectDirectory } from '../subject-directory.js';
import { failClosedAnswer, UNREADABLE_REASON } from './hook-answer.js';
import type { HookPolicySnapshot } from './hook-cache.js';
import { decidedEvents, isDecidedEvent } from './hook-events.js';
import { parseHookPayload } from './hook-payload.js';
import { offlineUploadSchema } from './offline-decision.schema.js';
import { hookVerdict, STAGE, type HookSettings } from './hook-verdict.js';

/**
 * `POST /hooks/claude-code` (Claude Code `http` hooks, and `steward hook` asking the server): the same decision as
 * everywhere, answered in Claude Code's hook JSON and recorded as a `policy_decision` event.
 *
 * Refusing input needs care, because Claude Code treats any non-2xx from an http hook as a non-blocking error: the
 * action then simply proceeds (claude-surfaces.md §3.4). So an unreadable or oversized body gets a 4xx with a clear
 * error only where the policy fails open; where it fails closed it gets 200 with a block (the reason says Steward could
 * not read the request, `x-steward-error` names the error code), so a malformed request can never become an allow.
 */
export interface HookReply {
  status: number;
  /** Hook JSON, an `{ error }` body, or null for an empty 200 (no opinion). */
  body: Record<string, unknown> | null;
  headers: Record<string, string>;
  /** Set for refusals answered as errors: the route sends it through the error mapping. */
  error?: { code: ErrorCode; message: string };
}

function refused(code: ErrorCode, message: string): HookReply {
  return { status: 0, body: null, headers: {}, error: { code, message } };
}

export class ClaudeCodeHooks {
  constructor(
    private readonly policies: ActivePolicy,
    private readonly subjects: SubjectDirectory,
    private readonly recorder: DecisionRecorder,
    private readonly settings: Config['enforce'],
    private readonly onError: (err: unknown, what: string) => void,
  ) {}

  private get hookSettings(): HookSettings {
    const { mode, promptRedact, preToolUseAllow } = this.settings;
    return { mode, promptRedact, preToolUseAllow };
  }

  /** `deviceId`: Claude Code's install id, sent by `steward hook` (`x-steward-device-id`), or null. */
  async answer(raw: Buffer | undefined, deviceId: string | null = null, now = Date.now()): Promise<HookReply> {
    let value: unknown;
    try {
      if (!raw || raw.length === 0) return this.refuse('invalid_json', 'the hook body is empty', null, now);
      value = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return this.refuse('invalid_json', `the hook body is not JSON: ${(err as Error).message}`, null, now);
    }
    const parsed = parseHookPayload(value);
    if (!parsed.ok) return this.refuse('bad_request', parsed.message, parsed.event, now);
    if (!parsed.decided) return { status: 200, body: null, headers: {} };

    const payload = parsed.payload;
    const { engine, version } = await this.policies.get(now);
    const who = await this.subjects.forSession(payload.session_id, deviceId, now).catch((err: unknown) => {
      this.onError(err, 'subject lookup');
      return { subject: {}, identity: null };
    });
    const v = hookVerdict(engine, payload, who.subject, now, this.hookSettings);
    this.recorder.record({
      time: now,
      source: 'hook',
      surface: 'claude_code',
      request: v.request,
      decision: v.decision,
      enforced: v.answer.enforced,
      findings: v.findings,
      identity: who.identity,
      dedupe: [payload.session_id, payload.hook_event_name, payload.prompt_id, v.request.toolUseId, now],
      attrs: { hook_event: payload.hook_event_name },
    });
    return {
      status: 200,
      body: v.answer.json,
      headers: { 'x-steward-policy-version': version, 'x-steward-decision': v.answer.enforced },
    };
  }

  /**
   * Input Steward cannot decide on: a 4xx where the policy fails open for that event, a recorded block where it
   * fails closed. Also used by the route for bodies refused before they reach here (too large, wrong media type).
   */
  async refuse(code: ErrorCode, message: string, event: string | null, now = Date.now()): Promise<HookReply> {
    const { engine, version } = await this.policies.get(now);
    const decided = isDecidedEvent(event) ? event : null;
    if (event !== null && decided === null) return { status: 200, body: null, headers: {} }; // not ours to block
    const answer = engine.failure(decided) === 'closed' ? failClosedAnswer(decided, UNREADABLE_REASON) : null;
    if (!answer) return { ...refused(code, message), headers: { 'x-steward-policy-version': version } };
    const decision: Decision = {
      action: 'deny',
      ruleId: null,
      message: UNREADABLE_REASON,
      matches: [],
      redact: [],
      policyVersion: version,
      onFailure: 'closed',
      shadow: false,
    };
    this.recorder.record({
      time: now,
      source: 'hook',
      surface: 'claude_code',
      // The event's stage when it could be read; unreadable input is filed under prompt (attrs.hook_event is null).
      request: {
        point: 'claude_code_hook',
        stage: decided ? STAGE[decided] : 'prompt',
        surface: 'claude_code',
        subject: {},
        findings: [],
        time: now,
      },
      decision,
      enforced: 'deny',
      findings: [],
      identity: null,
      dedupe: ['refused', code, now, randomUUID()],
      attrs: { hook_event: decided, failure: code },
    });
    return {
      status: 200,
      body: answer,
      headers: { 'x-steward-policy-version': version, 'x-steward-decision': 'deny', 'x-steward-error': code },
    };
  }

  /**
   * Decisions `steward hook` took offline with its cached policy (POST /hooks/claude-code/decisions), recorded as
   * if taken here, marked `offline`. Times are the client's, bounded to the last 30 days (older ones take `now`).
   */
  async recordOffline(raw: Buffer | undefined, deviceId: string | null = null, now = Date.now()): Promise<HookReply> {
    let value: unknown;
    try {
      value = JSON.parse((raw ?? Buffer.alloc(0)).toString('utf8'));
    } catch (err) {
      return refused('invalid_json', `the body is not JSON: ${(err as Error).message}`);
    }
    const parsed = offlineUploadSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refused(
        'bad_request',
        `invalid offline decisions: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      );
    }
    for (const d of parsed.data.decisions) {
      const time = d.time > now - 30 * 86_400_000 && d.time <= now + 300_000 ? d.time : now;
      const who = await this.subjects
        .forSession(d.session_id, deviceId, now)
        .catch(() => ({ subject: {}, identity: null }));
      this.recorder.record({
        time,
        source: 'hook',
        surface: 'claude_code',
        request: {
          point: 'claude_code_hook',
          stage: d.stage,
          surface: 'claude_code',
          subject: who.subject,
          tool: d.tool,
          mcpServer: d.mcp_server,
          mcpTool: d.mcp_tool,
          findings: [],
          time,
          sessionId: d.session_id,
          promptId: d.prompt_id,
          toolUseId: d.tool_use_id,
        },
        decision: {
          action: d.action,
          ruleId: d.rule_id,
          message: null,
          matches: [],
          redact: [],
          policyVersion: d.policy_version,
          onFailure: d.on_failure,
          shadow: d.shadow,
        },
        enforced: d.enforced,
        findings: [],
        identity: who.identity,
        dedupe: ['offline', d.id],
        attrs: {
          hook_event: d.hook_event,
          offline: true,
          matched_rules: d.matched_rules,
          detector_types: d.detector_types,
          content_classes: d.content_classes,
        },
      });
    }
    return { status: 200, body: { recorded: parsed.data.decisions.length }, headers: {} };
  }

  /** What `steward hook` keeps locally (GET /hooks/claude-code/policy). */
  async snapshot(now = Date.now()): Promise<HookPolicySnapshot> {
    const { engine, text, version } = await this.policies.get(now);
    const failure = Object.fromEntries(decidedEvents.map((e) => [e, engine.failure(e)])) as Record<
      (typeof decidedEvents)[number],
      'open' | 'closed'
    >;
    return {
      version,
      failure: { ...failure, unreadable: engine.failure(null) },
      source: text,
      settings: this.hookSettings,
    };
  }
}
