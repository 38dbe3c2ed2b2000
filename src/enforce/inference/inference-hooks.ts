import { createHash } from 'node:crypto';
import type { Config } from '../../config/schema.js';
import type { Finding } from '../../contracts/detection.js';
import type { Decision, DecisionRequest, DecisionSubject, PolicyAction } from '../../contracts/policy-decision.js';
import type { ActivePolicy } from '../active-policy.js';
import type { DecisionRecorder } from '../decision-record.js';
import type { PolicyEngine } from '../policy-engine.js';
import type { SubjectDirectory } from '../subject-directory.js';
import { inferenceRequestSchema, inferenceSurface, inferenceText, type InferenceRequest } from './inference-payload.js';
import { verifyWebhook, webhookKey, type WebhookVerification } from './standard-webhooks.js';

/**
 * `POST /hooks/inference`: Claude Enterprise inference hooks (claude-surfaces.md §5.9). Anthropic sends each governed
 * prompt (claude.ai, Cowork, Claude Code) signed with Standard Webhooks; Steward answers `{"action":"allow"}` or
 * `{"action":"deny","deny_reason","reference_id"}` within Anthropic's verdict timeout. Inference hooks cannot rewrite
 * a prompt, so `redact` becomes allow (with the decision recorded) or deny per `enforce.promptRedact`; `ask` has
 * nobody to ask and denies; `warn` allows. Shadow mode (config or policy) records the decision and always allows.
 */
export type InferenceAnswer = { action: 'allow' } | { action: 'deny'; deny_reason: string; reference_id: string };

export interface InferenceVerdict {
  request: DecisionRequest;
  decision: Decision;
  findings: readonly Finding[];
  enforced: PolicyAction;
  answer: InferenceAnswer;
}

/** Documented limits of the deny answer (§5.9). */
export const MAX_DENY_REASON = 500;
export const MAX_REFERENCE_ID = 50;

/** A stable reference for the person to quote: the same delivery (webhook-id, kept across retries) → the same id. */
export function referenceId(webhookId: string): string {
  return 'stw_' + createHash('sha256').update(webhookId).digest('base64url').slice(0, 24);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** Pure: one verified, parsed request → decision and answer (shared with `bench:verdict`). */
export function inferenceVerdict(
  engine: PolicyEngine,
  body: InferenceRequest,
  subject: DecisionSubject,
  time: number,
  settings: Pick<Config['enforce'], 'mode' | 'promptRedact'>,
  reference: string,
): InferenceVerdict {
  const collected = inferenceText(body);
  const findings = collected.text.length > 0 ? engine.scan(collected.text) : [];
  const request: DecisionRequest = {
    point: 'inference_hook',
    stage: 'prompt',
    surface: inferenceSurface(body.source?.application),
    subject,
    model: body.model ?? null,
    findings,
    time,
    sessionId: body.session_id ?? null,
  };
  const evaluated = engine.evaluate(request);
  const decision = settings.mode === 'shadow' && !evaluated.shadow ? { ...evaluated, shadow: true } : evaluated;
  let enforced: PolicyAction = decision.action;
  if (enforced === 'ask') enforced = 'deny';
  if (enforced === 'redact') enforced = settings.promptRedact === 'deny' ? 'deny' : 'allow';
  if (enforced === 'warn') enforced = 'allow';
  if (decision.shadow) enforced = 'allow';
  const answer: InferenceAnswer =
    enforced === 'deny'
      ? {
          action: 'deny',
          deny_reason: clip(decision.message?.trim() || "Stopped by your organisation's AI policy.", MAX_DENY_REASON),
          reference_id: clip(reference, MAX_REFERENCE_ID),
        }
      : { action: 'allow' };
  return { request, decision, findings, enforced, answer };
}

export type InferenceReply =
  | { ok: true; answer: InferenceAnswer }
  | { ok: false; code: 'not_found' | 'unauthenticated' | 'invalid_json' | 'bad_request'; message: string };

export class InferenceHooks {
  private readonly key: Buffer | null;

  constructor(
    private readonly policies: ActivePolicy,
    private readonly subjects: SubjectDirectory,
    private readonly recorder: DecisionRecorder,
    private readonly settings: Config['enforce'],
    private readonly onError: (err: unknown, what: string) => void,
  ) {
    // The secret is decoded once and kept only as the HMAC key; it is never logged or echoed.
    this.key = settings.inferenceHookSecret ? webhookKey(settings.inferenceHookSecret) : null;
  }

  get enabled(): boolean {
    return this.key !== null;
  }

  verify(headers: Record<string, string | string[] | undefined>, raw: Buffer, now = Date.now()): WebhookVerification {
    if (!this.key) return { ok: false, reason: 'missing_headers' };
    return verifyWebhook(this.key, headers, raw, now, this.settings.inferenceToleranceSeconds);
  }

  async answer(
    headers: Record<string, string | string[] | undefined>,
    raw: Buffer | undefined,
    now = Date.now(),
  ): Promise<InferenceReply> {
    if (!this.key) {
      return {
        ok: false,
        code: 'not_found',
        message: 'inference hooks are not configured (enforce.inferenceHookSecret)',
      };
    }
    const body = raw ?? Buffer.alloc(0);
    const verified = this.verify(headers, body, now);
    if (!verified.ok) {
      return { ok: false, code: 'unauthenticated', message: `webhook signature rejected: ${verified.reason}` };
    }
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return { ok: false, code: 'invalid_json', message: `the body is not JSON: ${(err as Error).message}` };
    }
    const parsed = inferenceRequestSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : '(root)';
      return { ok: false, code: 'bad_request', message: `invalid inference request: ${where}: ${issue?.message}` };
    }
    const req = parsed.data;
    const { engine } = await this.policies.get(now);
    const who = await this.subjects.forEmail(req.actor?.email_address, now).catch((err: unknown) => {
      this.onError(err, 'subject lookup');
      return { subject: {}, identity: null };
    });
    const reference = referenceId(verified.id);
    const v = inferenceVerdict(engine, req, who.subject, now, this.settings, reference);
    this.recorder.record({
      time: now,
      source: 'inference_hook',
      surface: v.request.surface,
      request: v.request,
      decision: v.decision,
      enforced: v.enforced,
      findings: v.findings,
      identity: who.identity,
      dedupe: [verified.id],
      requestId: req.request_id,
      attrs: {
        reference_id: reference,
        tenant_id: req.tenant_id ?? null,
        application: req.source?.application ?? null,
        actor_type: req.actor?.type ?? null,
        messages: req.messages.length,
      },
    });
    return { ok: true, answer: v.answer };
  }
}
