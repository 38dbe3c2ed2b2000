import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * The gateway's Prometheus series, registered on the process's ops registry (served at `/metrics`). Latency is split
 * in two: the upstream's own time (request sent → last byte), and what Steward adds before the upstream sees the
 * request (auth, parse, policy, budget) — the figure DESIGN §9's gateway budget is about. Budget refusals are
 * counted by the budget gate itself (`steward_budget_rejections_total{action}`, ops/ops-metrics.ts).
 */
export interface GatewayMetrics {
  /** Counts one answered request (children cached: label lookup by object costs more than the increment). */
  countRequest(status: string, model: string): void;
  observeAdded(stream: boolean, seconds: number): void;
  observeUpstream(stream: boolean, seconds: number): void;
  requests: Counter<'status' | 'model'>;
  upstreamSeconds: Histogram<'stream'>;
  addedSeconds: Histogram<'stream'>;
  policyDenials: Counter<'rule'>;
  unpriced: Counter<'model'>;
}

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30, 120];
const UPSTREAM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const children = new Map<string, { inc(): void }>();
  const requests: Counter<'status' | 'model'> = new Counter({
    name: 'steward_gateway_requests_total',
    help: 'Messages API requests answered by the gateway, by HTTP status and model.',
    labelNames: ['status', 'model'],
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: 'steward_gateway_upstream_seconds',
    help: 'Upstream time per forwarded request: request sent to the last response byte.',
    labelNames: ['stream'],
    buckets: UPSTREAM_BUCKETS,
    registers: [registry],
  });
  const addedSeconds = new Histogram({
    name: 'steward_gateway_added_latency_seconds',
    help: 'Time Steward spends before the upstream request is sent (auth, parse, policy, budget).',
    labelNames: ['stream'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const added = { true: addedSeconds.labels('true'), false: addedSeconds.labels('false') };
  const upstream = { true: upstreamSeconds.labels('true'), false: upstreamSeconds.labels('false') };
  return {
    requests,
    upstreamSeconds,
    addedSeconds,
    observeAdded: (stream, seconds) => added[`${stream}`].observe(seconds),
    observeUpstream: (stream, seconds) => upstream[`${stream}`].observe(seconds),
    countRequest(status, model) {
      const key = status + ' ' + model;
      let child = children.get(key);
      if (!child) {
        child = requests.labels(status, model);
        // Bounded by the caller (statuses × price-table entries); the guard is for safety only.
        if (children.size < 10_000) children.set(key, child);
      }
      child.inc();
    },
    policyDenials: new Counter({
      name: 'steward_gateway_policy_denials_total',
      help: 'Requests refused by the policy, by rule.',
      labelNames: ['rule'],
      registers: [registry],
    }),
    unpriced: new Counter({
      name: 'steward_gateway_unpriced_requests_total',
      help: 'Metered requests whose model has no entry in gateway.prices (their cost is recorded as unknown).',
      labelNames: ['model'],
      registers: [registry],
    }),
  };
}
