import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerAnalyticsRoutes } from './api/analytics.routes.js';
import { registerAuditHoldRoutes } from './api/audit-holds.routes.js';
import { registerAuditRoutes } from './api/audit.routes.js';
import { registerAuditTrail } from './api/audit-trail.js';
import { registerAuthAudit, type AuthAudit } from './api/auth-audit.js';
import { registerAuthRoutes } from './api/auth.routes.js';
import { registerAuth, type RouteRecord } from './api/auth-hook.js';
import { registerBudgetRoutes } from './api/budgets.routes.js';
import { registerConsoleRoutes } from './api/console.routes.js';
import { registerDiscoveryRoutes } from './api/discovery.routes.js';
import { registerEventRoutes } from './api/events.routes.js';
import { registerExportRoutes } from './api/exports.routes.js';
import { registerGovernanceActionRoutes } from './api/governance-actions.routes.js';
import { registerGovernanceObjectRoutes } from './api/governance-objects.routes.js';
import { registerGovernanceCadenceRoutes } from './api/governance-cadences.routes.js';
import { registerGovernanceCalendarFeedRoutes } from './api/governance-calendar-feed.routes.js';
import { registerGovernanceExchangeRoutes } from './api/governance-exchange.routes.js';
import { registerGovernanceForumRoutes } from './api/governance-forum.routes.js';
import { registerGovernanceRaciRoutes } from './api/governance-raci.routes.js';
import { registerHookRoutes } from './api/hooks.routes.js';
import { registerKeyRoutes } from './api/keys.routes.js';
import { buildOpenApi } from './api/openapi.js';
import { registerPeopleRoutes } from './api/people.routes.js';
import { registerPolicyRoutes } from './api/policy.routes.js';
import { defaultPolicyText } from './api/policy-source.js';
import type { RegisteredSpec } from './api/route-spec.js';
import { registerSessionRoutes } from './api/sessions.routes.js';
import { registerStatusRoutes } from './api/status.routes.js';
import { registerThreadRoutes } from './api/threads.routes.js';
import type { AuditService } from './audit/audit-service.js';
import type { StewardBudgetGate } from './budgets/budget-gate.js';
import type { Config } from './config/schema.js';
import { createEnforcement, type Enforcement } from './enforce/enforcement.js';
import { installWireGateway } from './enforce/gateway/wire/wire-gateway.js';
import { registerGatewayRoutes } from './enforce/gateway/gateway.routes.js';
import { registerErrorHandler } from './errors/http-error-handler.js';
import { TokenVerifier } from './identity/api-tokens.js';
import { PersonResolver } from './identity/person-resolver.js';
import { PUBLIC } from './identity/roles.js';
import { DecodePool } from './ingest/decode/decode-pool.js';
import { InlineCommitter, ThreadCommitter } from './ingest/committer.js';
import { GroupCommitQueue } from './ingest/group-commit.js';
import type { WriterClient } from './ingest/writer/writer-client.js';
import { IngestService } from './ingest/ingest-service.js';
import { registerOtlpHttpRoutes } from './ingest/otlp-http.routes.js';
import { createOpsMetrics, type OpsMetrics } from './ops/ops-metrics.js';
import { registerOpsRoutes } from './ops/ops.routes.js';
import type { RedisHandle } from './store/redis.js';
import type { Store } from './store/store.js';
import { version } from './version.js';

export interface App {
  http: FastifyInstance;
  queue: GroupCommitQueue;
  ingest: IngestService;
  verifier: TokenVerifier;
  metrics: OpsMetrics;
  enforcement: Enforcement;
  /** The budget gate main.ts built (undefined when the caller gave none): the gateway admits through it. */
  budgets: StewardBudgetGate | undefined;
  routes: RouteRecord[];
  /** Token use and refused authentication in the vault; main.ts reports OTLP/gRPC token use to it too. */
  authAudit: AuthAudit;
  /** Refuse new ingest, commit what was accepted (bounded by shutdownGraceMs). */
  drain(): Promise<boolean>;
}

