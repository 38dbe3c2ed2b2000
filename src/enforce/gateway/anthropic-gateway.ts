import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../../config/schema.js';
import type { BudgetGate, Reservation } from '../../contracts/budget.js';
import type { Surface } from '../../contracts/canonical.js';
import type { Decision, DecisionRequest } from '../../contracts/policy-decision.js';
import type { GatewayKeyVerifier, GatewayPrincipal } from '../../identity/gateway-keys.js';
import type { ActivePolicy } from '../active-policy.js';
import type { DecisionRecorder } from '../decision-record.js';
import type { SubjectDirectory } from '../subject-directory.js';
import { anthropicErrorBody, NO_RETRY, type GatewayErrorReply } from './anthropic-error.js';
import type { ClientReply } from './client-reply.js';
import { forward, localRequestId, type ForwardOutcome, type ForwardPlan } from './forward.js';
import { headerText, presentedKey } from './forward-headers.js';
import { budgetDecision, budgetOutcome, budgetSubjectOf, settleOrRelease } from './gateway-budget.js';
import { gatewayRequestEvent, type GatewayEventSink } from './gateway-events.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { gatewayWho, type ClaudeCodeOrigin, type Who } from './gateway-identity.js';
import { denyMessage, gatewayVerdict, responseVerdict, type GatewayVerdict } from './gateway-policy.js';
import { readMessagesBody, type MessagesBody } from './messages-body.js';
import type { PriceTable } from './price-table.js';
import { totalTokens } from './usage.js';
import type { FieldLines } from './wire/http1-head.js';
import type { UpstreamPool } from './wire/upstream-pool.js';

/**
 * The Messages API gateway (DESIGN §5 `/gateway/anthropic`, issue 5): authenticate the gateway key → read the few
 * body fields it needs → policy (prompt protection, model rules) → budget reservation → forward, streaming the
 * answer back as it comes → meter (usage → cost → `api_request` event) and settle the budget. Everything before the
 * upstream request is the gateway's added latency, so each step is in-memory in the common case: key, subject and
 * policy lookups are cached, the body is parsed once, events are committed after the response.
 */
export interface GatewayDeps {
  settings: Config['gateway'];
  enforceMode: Config['enforce']['mode'];
  keys: GatewayKeyVerifier;
  policies: ActivePolicy;
  subjects: SubjectDirectory;
  recorder: DecisionRecorder;
  events: GatewayEventSink;
  prices: PriceTable;
  upstream: UpstreamPool;
  metrics: GatewayMetrics;
  budgets: BudgetGate | null;
  onError: (err: unknown, what: string) => void;
}

export type MessagesEndpoint = 'messages' | 'count_tokens';

/** A gateway request's head, from the gateway's own loop or from node:http. */
export interface GatewayRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** The same fields in the client's order and spelling, forwarded as sent. */
  fields: FieldLines;
}

interface RequestContext {
  time: number;
  startedAt: number;
  principal: GatewayPrincipal;
  who: Who;
  surface: Surface;
  sessionId: string | null;
  agentId: string | null;
  parentAgentId: string | null;
  endpoint: string;
}

export class AnthropicGateway {
  constructor(private readonly deps: GatewayDeps) {}

  /** 401 in the Anthropic format unless a live gateway key was presented. */
  async authenticate(headers: IncomingHttpHeaders, reply: ClientReply): Promise<GatewayPrincipal | null> {
    const key = presentedKey(headers);
    const principal = key ? await this.deps.keys.verify(key) : null;
    if (principal) return principal;
    this.refuse(reply, {
      status: 401,
      type: 'authentication_error',
      message: key
        ? 'Invalid or revoked Steward gateway key.'
        : 'Missing Steward gateway key: send it as x-api-key or Authorization: Bearer (steward keys create --gateway).',
    });
    this.deps.metrics.countRequest('401', '');
    return null;
  }

