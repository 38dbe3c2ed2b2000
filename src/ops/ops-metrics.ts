import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics for operating Steward itself (issue: operability): ingested events, queue depth, ack
 * latency, rejects by reason. One registry per app instance so tests can run several apps in one process.
 */
export interface OpsMetrics {
  registry: Registry;
  ingestedEvents: Counter<'signal' | 'protocol'>;
  duplicateEvents: Counter;
  rejects: Counter<'reason'>;
  ackLatency: Histogram<'protocol'>;
  queueDepth: Gauge;
  commitSize: Histogram;
  /** Requests the budget gate refused, by outcome (block, throttle, paused); counted by the gate itself. */
  budgetRejections: Counter<'action'>;
}

export function createOpsMetrics(queueDepth: () => number): OpsMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'steward_process_' });
  return {
    registry,
    ingestedEvents: new Counter({
      name: 'steward_ingested_records_total',
      help: 'Telemetry records (events, spans, metric points) committed, by signal and protocol.',
      labelNames: ['signal', 'protocol'],
      registers: [registry],
    }),
    duplicateEvents: new Counter({
      name: 'steward_duplicate_records_total',
      help: 'Records skipped because their dedupe key was already stored (retried exports, replays).',
      registers: [registry],
    }),
    rejects: new Counter({
      name: 'steward_ingest_rejects_total',
      help: 'Rejected OTLP requests or records, by reason (error code).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ackLatency: new Histogram({
      name: 'steward_ingest_ack_seconds',
      help: 'Time from receiving an OTLP request to acknowledging it after commit.',
      labelNames: ['protocol'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'steward_ingest_queue_depth',
      help: 'Records accepted and waiting for commit.',
      registers: [registry],
      collect() {
        this.set(queueDepth());
      },
    }),
    commitSize: new Histogram({
      name: 'steward_ingest_commit_records',
      help: 'Records per group-commit transaction.',
      buckets: [1, 10, 100, 1000, 5000, 20000],
      registers: [registry],
    }),
    budgetRejections: new Counter({
      name: 'steward_budget_rejections_total',
      help: 'Requests refused by a budget, by action: block, throttle or paused (the kill switch).',
      labelNames: ['action'],
      registers: [registry],
    }),
  };
}
