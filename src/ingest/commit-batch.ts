import type { IdentityHints, NormalisedBatch, NormalisedEvent, NormalisedMetricPoint } from '../contracts/canonical.js';
import type { PersonResolver } from '../identity/person-resolver.js';
import type { MetricSeriesTable } from '../store/database.js';
import { insertEvents, type EventRow } from '../store/events.repo.js';
import { getSeriesStates, insertMetricPoints, putSeriesStates, type MetricPointRow } from '../store/metrics.repo.js';
import { applyPersonUpdates, type PersonUpdate } from '../store/people.repo.js';
import { upsertSessionDeltas, type SessionDelta } from '../store/sessions.repo.js';
import type { Store } from '../store/store.js';
import { dedupeKey } from './normalise/dedupe-key.js';

export interface CommitResult {
  eventsInserted: number;
  eventsDuplicate: number;
  metricsInserted: number;
  metricsDuplicate: number;
}

const ORG = 'default';

/**
 * Writes one group of normalised batches in a single transaction: resolve people, insert events (deduplicated),
 * fold cumulative metrics into deltas, and add the new events into per-session and per-person totals.
 * Everything commits together or not at all, so an acknowledged export is fully stored.
 */
export async function commitBatch(
  store: Store,
  resolver: PersonResolver,
  batch: NormalisedBatch,
  now: number,
): Promise<CommitResult> {
  try {
    return await store.db.transaction().execute(async (trx) => {
      const hints = new Map<string, IdentityHints>();
      for (const e of batch.events) hints.set(e.identity.key, e.identity);
      for (const m of batch.metrics) hints.set(m.identity.key, m.identity);
      const people = await resolver.resolveAll(trx, hints.values(), now);

      const rows = batch.events.map((e) => toEventRow(e, people.get(e.identity.key) ?? null));
      const fresh = await insertEvents(trx, store, rows);

      const sessions = new Map<string, SessionDelta>();
      const personUpdates = new Map<string, PersonUpdate>();
      let inserted = 0;
      batch.events.forEach((e, i) => {
        if (!fresh[i]) return;
        inserted += 1;
        const personId = rows[i]?.person_id ?? null;
        if (e.sessionId) addToSession(sessions, e, rows[i] as EventRow, personId);
        if (personId) touchPerson(personUpdates, personId, e.identity, e.time);
      });

      const sessionPeople = new Map<string, string | null>();
      for (const [id, s] of sessions) sessionPeople.set(id, s.person_id);
      const metricRows = await metricPointRows(trx, batch.metrics, people, sessionPeople);
      const metricsInserted = metricRows.length ? await insertMetricPoints(trx, metricRows) : 0;
      for (const m of batch.metrics) {
        const personId = people.get(m.identity.key);
        if (personId) touchPerson(personUpdates, personId, m.identity, m.time);
      }

      await upsertSessionDeltas(trx, store, sessions.values());
      await applyPersonUpdates(trx, personUpdates.values());
      return {
        eventsInserted: inserted,
        eventsDuplicate: rows.length - inserted,
        metricsInserted,
        metricsDuplicate: batch.metrics.length - metricsInserted,
      };
    });
  } catch (err) {
    resolver.reset(); // people created in the rolled-back transaction must not stay cached
    throw err;
  }
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

function real(v: number | null): number | null {
  return v === null || !Number.isFinite(v) || Math.abs(v) > 1e15 ? null : v;
}

export function toEventRow(e: NormalisedEvent, personId: string | null): EventRow {
  return {
    dedupe_key: e.dedupeKey,
    time: e.time,
    org_id: ORG,
    source: e.source,
    surface: e.surface,
    kind: e.kind,
    name: e.name,
    person_id: personId,
    session_id: e.sessionId,
    prompt_id: e.promptId,
    sequence: int(e.sequence),
    agent: e.agent,
    workflow: e.workflow,
    skill: e.skill,
    plugin: e.plugin,
    model: e.model,
    tool: e.tool,
    tool_use_id: e.toolUseId,
    mcp_server: e.mcpServer,
    mcp_tool: e.mcpTool,
    decision: e.decision,
    decision_source: e.decisionSource,
    success: e.success === null ? null : e.success ? 1 : 0,
    input_tokens: count(e.inputTokens),
    output_tokens: count(e.outputTokens),
    cache_read_tokens: count(e.cacheReadTokens),
    cache_write_tokens: count(e.cacheWriteTokens),
    cost_micros: count(e.costMicros),
    duration_ms: real(e.durationMs),
    request_id: e.requestId,
    department: e.department,
    team: e.team,
    content: e.content,
    attrs: JSON.stringify(e.attrs),
  };
}

function addToSession(
  sessions: Map<string, SessionDelta>,
  e: NormalisedEvent,
  row: EventRow,
  personId: string | null,
): void {
  const id = e.sessionId as string;
  let s = sessions.get(id);
  if (!s) {
    s = {
      id,
      org_id: ORG,
      person_id: personId,
      surface: e.surface,
      service_name: e.session.serviceName,
      app_version: e.session.appVersion,
      entrypoint: e.session.entrypoint,
      terminal_type: e.session.terminalType,
      os_type: e.session.osType,
      host_arch: e.session.hostArch,
      department: e.department,
      team: e.team,
      workspace_paths: e.session.workspacePaths ? JSON.stringify(e.session.workspacePaths) : null,
      first_seen: e.time,
      last_seen: e.time,
      event_count: 0,
      prompt_count: 0,
      api_request_count: 0,
      tool_call_count: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_micros: 0,
    };
    sessions.set(id, s);
  }
  s.person_id ??= personId;
  s.first_seen = Math.min(s.first_seen, e.time);
  s.last_seen = Math.max(s.last_seen, e.time);
  s.event_count += 1;
  if (e.kind === 'prompt') s.prompt_count += 1;
  if (e.kind === 'tool_result') s.tool_call_count += 1;
  if (e.kind === 'api_request') {
    s.api_request_count += 1;
    s.input_tokens += row.input_tokens ?? 0;
    s.output_tokens += row.output_tokens ?? 0;
    s.cache_read_tokens += row.cache_read_tokens ?? 0;
    s.cache_write_tokens += row.cache_write_tokens ?? 0;
    s.cost_micros += row.cost_micros ?? 0;
  }
  if (e.session.workspacePaths) s.workspace_paths = JSON.stringify(e.session.workspacePaths);
}

function touchPerson(updates: Map<string, PersonUpdate>, id: string, h: IdentityHints, time: number): void {
  const u = updates.get(id);
  if (!u) {
    updates.set(id, {
      id,
      firstSeen: time,
      lastSeen: time,
      email: h.email,
      department: h.department,
      team: h.team,
      costCenter: h.costCenter,
    });
    return;
  }
  u.firstSeen = Math.min(u.firstSeen, time);
  if (time >= u.lastSeen) {
    u.lastSeen = time;
    u.department = h.department ?? u.department;
    u.team = h.team ?? u.team;
    u.costCenter = h.costCenter ?? u.costCenter;
  }
  u.email ??= h.email;
}

/**
 * Metric points → rows. Cumulative series become deltas against the stored series state (first sighting of a
 * series, or a new start time after a restart, contributes its whole value — OTLP metrics data model, "Sums:
 * delta/cumulative"). Points missing person attributes are attributed through their session's person.
 */
async function metricPointRows(
  trx: Parameters<typeof getSeriesStates>[0],
  points: readonly NormalisedMetricPoint[],
  people: Map<string, string | null>,
  sessionPeople: Map<string, string | null>,
): Promise<MetricPointRow[]> {
  if (points.length === 0) return [];
  const cumulativeKeys = [...new Set(points.filter((p) => p.temporality === 'cumulative').map((p) => p.seriesKey))];
  const states = cumulativeKeys.length
    ? await getSeriesStates(trx, cumulativeKeys)
    : new Map<string, MetricSeriesTable>();
  const changed = new Map<string, MetricSeriesTable>();
  const missingSessionPeople = [
    ...new Set(
      points
        .filter((p) => !people.get(p.identity.key) && p.sessionId && !sessionPeople.has(p.sessionId))
        .map((p) => p.sessionId as string),
    ),
  ];
  if (missingSessionPeople.length) {
    const rows = await trx
      .selectFrom('sessions')
      .select(['id', 'person_id'])
      .where('id', 'in', missingSessionPeople)
      .execute();
    for (const r of rows) sessionPeople.set(r.id, r.person_id);
  }
  const rows: MetricPointRow[] = [];
  const ordered = [...points].sort((a, b) => a.time - b.time);
  for (const p of ordered) {
    let value = p.value;
    if (p.temporality === 'cumulative') {
      const prev = states.get(p.seriesKey);
      if (prev && prev.start_time === p.startTime) {
        if (p.time <= prev.last_time) continue; // replay of an already-counted cumulative point
        value = p.value >= prev.last_value ? p.value - prev.last_value : p.value; // a drop means a reset
      }
      const next = { key: p.seriesKey, start_time: p.startTime, last_time: p.time, last_value: p.value };
      states.set(p.seriesKey, next);
      changed.set(p.seriesKey, next);
      if (value === 0) continue;
    }
    const personId = people.get(p.identity.key) ?? (p.sessionId ? (sessionPeople.get(p.sessionId) ?? null) : null);
    rows.push({
      dedupe_key: dedupeKey(['metric', p.seriesKey, p.startTime, p.time]),
      time: p.time,
      org_id: ORG,
      name: p.name,
      unit: p.unit,
      surface: p.surface,
      person_id: personId,
      session_id: p.sessionId,
      model: p.model,
      type: p.type,
      value: real(value) ?? 0,
      department: p.department,
      team: p.team,
      attrs: JSON.stringify(p.attrs),
    });
  }
  await putSeriesStates(trx, changed.values());
  return rows;
}
