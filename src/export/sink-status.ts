import type { ExportConfig, SinkConfig } from '../config/export.schema.js';
import type { OutboxRow } from '../store/export-outbox.repo.js';
import { oldestFailing, sinkStats } from '../store/export-outbox.repo.js';
import type { Store } from '../store/store.js';
import { sinkMinSeverity, sinkSources } from './sink-filter.js';

/**
 * How each configured sink is doing, read from the outbox (so every replica, the API and `steward export status`
 * agree): pending, dead, delivered (still retained), lag, and the retry in progress. What leaves here never
 * carries a secret: destinations are shown as scheme, host and port only (a Slack webhook's path is its key).
 */
export type SinkState = 'ok' | 'retrying' | 'dead_letters' | 'disabled';

export function destinationOf(s: SinkConfig): string {
  switch (s.type) {
    case 'ocsf_file':
      return `file:${s.path}`;
    case 'syslog':
      return `${s.transport}://${s.host}:${s.port ?? (s.transport === 'tls' ? 6514 : 514)}`;
    default:
      return new URL(s.url).origin;
  }
}

export async function sinkStatuses(store: Store, config: ExportConfig, now = Date.now()) {
  const stats = new Map((await sinkStats(store.db)).map((s) => [s.sink, s]));
  return Promise.all(
    config.sinks.map(async (s) => {
      const st = stats.get(s.name);
      const failing = s.enabled ? await oldestFailing(store.db, s.name) : undefined;
      const dead = st?.dead ?? 0;
      const state: SinkState = !s.enabled ? 'disabled' : failing ? 'retrying' : dead > 0 ? 'dead_letters' : 'ok';
      return {
        name: s.name,
        type: s.type,
        enabled: s.enabled,
        destination: destinationOf(s),
        filters: {
          sources: sinkSources(s),
          kinds: s.filters.kinds ?? null,
          actions: s.filters.actions ?? null,
          min_severity: sinkMinSeverity(s),
        },
        state,
        pending: st?.pending ?? 0,
        dead,
        delivered_retained: st?.delivered ?? 0,
        lag_seconds: st?.oldestPendingAt ? Math.max(0, (now - st.oldestPendingAt) / 1000) : 0,
        last_delivered_at: st?.lastDeliveredAt ? new Date(st.lastDeliveredAt).toISOString() : null,
        retry: failing
          ? {
              attempts: failing.attempts,
              next_attempt_at: new Date(failing.next_attempt_at).toISOString(),
              last_error: failing.last_error,
            }
          : null,
      };
    }),
  );
}

export type SinkStatus = Awaited<ReturnType<typeof sinkStatuses>>[number];

export function presentDeadLetter(r: OutboxRow) {
  return {
    id: r.id,
    sink: r.sink,
    source: r.source,
    source_id: r.source_id,
    uid: r.uid,
    kind: r.kind,
    severity: r.severity,
    attempts: r.attempts,
    last_error: r.last_error,
    created_at: new Date(r.created_at).toISOString(),
  };
}