  /** `POST /v1/messages` and `POST /v1/messages/count_tokens`; `path` keeps the query string. */
  async messages(
    req: GatewayRequest,
    reply: ClientReply,
    raw: Buffer | undefined,
    path: string,
    endpoint: MessagesEndpoint,
  ): Promise<void> {
    const startedAt = performance.now();
    const time = Date.now();
    const principal = await this.authenticate(req.headers, reply);
    if (!principal) return;
    const parsed = readMessagesBody(raw);
    if (!parsed.ok) return this.answerRefusal(reply, parsed.error, null);
    const body = parsed.body;
    // The header, or for a client that sends none, the session in Claude Code's metadata.user_id.
    const sessionId = headerText(req.headers, 'x-claude-code-session-id') ?? body.claudeCode?.sessionId ?? null;
    const userAgent = headerText(req.headers, 'user-agent') ?? '';
    const ctx: RequestContext = {
      time,
      startedAt,
      principal,
      who: await this.who(principal, { sessionId, deviceId: body.claudeCode?.deviceId ?? null }, time),
      surface: sessionId !== null || userAgent.startsWith('claude-cli/') ? 'claude_code' : 'api',
      sessionId,
      agentId: headerText(req.headers, 'x-claude-code-agent-id'),
      parentAgentId: headerText(req.headers, 'x-claude-code-parent-agent-id'),
      endpoint,
    };

    const decided = await this.decide(body, ctx);
    if ('refuse' in decided) return this.answerRefusal(reply, decided.refuse, body.model);
    const verdict = decided.verdict;
    const forwarded = verdict.redactedBody ?? (raw as Buffer);

    let reservation: Reservation | null = null;
    let extraHeaders: Record<string, string> = {};
    if (endpoint === 'messages' && this.deps.budgets) {
      const admitted = await this.admit(body, forwarded.length, ctx, verdict.decision.policyVersion);
      if ('refuse' in admitted) return this.answerRefusal(reply, admitted.refuse, body.model);
      reservation = admitted.reservation;
      extraHeaders = admitted.headers;
    }

    if (reply.gone()) {
      // The client left while the request was being judged: nothing is sent upstream, nothing is spent.
      if (reservation)
        this.deps.budgets?.release(reservation).catch((e: unknown) => this.deps.onError(e, 'budget release'));
      return;
    }
    const meter = endpoint === 'messages';
    this.deps.metrics.observeAdded(body.stream, (performance.now() - startedAt) / 1000);
    forward(
      this.deps.upstream,
      reply,
      {
        method: 'POST',
        path,
        clientFields: req.fields,
        body: forwarded,
        upstreamApiKey: this.deps.settings.upstreamApiKey,
        extraHeaders,
        meter,
        responseTextChars: meter ? this.deps.settings.scanResponses : 0,
      },
      (outcome) => this.completed(outcome, body, ctx, reservation, meter),
    );
  }

  /** `GET /v1/models` (model discovery, claude-surfaces.md §6.1): authenticated pass-through. */
  async passThrough(req: GatewayRequest, reply: ClientReply, path: string): Promise<void> {
    const principal = await this.authenticate(req.headers, reply);
    if (!principal) return;
    const plan: ForwardPlan = {
      // Fastify answers HEAD on GET routes: HEAD goes upstream as HEAD, anything else as GET.
      method: req.method === 'HEAD' ? 'HEAD' : 'GET',
      path,
      clientFields: req.fields,
      body: null,
      upstreamApiKey: this.deps.settings.upstreamApiKey,
      extraHeaders: {},
      meter: false,
      responseTextChars: 0,
    };
    forward(this.deps.upstream, reply, plan, (o) => {
      this.deps.metrics.countRequest(String(o.status || 499), '');
    });
  }

  refuse(reply: ClientReply, refusal: GatewayErrorReply, requestId = localRequestId()): void {
    // answer() itself does nothing once a head is out.
    if (reply.gone()) return;
    reply.answer(
      refusal.status,
      { 'request-id': requestId, ...refusal.headers },
      anthropicErrorBody(refusal.type, refusal.message),
    );
  }

  private answerRefusal(reply: ClientReply, refusal: GatewayErrorReply, model: string | null): void {
    this.refuse(reply, refusal);
    this.deps.metrics.countRequest(String(refusal.status), this.modelLabel(model));
  }

  private async who(principal: GatewayPrincipal, origin: ClaudeCodeOrigin, time: number): Promise<Who> {
    try {
      return await gatewayWho(this.deps.subjects, principal, origin, time);
    } catch (err) {
      this.deps.onError(err, 'gateway subject lookup');
      return principal.kind === 'person'
        ? { subject: { email: principal.subject }, identity: null }
        : { subject: {}, identity: null };
    }
  }

