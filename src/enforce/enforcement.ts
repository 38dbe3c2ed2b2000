import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { BudgetGate } from '../contracts/budget.js';
import { GatewayKeyVerifier } from '../identity/gateway-keys.js';
import type { GroupCommitQueue } from '../ingest/group-commit.js';
import type { Store } from '../store/store.js';
import { ActivePolicy, type PolicyText } from './active-policy.js';
import { DecisionRecorder } from './decision-record.js';
import { AnthropicGateway } from './gateway/anthropic-gateway.js';
import { GatewayEventSink } from './gateway/gateway-events.js';
import { createGatewayMetrics } from './gateway/gateway-metrics.js';
import { PriceTable } from './gateway/price-table.js';
import { UpstreamPool } from './gateway/wire/upstream-pool.js';
import { ClaudeCodeHooks } from './hooks/claude-code-hooks.js';
import { InferenceHooks } from './inference/inference-hooks.js';
import { SubjectDirectory } from './subject-directory.js';
import type { AuditEntryInput } from '../contracts/audit.js';

/** The enforcement points of one Steward process, sharing one active policy, one subject cache and one recorder. */
export interface Enforcement {
  policies: ActivePolicy;
  recorder: DecisionRecorder;
  claudeCode: ClaudeCodeHooks;
  inference: InferenceHooks;
  gateway: AnthropicGateway;
  /** Gateway usage events on their way to the group commit (tests and shutdown wait on it). */
  gatewayEvents: GatewayEventSink;
  gatewayKeys: GatewayKeyVerifier;
  /** Closes the gateway's upstream connections. */
  close(): void;
}

export function createEnforcement(
  config: Config,
  deps: {
    store: Store;
    queue: GroupCommitQueue;
    logger: Logger;
    defaultPolicy: () => PolicyText;
    /** The ops registry the gateway's metrics join (served at /metrics). */
    registry: Registry;
    budgets: BudgetGate | null;
    /** The audit vault's recorder: each gateway key's first use in each hour becomes `gateway_key.use`. */
    audit?: { record(entry: AuditEntryInput): void };
  },
): Enforcement {
  const { logger } = deps;
  // Errors are logged without the request: hook bodies hold prompts and tool inputs.
  const onError = (err: unknown, what: string) => logger.warn({ err }, `enforcement: ${what} failed`);
  const policies = new ActivePolicy(deps.store, config.enforce.policyRefreshMs, deps.defaultPolicy, (err) =>
    onError(err, 'policy load'),
  );
  const subjects = new SubjectDirectory(deps.store);
  const recorder = new DecisionRecorder(deps.queue, (err) => onError(err, 'recording a decision'));
  const gatewayEvents = new GatewayEventSink(
    deps.queue,
    (err) => onError(err, 'recording gateway usage'),
    config.gateway.meterFlushMs,
  );
  const audit = deps.audit;
  const gatewayKeys = new GatewayKeyVerifier(
    deps.store,
    audit
      ? (p, now) =>
          audit.record({
            time: now,
            actor: { kind: 'gateway_key', id: p.id, name: p.name },
            action: 'gateway_key.use',
            subject: { kind: p.kind, id: p.subject },
            outcome: 'success',
            details: { hour: new Date(Math.floor(now / 3_600_000) * 3_600_000).toISOString() },
          })
      : undefined,
  );
  const upstream = new UpstreamPool(config.gateway);
  const gateway = new AnthropicGateway({
    settings: config.gateway,
    enforceMode: config.enforce.mode,
    keys: gatewayKeys,
    policies,
    subjects,
    recorder,
    events: gatewayEvents,
    prices: new PriceTable(config.gateway),
    upstream,
    metrics: createGatewayMetrics(deps.registry),
    budgets: deps.budgets,
    onError,
  });
  return {
    policies,
    recorder,
    claudeCode: new ClaudeCodeHooks(policies, subjects, recorder, config.enforce, onError),
    inference: new InferenceHooks(policies, subjects, recorder, config.enforce, onError),
    gateway,
    gatewayEvents,
    gatewayKeys,
    // Destroying the pool aborts requests still in flight at shutdown; nothing is left to report.
    close: () => void upstream.close().catch(() => undefined),
  };
}
