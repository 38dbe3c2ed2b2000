import { Counter, Gauge, type Registry } from 'prom-client';
import { sinkStats, type SinkStats } from '../store/export-outbox.repo.js';
import type { Store } from '../store/store.js';

/**
 * Per-sink export metrics on the app's Prometheus registry (ops/ops-metrics.ts; docs/exports.md "Metrics"):
 *   steward_export_lag_seconds{sink}       age of the oldest pending outbox row (0 when none)
 *   steward_export_pending{sink}           rows waiting for delivery
 *   steward_export_dead{sink}              dead letters
 *   steward_export_delivered_total{sink}   records this process delivered
 *   steward_export_failures_total{sink}    records in failed delivery attempts (each attempt counts)
 * The gauges read the outbox (one grouped query per scrape, shared by the three), so they are right across
 * replicas; the counters are this process's.
 */
export interface ExportMetrics {
  delivered: Counter<'sink'>;
  failures: Counter<'sink'>;
}

const STATS_TTL_MS = 1_000;

export function registerExportMetrics(registry: Registry, store: Store, sinks: readonly string[]): ExportMetrics {
  let cached: { at: number; stats: Promise<Map<string, SinkStats>> } | null = null;
  const stats = (): Promise<Map<string, SinkStats>> => {
    if (!cached || Date.now() - cached.at > STATS_TTL_MS) {
      cached = { at: Date.now(), stats: sinkStats(store.db).then((list) => new Map(list.map((s) => [s.sink, s]))) };
    }
    return cached.stats;
  };
  const gauge = (name: string, help: string, value: (s: SinkStats | undefined, now: number) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['sink'],
      registers: [registry],
      async collect() {
        const byName = await stats();
        const now = Date.now();
        for (const sink of sinks) this.set({ sink }, value(byName.get(sink), now));
      },
    });
  };
  gauge(
    'steward_export_lag_seconds',
    'Age of the oldest record waiting for delivery to the sink, in seconds.',
    (s, now) => (s?.oldestPendingAt ? Math.max(0, (now - s.oldestPendingAt) / 1000) : 0),
  );
  gauge('steward_export_pending', 'Records waiting for delivery to the sink.', (s) => s?.pending ?? 0);
  gauge('steward_export_dead', 'Dead letters of the sink (steward export dead-letters).', (s) => s?.dead ?? 0);
  const delivered = new Counter({
    name: 'steward_export_delivered_total',
    help: 'Records delivered to the sink by this process.',
    labelNames: ['sink'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'steward_export_failures_total',
    help: 'Records in failed delivery attempts to the sink (each attempt counts).',
    labelNames: ['sink'],
    registers: [registry],
  });
  for (const sink of sinks) {
    delivered.inc({ sink }, 0);
    failures.inc({ sink }, 0);
  }
  return { delivered, failures };
}