/** Registers every surface on one Fastify instance. No I/O happens here: the caller opens the store and listens. */
export function buildApp(
  config: Config,
  deps: {
    store: Store;
    logger: Logger;
    redis?: RedisHandle | undefined;
    budgets?: StewardBudgetGate | undefined;
    /** SQLite's ingest writer thread (main.ts starts it); without it, commits run on this thread. */
    writer?: WriterClient | undefined;
    /** The audit vault (main.ts opens it: it reads the signing-key file). */
    audit: AuditService;
  },
): App {
  const { store, logger } = deps;
  let draining = false;
  const http: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request access logs would dominate the log at ingest rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // While closing, requests still reach the routes: ingest then answers 503 `overloaded` with Retry-After.
    return503OnClosing: false,
    // URL limits bound memory per request; OTLP bodies have their own limits in the ingest routes.
    routerOptions: { maxParamLength: 500 },
  });
  // eslint-disable-next-line prefer-const -- the gauge reads the queue created just below
  let queue: GroupCommitQueue;
  const metrics = createOpsMetrics(() => queue.depth);
  const writer = deps.writer;
  const pool = new DecodePool(config.ingest.decodeWorkers, writer);
  queue = new GroupCommitQueue({
    committer: writer
      ? new ThreadCommitter(writer)
      : new InlineCommitter(store, new PersonResolver(), { seal: config.audit.sealActivity }),
    maxQueueEvents: config.ingest.maxQueueEvents,
    maxBatchEvents: config.ingest.groupCommitMaxEvents,
    retryAfterSeconds: config.ingest.retryAfterSeconds,
    minGroupEvents: config.ingest.groupCommitMinEvents,
    lingerMs: config.ingest.groupCommitLingerMs,
    moreComing: () => pool.inFlight > 0,
    onCommit: ({ events, duplicates }) => {
      metrics.commitSize.observe(events);
      if (duplicates > 0) metrics.duplicateEvents.inc(duplicates);
    },
    onError: (err) => logger.error({ err }, 'group commit failed'),
  });
  const ingest = new IngestService(config, queue, metrics, pool);
  const verifier = new TokenVerifier(store);
  const routes: RouteRecord[] = [];
  const specs: RegisteredSpec[] = [];

  registerErrorHandler(http);
  // Admin actions, exports, logins, refused authentication and token use are recorded in the vault (docs/audit.md).
  const authAudit = registerAuthAudit(http, deps.audit);
  registerAuditTrail(http, deps.audit);
  registerAuth(http, verifier, routes, authAudit);
  registerAuthRoutes(http, specs, verifier, authAudit);
  registerOpsRoutes(http, { store, metrics, isDraining: () => draining, redis: deps.redis });
  registerOtlpHttpRoutes(http, config, ingest);
  registerPeopleRoutes(http, specs, store);
  registerSessionRoutes(http, specs, store);
  registerEventRoutes(http, specs, store);
  registerStatusRoutes(http, specs, store, version);
  registerKeyRoutes(http, specs, store, verifier);
  registerAuditRoutes(http, specs, deps.audit);
  registerAuditHoldRoutes(http, specs, deps.audit);
  registerAnalyticsRoutes(http, specs, store);
  registerDiscoveryRoutes(http, specs, store);
  registerThreadRoutes(http, specs, store);
  registerPolicyRoutes(http, specs, store);
  registerGovernanceObjectRoutes(http, specs, store);
  registerGovernanceActionRoutes(http, specs, store);
  registerGovernanceRaciRoutes(http, specs, store);
  registerGovernanceCadenceRoutes(http, specs, store);
  registerGovernanceCalendarFeedRoutes(http, specs, store, config.publicUrl);
  registerGovernanceExchangeRoutes(http, specs, store);
  registerGovernanceForumRoutes(http, specs, store, { contentCapture: config.content.capture });
  registerExportRoutes(http, specs, store, config.export);
  if (deps.budgets) {
    registerBudgetRoutes(http, specs, store, deps.budgets);
    deps.budgets.onRejection((action) => metrics.budgetRejections.inc({ action }));
  }
  const enforcement = createEnforcement(config, {
    store,
    queue,
    logger,
    defaultPolicy: defaultPolicyText,
    registry: metrics.registry,
    budgets: deps.budgets ?? null,
    audit: deps.audit,
  });
  if (config.gateway.enabled) {
    registerGatewayRoutes(http, enforcement.gateway, config.gateway.maxBodyBytes);
    // POST /v1/messages is served by the gateway's own HTTP/1.1 loop before node:http (docs/gateway-benchmark.md).
    installWireGateway(http.server, enforcement.gateway, config.gateway.maxBodyBytes, (err) =>
      logger.error({ err }, 'gateway: request failed'),
    );
  }
  registerHookRoutes(http, enforcement, {
    hookBodyBytes: config.enforce.maxHookBodyBytes,
    inferenceBodyBytes: config.enforce.inferenceMaxBodyBytes,
  });
  http.get('/api/v1/openapi.json', { config: { access: PUBLIC } }, async () => buildOpenApi(specs, version));
  registerConsoleRoutes(http);

  return {
    http,
    queue,
    ingest,
    verifier,
    metrics,
    enforcement,
    budgets: deps.budgets,
    routes,
    authAudit,
    async drain() {
      draining = true;
      enforcement.gatewayEvents.flush(); // gathered usage records join the last groups
      const drained = await queue.drain(config.shutdownGraceMs);
      await pool.close();
      await writer?.close();
      enforcement.close();
      return drained;
    },
  };
}