  /** Policy verdict, or the policy's failure stance when it cannot be taken. */
  private async decide(
    body: MessagesBody,
    ctx: RequestContext,
  ): Promise<{ verdict: GatewayVerdict } | { refuse: GatewayErrorReply }> {
    let engine;
    try {
      engine = (await this.deps.policies.get(ctx.time)).engine;
      const verdict = gatewayVerdict(engine, body, {
        subject: ctx.who.subject,
        surface: ctx.surface,
        sessionId: ctx.sessionId,
        time: ctx.time,
        shadow: this.deps.enforceMode === 'shadow',
      });
      // Plain allows with nothing found are not recorded: the api_request event already says the request went through.
      if (verdict.decision.matches.length > 0 || verdict.findings.length > 0) this.recordDecision(verdict, ctx);
      if (verdict.enforced !== 'deny') return { verdict };
      this.deps.metrics.policyDenials.inc({ rule: verdict.decision.ruleId ?? 'default' });
      // 400, not 403: Claude Code shows a 403 as "Failed to authenticate" (claude-code-observed.md §2).
      return {
        refuse: {
          status: 400,
          type: 'invalid_request_error',
          message: denyMessage(verdict.decision),
          headers: { ...NO_RETRY },
        },
      };
    } catch (err) {
      this.deps.onError(err, 'gateway policy decision');
      const stance = engine?.stageFailure('model_request') ?? 'closed';
      if (stance === 'open') return { verdict: this.unjudged(body, ctx) };
      return {
        refuse: {
          status: 503,
          type: 'api_error',
          message:
            "Steward could not check this request against your organisation's AI policy, which requires a check; try again shortly.",
          headers: { 'retry-after': '5' },
        },
      };
    }
  }

  /** Fail-open: forwarded unjudged, and said so in the record. */
  private unjudged(body: MessagesBody, ctx: RequestContext): GatewayVerdict {
    const request = modelRequest(body, ctx);
    const decision: Decision = {
      action: 'allow',
      ruleId: 'steward:policy-unavailable',
      message: null,
      matches: [],
      redact: [],
      policyVersion: 'unavailable',
      onFailure: 'open',
      shadow: false,
    };
    const verdict = { request, decision, findings: [], enforced: 'allow' as const, redactedBody: null, scanned: 0 };
    this.recordDecision(verdict, ctx);
    return verdict;
  }

  private recordDecision(
    v: Pick<GatewayVerdict, 'request' | 'decision' | 'findings' | 'enforced'>,
    ctx: RequestContext,
  ): void {
    this.deps.recorder.record({
      time: ctx.time,
      source: 'gateway',
      surface: ctx.surface,
      request: v.request,
      decision: v.decision,
      enforced: v.enforced,
      findings: v.findings,
      identity: ctx.who.identity,
      // The stage keeps a request's decision and its response's decision (same rule) apart.
      dedupe: [ctx.principal.id, ctx.startedAt, v.request.stage, v.decision.ruleId],
      attrs: { gateway_key_id: ctx.principal.id, endpoint: ctx.endpoint },
    });
  }

  private async admit(
    body: MessagesBody,
    bytes: number,
    ctx: RequestContext,
    policyVersion: string,
  ): Promise<{ reservation: Reservation | null; headers: Record<string, string> } | { refuse: GatewayErrorReply }> {
    const gate = this.deps.budgets as BudgetGate;
    // Input estimate: body bytes / bytesPerToken (JSON punctuation and keys make it an over-estimate), + max_tokens.
    const inputTokens = Math.ceil(bytes / this.deps.settings.bytesPerToken);
    const estimate = {
      tokens: inputTokens + body.maxTokens,
      micros: this.deps.prices.estimate(body.model, inputTokens, body.maxTokens, body.fast),
    };
    const subject = budgetSubjectOf(ctx.principal, ctx.who.subject);
    let outcome;
    try {
      outcome = budgetOutcome(await gate.admit(subject, estimate, ctx.time));
    } catch (err) {
      this.deps.onError(err, 'budget admission');
      const stance = (await this.deps.policies.get(ctx.time)).engine.stageFailure('model_request');
      if (stance === 'open') return { reservation: null, headers: {} };
      return {
        refuse: {
          status: 503,
          type: 'api_error',
          message: 'Steward could not check your budget; try again shortly.',
          headers: { 'retry-after': '5' },
        },
      };
    }
    const request = modelRequest(body, ctx);
    if (!outcome.go) {
      const decision = budgetDecision('deny', outcome.budgetId, outcome.reply.message, policyVersion);
      this.recordDecision({ request, decision, findings: [], enforced: 'deny' }, ctx);
      return { refuse: outcome.reply };
    }
    for (const w of outcome.warnings) {
      const decision = budgetDecision(
        'warn',
        w.budget.id,
        outcome.headers['x-steward-budget-warning'] ?? '',
        policyVersion,
      );
      this.recordDecision({ request, decision, findings: [], enforced: 'allow' }, ctx);
    }
    return { reservation: outcome.reservation, headers: outcome.headers };
  }

