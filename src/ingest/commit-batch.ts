import type { IdentityHints, NormalisedMetricPoint, PreparedBatch, SessionHints } from '../contracts/canonical.js';
import { COL, type EventValues } from '../contracts/event-columns.js';
import { addEvent, addMetricPoint, newIncrements } from '../analytics/rollup-aggregate.js';
import { writeIncrements } from '../analytics/rollup-writer.js';
import { auditEntriesForCommit, type SealedText } from '../audit/commit-entries.js';
import { appendEntries } from '../audit/vault-append.js';
import type { PersonResolver } from '../identity/person-resolver.js';
import type { MetricSeriesTable } from '../store/database.js';
import { insertEvents } from '../store/events.repo.js';
import { getSeriesStates, insertMetricPoints, putSeriesStates, type MetricPointRow } from '../store/metrics.repo.js';
import { applyPersonUpdates, type PersonUpdate } from '../store/people.repo.js';
import { upsertSessionDeltas, type SessionDelta } from '../store/sessions.repo.js';
import type { Store } from '../store/store.js';
import { dedupeKey } from './normalise/dedupe-key.js';
import { ORG, real } from './prepare-batch.js';
import { reconcileRequests } from './request-ledger.js';

export interface CommitResult {
  eventsInserted: number;
  eventsDuplicate: number;
  metricsInserted: number;
  metricsDuplicate: number;
}

/**
 * Writes one group of normalised batches in a single transaction: resolve people, insert events (deduplicated),
 * fold cumulative metrics into deltas, and add the new events and metric points into per-session and per-person
 * totals and the hourly rollups (analytics/rollup-aggregate.ts).
 * Everything commits together or not at all, so an acknowledged export is fully stored.
 */
export interface CommitOptions {
  /** Append an `activity.seal` leaf over the inserted events (config `audit.sealActivity`). Default true. */
  seal?: boolean;
}

/** `texts`: the rows' sealed lines as the decode workers sent them (writer/rows-text.ts), for the activity seal. */
export async function commitBatch(
  store: Store,
  resolver: PersonResolver,
  batch: PreparedBatch,
  now: number,
  options: CommitOptions = {},
  texts?: readonly SealedText[],
): Promise<CommitResult> {
  try {
    return await store.db.transaction().execute(async (trx) => {
      const hints = new Map<string, IdentityHints>();
      for (const h of batch.identities) hints.set(h.key, h);
      for (const m of batch.metrics) hints.set(m.identity.key, m.identity);
      const people = await resolver.resolveAll(trx, hints.values(), now);

      const personOf = batch.identities.map((h) => people.get(h.key) ?? null);
      const rows = batch.rows;
      for (let i = 0; i < rows.length; i++)
        (rows[i] as EventValues)[COL.person_id] = personOf[batch.rowIdentity[i] as number];
      // A row marked as a duplicate request is no longer what its line says: the seal then serialises the rows.
      const changed = await reconcileRequests(trx, store, rows);
      const fresh = await insertEvents(trx, store, rows);

      const sessionHints = new Map(batch.sessions);
      const sessions = new Map<string, SessionDelta>();
      const personUpdates = new Map<string, PersonUpdate>();
      const rollups = newIncrements();
      let inserted = 0;
      for (let i = 0; i < rows.length; i++) {
        if (!fresh[i]) continue;
        inserted += 1;
        const row = rows[i] as EventValues;
        addEvent(rollups, row);
        const personId = row[COL.person_id] as string | null;
        const sessionId = row[COL.session_id] as string | null;
        if (sessionId !== null) addToSession(sessions, row, sessionHints.get(sessionId), personId);
        if (personId) {
          touchPerson(
            personUpdates,
            personId,
            batch.identities[batch.rowIdentity[i] as number] as IdentityHints,
            row[COL.time] as number,
          );
        }
      }

      const sessionPeople = new Map<string, string | null>();
      for (const [id, s] of sessions) sessionPeople.set(id, s.person_id);
      const metricRows = await metricPointRows(trx, batch.metrics, people, sessionPeople);
      const newMetrics = metricRows.length ? await insertMetricPoints(trx, metricRows) : new Set<string>();
      const metricsInserted = newMetrics.size;
      // delete(): a key repeated within the group was inserted once and must count once.
      for (const m of metricRows) if (newMetrics.delete(m.dedupe_key)) addMetricPoint(rollups, m);
      for (const m of batch.metrics) {
        const personId = people.get(m.identity.key);
        if (personId) touchPerson(personUpdates, personId, m.identity, m.time);
      }

      await upsertSessionDeltas(trx, store, sessions.values());
      await applyPersonUpdates(trx, personUpdates.values());
      await writeIncrements(trx, store, rollups);
      // The vault: enforcement decisions as audit entries, and the seal over every row this commit inserted.
      const audit = auditEntriesForCommit(rows, fresh, now, options.seal !== false, changed ? undefined : texts);
      if (audit.length) await appendEntries(trx, store, audit, now);
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

function addToSession(
  sessions: Map<string, SessionDelta>,
  row: EventValues,
  hints: SessionHints | undefined,
  personId: string | null,
): void {
  const id = row[COL.session_id] as string;
  const time = row[COL.time] as number;
  let s = sessions.get(id);
  if (!s) {
    s = {
      id,
      org_id: ORG,
      person_id: personId,
      surface: row[COL.surface] as string,
      service_name: hints?.serviceName ?? null,
      app_version: hints?.appVersion ?? null,
      entrypoint: hints?.entrypoint ?? null,
      terminal_type: hints?.terminalType ?? null,
      os_type: hints?.osType ?? null,
      host_arch: hints?.hostArch ?? null,
      department: row[COL.department] as string | null,
      team: row[COL.team] as string | null,
      workspace_paths: hints?.workspacePaths ? JSON.stringify(hints.workspacePaths) : null,
      first_seen: time,
      last_seen: time,
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
  s.first_seen = Math.min(s.first_seen, time);
  s.last_seen = Math.max(s.last_seen, time);
  s.event_count += 1;
  const kind = row[COL.kind];
  if (kind === 'prompt') s.prompt_count += 1;
  if (kind === 'tool_result') s.tool_call_count += 1;
  if (kind === 'api_request') {
    s.api_request_count += 1;
    s.input_tokens += (row[COL.input_tokens] as number | null) ?? 0;
    s.output_tokens += (row[COL.output_tokens] as number | null) ?? 0;
    s.cache_read_tokens += (row[COL.cache_read_tokens] as number | null) ?? 0;
    s.cache_write_tokens += (row[COL.cache_write_tokens] as number | null) ?? 0;
    s.cost_micros += (row[COL.cost_micros] as number | null) ?? 0;
  }
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
