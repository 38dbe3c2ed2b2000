import type {
  EventSource,
  IdentityHints,
  NormalisedEvent,
  PreparedBatch,
  SessionHints,
  Surface,
} from '../contracts/canonical.js';
import { contentClasses, type ContentClass, type Finding } from '../contracts/detection.js';
import type { Decision, DecisionRequest, PolicyAction } from '../contracts/policy-decision.js';
import type { GroupCommitQueue } from '../ingest/group-commit.js';
import { timedDedupeKey } from '../ingest/normalise/dedupe-key.js';
import { identifier } from '../ingest/otlp/values.js';
import { prepareBatch } from '../ingest/prepare-batch.js';
import { typesFound } from './hooks/hook-answer.js';

/**
 * Every decision an enforcement point takes becomes one `policy_decision` activity event (DESIGN §2–3), written
 * through the same group commit as telemetry: same identity resolution, same session totals, same dedupe. The event
 * carries what was decided and why (action, rule, policy version, detector types and classes found, point, stage,
 * shadow) and never the content that was decided on: not the prompt, not the tool input, not the matched values.
 */
export interface DecisionRecord {
  time: number;
  source: Extract<EventSource, 'hook' | 'inference_hook' | 'gateway'>;
  surface: Surface;
  request: DecisionRequest;
  decision: Decision;
  /** What the answer enforced (differs from the decision in shadow mode or where an action degrades). */
  enforced: PolicyAction;
  findings: readonly Finding[];
  identity: IdentityHints | null;
  /** Identifies the decision for dedupe: a retried delivery of the same question records once. */
  dedupe: readonly (string | number | null | undefined)[];
  requestId?: string | null;
  /** Extra non-content attributes (hook event, reference id, tenant, application, latency…). */
  attrs?: Record<string, unknown>;
}

/** Hints that resolve to no person (a decision or request nobody can be named for). */
export const NO_IDENTITY: IdentityHints = {
  key: 'none',
  aliases: [],
  email: null,
  department: null,
  team: null,
  costCenter: null,
  isDemo: false,
};

/** Identifiers bounded exactly as ingest bounds them (NULs out, over-long values digested), so they join. */
function boundedId(v: string | null | undefined): string | null {
  return v === null || v === undefined || v === '' ? null : identifier(v);
}

function classesFound(findings: readonly Finding[]): ContentClass[] {
  const found = new Set(findings.map((f) => f.class));
  return contentClasses.filter((c) => found.has(c));
}

export function decisionEvent(r: DecisionRecord): NormalisedEvent {
  const { request: q, decision: d } = r;
  const identity = r.identity ?? NO_IDENTITY;
  return {
    dedupeKey: timedDedupeKey(r.time, ['policy_decision', r.source, ...r.dedupe]),
    time: r.time,
    source: r.source,
    surface: r.surface,
    kind: 'policy_decision',
    name: 'steward.policy_decision',
    sessionId: boundedId(q.sessionId),
    promptId: boundedId(q.promptId),
    sequence: null,
    agent: null,
    workflow: null,
    skill: null,
    plugin: null,
    model: boundedId(q.model),
    tool: boundedId(q.tool),
    toolUseId: boundedId(q.toolUseId),
    mcpServer: boundedId(q.mcpServer),
    mcpTool: boundedId(q.mcpTool),
    decision: d.action,
    decisionSource: d.ruleId ?? 'default',
    success: null,
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    costMicros: null,
    durationMs: null,
    requestId: boundedId(r.requestId),
    department: identity.department,
    team: identity.team,
    content: null,
    attrs: {
      action: d.action,
      enforced: r.enforced,
      rule_id: d.ruleId,
      matched_rules: d.matches.map((m) => m.ruleId),
      policy_version: d.policyVersion,
      point: q.point,
      stage: q.stage,
      shadow: d.shadow,
      on_failure: d.onFailure,
      detector_types: typesFound(r.findings),
      content_classes: classesFound(r.findings),
      findings: r.findings.length,
      ...r.attrs,
    },
    identity,
    session: NO_SESSION_HINTS,
  };
}

/** Enforcement points know nothing about the client process (OTel resource attributes fill these in). */
export const NO_SESSION_HINTS: SessionHints = {
  serviceName: null,
  appVersion: null,
  entrypoint: null,
  terminalType: null,
  osType: null,
  hostArch: null,
  workspacePaths: null,
};

export function decisionBatch(records: readonly DecisionRecord[]): PreparedBatch {
  return prepareBatch({ events: records.map(decisionEvent), metrics: [], rejected: 0, errors: [] });
}

/**
 * Records decisions without holding up the answer: a hook verdict must not wait for (or fail with) the store, so the
 * write is queued and a failure is reported to `onError` (logged and counted by the caller), never to the person.
 */
export class DecisionRecorder {
  private inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly queue: GroupCommitQueue,
    private readonly onError: (err: unknown) => void,
  ) {}

  record(r: DecisionRecord): void {
    const p = this.queue
      .submit(decisionBatch([r]))
      .catch(this.onError)
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves once every decision recorded so far is committed or has failed (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}