  private completed(
    o: ForwardOutcome,
    body: MessagesBody,
    ctx: RequestContext,
    reservation: Reservation | null,
    meter: boolean,
  ): void {
    const m = this.deps.metrics;
    const model = o.model ?? body.model;
    m.countRequest(String(o.aborted && o.status === 0 ? 499 : o.status), this.modelLabel(model));
    m.observeUpstream(o.stream, (o.endedAt - o.sentAt) / 1000);
    if (o.responseText) this.judgeResponse(o.responseText, body, ctx);
    if (!meter) return;
    const cost = o.usage ? this.deps.prices.cost(model, o.usage, body.fast) : null;
    if (o.usage && cost === null) m.unpriced.inc({ model: this.modelLabel(model) });
    if (reservation && this.deps.budgets) {
      const actual = o.usage
        ? { micros: cost ?? this.deps.prices.fallbackCost(o.usage), tokens: totalTokens(o.usage) }
        : null;
      settleOrRelease(this.deps.budgets, reservation, actual).catch((err: unknown) =>
        this.deps.onError(err, 'budget settlement'),
      );
    }
    this.deps.events.submit([
      gatewayRequestEvent({
        time: ctx.time,
        requestId: o.requestId || localRequestId(),
        status: o.status,
        stream: o.stream,
        model,
        usage: o.usage,
        costMicros: cost,
        durationMs: o.endedAt - ctx.startedAt,
        surface: ctx.surface,
        sessionId: ctx.sessionId,
        agentId: ctx.agentId,
        parentAgentId: ctx.parentAgentId,
        principal: ctx.principal,
        identity: ctx.who.identity,
        completed: o.completed,
        aborted: o.aborted,
        errorType: o.errorType,
        endpoint: ctx.endpoint,
      }),
    ]);
  }

  /**
   * Response scanning (`gateway.scanResponses`): the model's text is judged at stage `model_response` once it has
   * been delivered. Anything found or matched is recorded (decision events, the audit trail) with what the policy
   * would have done; nothing is enforced, because the bytes have already reached the client.
   */
  private judgeResponse(text: string, body: MessagesBody, ctx: RequestContext): void {
    void this.deps.policies.get(ctx.time).then(
      ({ engine }) => {
        const verdict = responseVerdict(engine, text, {
          subject: ctx.who.subject,
          surface: ctx.surface,
          sessionId: ctx.sessionId,
          time: ctx.time,
          model: body.model,
        });
        if (verdict.decision.matches.length > 0 || verdict.findings.length > 0) this.recordDecision(verdict, ctx);
      },
      (err: unknown) => this.deps.onError(err, 'response scanning'),
    );
  }

  /** Metric labels stay bounded: priced models by their table entry, anything else as `other`. */
  private modelLabel(model: string | null): string {
    if (!model) return '';
    return this.deps.prices.find(model)?.model ?? 'other';
  }
}

/** The decision request of a check that scanned nothing (budgets, the policy being unavailable). */
function modelRequest(body: MessagesBody, ctx: RequestContext): DecisionRequest {
  return {
    point: 'gateway',
    stage: 'model_request',
    surface: ctx.surface,
    subject: ctx.who.subject,
    model: body.model,
    findings: [],
    time: ctx.time,
    sessionId: ctx.sessionId,
  };
}
