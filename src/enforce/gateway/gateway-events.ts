import type { IdentityHints, NormalisedEvent, Surface } from '../../contracts/canonical.js';
import type { GroupCommitQueue } from '../../ingest/group-commit.js';
import { timedDedupeKey } from '../../ingest/normalise/dedupe-key.js';
import { identifier } from '../../ingest/otlp/values.js';
import { TextBatchBuilder } from '../../ingest/writer/rows-text.js';
import type { GatewayPrincipal } from '../../identity/gateway-keys.js';
import { NO_IDENTITY, NO_SESSION_HINTS } from '../decision-record.js';
import type { Usage } from './usage.js';

/**
 * Every request the gateway forwards becomes one activity event (DESIGN §3) with `source = gateway`: `api_request`
 * when the upstream reported usage (also a stream cut short after usage was seen — its spend is real), `api_error`
 * otherwise. It goes through the same group commit as telemetry (same identity resolution, session totals, rollups,
 * dedupe), and carries the upstream's `request-id`, which is what Claude Code reports as the OTel `request_id` of
 * the same request (claude-code-observed.md §2 "Correlation") — the request ledger counts the pair once
 * (ingest/request-ledger.ts). Never any content: no prompt, no response.
 */
export interface GatewayRequestRecord {
  time: number;
  requestId: string;
  status: number;
  stream: boolean;
  model: string | null;
  usage: Usage | null;
  costMicros: number | null;
  durationMs: number;
  surface: Surface;
  sessionId: string | null;
  agentId: string | null;
  parentAgentId: string | null;
  principal: GatewayPrincipal;
  identity: IdentityHints | null;
  /** Stream finished with message_stop (or a complete JSON response). */
  completed: boolean;
  aborted: boolean;
  errorType: string | null;
  endpoint: string;
}

const bounded = (v: string | null): string | null => (v === null || v === '' ? null : identifier(v));

export function gatewayRequestEvent(r: GatewayRequestRecord): NormalisedEvent {
  const identity = r.identity ?? NO_IDENTITY;
  const u = r.usage;
  const metered = u !== null;
  const agentName = r.principal.kind === 'agent' ? r.principal.subject : r.agentId;
  return {
    dedupeKey: timedDedupeKey(r.time, ['gateway', r.requestId]),
    time: r.time,
    source: 'gateway',
    surface: r.surface,
    kind: metered ? 'api_request' : 'api_error',
    name: metered ? 'steward.gateway.api_request' : 'steward.gateway.api_error',
    sessionId: bounded(r.sessionId),
    promptId: null,
    sequence: null,
    agent: bounded(agentName),
    workflow: null,
    skill: null,
    plugin: null,
    model: bounded(r.model),
    tool: null,
    toolUseId: null,
    mcpServer: null,
    mcpTool: null,
    decision: null,
    decisionSource: null,
    success: r.status >= 200 && r.status < 300 && r.errorType === null && !r.aborted,
    inputTokens: u ? u.input : null,
    outputTokens: u ? u.output : null,
    cacheReadTokens: u ? u.cacheRead : null,
    cacheWriteTokens: u ? u.cacheWrite5m + u.cacheWrite1h : null,
    costMicros: u ? r.costMicros : null,
    durationMs: Math.round(r.durationMs),
    requestId: bounded(r.requestId),
    department: identity.department,
    team: identity.team,
    content: null,
    attrs: {
      status_code: r.status,
      endpoint: r.endpoint,
      stream: r.stream,
      completed: r.completed,
      ...(r.aborted ? { aborted: true } : {}),
      ...(r.errorType ? { error_type: r.errorType } : {}),
      ...(u
        ? {
            cache_write_5m_tokens: u.cacheWrite5m,
            cache_write_1h_tokens: u.cacheWrite1h,
            service_tier: u.serviceTier,
            inference_geo: u.inferenceGeo,
          }
        : {}),
      ...(u && r.costMicros === null ? { cost_unknown: 'model not in gateway.prices' } : {}),
      gateway_key_id: r.principal.id,
      gateway_key_kind: r.principal.kind,
      ...(r.principal.kind === 'app' ? { app: r.principal.subject } : {}),
      ...(r.agentId ? { agent_id: r.agentId } : {}),
      ...(r.parentAgentId ? { parent_agent_id: r.parentAgentId } : {}),
    },
    identity,
    session: NO_SESSION_HINTS,
  };
}

/**
 * Hands gateway events to the group commit without holding up any client. Metering happens after the response has
 * been sent, so no client waits for it; events are gathered for up to `flushMs` (or `maxEvents`) and committed as one
 * batch, because a commit costs milliseconds of the event loop however small it is (ARCHITECTURE "Group commit
 * sizing") and one per request would be most of the gateway's cost. A crash loses at most the last `flushMs` of
 * usage records (never a budget settlement: the gate keeps those); shutdown flushes. Failures go to `onError`.
 * Each event is turned into its row's text as it arrives (`TextBatchBuilder`): what waits for the flush is a string
 * per request, not the event's objects, which lived long enough to be promoted and to bring on full collections.
 */
export class GatewayEventSink {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly buffer = new TextBatchBuilder();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: GroupCommitQueue,
    private readonly onError: (err: unknown) => void,
    private readonly flushMs = 100,
    private readonly maxEvents = 500,
  ) {}

  submit(events: NormalisedEvent[]): void {
    for (const e of events) this.buffer.add(e);
    if (this.buffer.size >= this.maxEvents || this.flushMs === 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Commits what is gathered now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.size === 0) return;
    const p = this.queue
      .submitText(this.buffer.take())
      .catch(this.onError)
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Flushes, then resolves once every event submitted so far is committed or has failed (tests, shutdown). */
  async settled(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }
}
