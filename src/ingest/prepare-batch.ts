import type {
  IdentityHints,
  NormalisedBatch,
  NormalisedEvent,
  PreparedBatch,
  SessionHints,
} from '../contracts/canonical.js';
import type { EventValues } from '../contracts/event-columns.js';

export const ORG = 'default';

/**
 * The identities and session hints of a batch's events, each listed once, as a prepared batch holds them: rows name
 * their identity by its index in `identities`.
 */
export class BatchReferences {
  readonly identities: IdentityHints[] = [];
  private readonly identityIndex = new Map<IdentityHints, number>();
  private readonly sessionHints = new Map<string, SessionHints>();

  /** Lists the event's identity and session hints if new; returns the index of its identity. */
  add(e: NormalisedEvent): number {
    let idx = this.identityIndex.get(e.identity);
    if (idx === undefined) {
      idx = this.identities.length;
      this.identities.push(e.identity);
      this.identityIndex.set(e.identity, idx);
    }
    if (e.sessionId !== null && !this.sessionHints.has(e.sessionId)) this.sessionHints.set(e.sessionId, e.session);
    return idx;
  }

  sessions(): [string, SessionHints][] {
    return [...this.sessionHints];
  }
}

/**
 * Normalised batch → commit-ready batch (runs on the decode worker): each event becomes a value array in
 * EVENT_COLUMNS order with its numbers bounded, identities and session hints are listed once.
 */
export function prepareBatch(batch: NormalisedBatch, consume = false): PreparedBatch {
  const refs = new BatchReferences();
  const rows: EventValues[] = new Array(batch.events.length);
  const rowIdentity: number[] = new Array(batch.events.length);
  batch.events.forEach((e, i) => {
    rowIdentity[i] = refs.add(e);
    rows[i] = eventValues(e);
    // Consumed: the event is garbage once it is a row (fewer objects for the next scavenge to copy).
    if (consume) (batch.events as (NormalisedEvent | undefined)[])[i] = undefined;
  });
  return {
    rows,
    rowIdentity,
    identities: refs.identities,
    sessions: refs.sessions(),
    metrics: batch.metrics,
    rejected: batch.rejected,
    errors: batch.errors,
  };
}

/** Several prepared batches as one (group commit); identity indexes are re-based. */
export function mergePrepared(batches: readonly PreparedBatch[]): PreparedBatch {
  if (batches.length === 1) return batches[0] as PreparedBatch;
  const out: PreparedBatch = {
    rows: [],
    rowIdentity: [],
    identities: [],
    sessions: [],
    metrics: [],
    rejected: 0,
    errors: [],
  };
  for (const b of batches) {
    const base = out.identities.length;
    for (const id of b.identities) out.identities.push(id);
    for (let i = 0; i < b.rows.length; i++) {
      out.rows.push(b.rows[i] as EventValues);
      out.rowIdentity.push(base + (b.rowIdentity[i] as number));
    }
    for (const s of b.sessions) out.sessions.push(s);
    for (const m of b.metrics) out.metrics.push(m);
    out.rejected += b.rejected;
  }
  return out;
}

/**
 * Numbers bound for integer columns: telemetry is untrusted (a fuzzer sent 1e300 tokens and fractional sequences),
 * and PostgreSQL rejects a whole transaction for one bad bigint. Out-of-range or non-finite values become null.
 */
const MAX_COUNT = 1e12; // no request has a trillion tokens or a million dollars of cost (in micro-USD: 1e12)

function count(v: number | null): number | null {
  if (v === null || !Number.isFinite(v) || v < 0 || v > MAX_COUNT) return null;
  return Math.round(v);
}

function int(v: number | null): number | null {
  if (v === null || !Number.isFinite(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) return null;
  return Math.round(v);
}

export function real(v: number | null): number | null {
  return v === null || !Number.isFinite(v) || Math.abs(v) > 1e15 ? null : v;
}

/** One event as values in EVENT_COLUMNS order (person_id left null for the commit to fill). */
export function eventValues(e: NormalisedEvent): EventValues {
  return [
    e.dedupeKey,
    e.time,
    ORG,
    e.source,
    e.surface,
    e.kind,
    e.name,
    null,
    e.sessionId,
    e.promptId,
    int(e.sequence),
    e.agent,
    e.workflow,
    e.skill,
    e.plugin,
    e.model,
    e.tool,
    e.toolUseId,
    e.mcpServer,
    e.mcpTool,
    e.decision,
    e.decisionSource,
    e.success === null ? null : e.success ? 1 : 0,
    count(e.inputTokens),
    count(e.outputTokens),
    count(e.cacheReadTokens),
    count(e.cacheWriteTokens),
    count(e.costMicros),
    real(e.durationMs),
    e.requestId,
    e.department,
    e.team,
    e.content,
    JSON.stringify(e.attrs),
  ];
}
