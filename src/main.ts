import { pino, type Logger } from 'pino';
import { openAuditService, type AuditService } from './audit/audit-service.js';
import { startRefresher } from './analytics/refresher.js';
import { buildApp, type App } from './app.js';
import { createBudgetGate, type StewardBudgetGate } from './budgets/budget-gate.js';
import type { Config } from './config/schema.js';
import { bootstrapOnce, type BootstrapResult } from './identity/bootstrap.js';
import { startOtlpGrpcServer, type GrpcListener } from './ingest/otlp/grpc-server.js';
import { WriterClient } from './ingest/writer/writer-client.js';
import { bearer } from './api/auth-hook.js';
import { AppError } from './errors/app-error.js';
import { prepareExporter } from './export/exporter.js';
import { connectRedis, type RedisHandle } from './store/redis.js';
import { DEFAULT_ORG } from './store/policies.repo.js';
import { openStore, type Store } from './store/store.js';

/**
 * Process entry: open store → bootstrap → build app → listen (HTTP + gRPC). `stop()` drains: refuse new ingest,
 * commit everything already accepted, close listeners, close the store.
 */
/** How often the SQLite WAL is checkpointed (PASSIVE) while it grows: the interval the checkpointer thread used. */
const CHECKPOINT_INTERVAL_MS = 500;

/** How long ingest must have had nothing queued before the analytics refresher folds the next chunk. */
const INGEST_QUIET_MS = 2_000;

export interface Steward {
  app: App;
  store: Store;
  logger: Logger;
  httpUrl: string;
  grpcUrl: string;
  httpPort: number;
  grpcPort: number;
  bootstrap: BootstrapResult | null;
  audit: AuditService;
  stop(): Promise<void>;
}

export async function startSteward(
  config: Config,
  opts: { logger?: Logger; pgSchema?: string } = {},
): Promise<Steward> {
  const logger = opts.logger ?? pino({ level: config.logLevel, redact: ['req.headers.authorization'] });
  // Export sinks are checked (destinations, CA files) before anything starts: a bad one names itself and stops here.
  const exports = await prepareExporter(config.export, logger);
  // SQLite with the ingest writer thread: that thread checkpoints the WAL between its commits (no checkpointer thread).
  const store = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    pgSchema: opts.pgSchema,
    checkpointer: !config.ingest.writerThread,
  });
  let redis: RedisHandle | undefined;
  try {
    redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
  } catch (err) {
    await store.close();
    throw new AppError('config_invalid', `cannot connect to Redis at redisUrl: ${(err as Error).message}`);
  }
  const bootstrap = await bootstrapOnce(store);
  // Budget counters in Redis when configured (replicas agree), in process otherwise; settled spend in the store.
  let budgets: StewardBudgetGate;
  try {
    budgets = await createBudgetGate({
      store,
      redis: redis?.client,
      orgId: DEFAULT_ORG,
      onError: (err) => logger.error({ err }, 'budget gate failed'),
    });
  } catch (err) {
    await redis?.close();
    await store.close();
    throw err;
  }
  // The audit vault: signing keys from their file (never the database), the recorder API-side entries go through.
  let audit: AuditService;
  try {
    audit = await openAuditService(store, config, (err) => logger.error({ err }, 'audit append failed'));
  } catch (err) {
    await budgets.close();
    await redis?.close();
    await store.close();
    throw err;
  }
  // SQLite: ingest commits on their own thread and connection, so no transaction blocks the event loop (the gateway's
  // p99 and ingest's decode/commit overlap both depend on it; ingest/writer/writer-thread.ts).
  const writer =
    store.dialect === 'sqlite' && config.ingest.writerThread
      ? new WriterClient(config.dataDir, {
          seal: config.audit.sealActivity,
          checkpointIntervalMs: CHECKPOINT_INTERVAL_MS,
        })
      : undefined;
  try {
    await writer?.ready();
  } catch (err) {
    await writer?.close();
    await budgets.close();
    await redis?.close();
    await store.close();
    throw err;
  }
  const app = buildApp(config, { store, logger, redis, budgets, writer, audit });
  let grpc: GrpcListener | undefined;
  try {
    await app.http.listen({ host: config.host, port: config.port });
    grpc = await startOtlpGrpcServer({
      host: config.host,
      port: config.grpcPort,
      maxReceiveMessageBytes: config.ingest.maxDecompressedBytes,
      onError: (err, signal) => logger.error({ err, signal }, 'otlp grpc export failed'),
      rawRequests: true,
      handler: async (signal, request, headers) => {
        const token = bearer({ headers } as never);
        if (!token) throw new AppError('unauthenticated', 'missing authorization: Bearer <token> metadata');
        const principal = await app.verifier.verify(token);
        if (!principal) throw new AppError('unauthenticated', 'invalid or revoked token');
        app.authAudit.usedOutside(principal, `gRPC ${signal}`);
        if (principal.role !== 'ingest' && principal.role !== 'admin') {
          throw new AppError('forbidden', `role "${principal.role}" may not send telemetry`);
        }
        // grpc-js has already undone grpc-encoding gzip; decode + normalise run on a decode worker.
        const outcome = await app.ingest.ingestBody(signal, request as Buffer, { protobuf: true, gzip: false }, 'grpc');
        return { rejected: outcome.rejected, ...(outcome.errorMessage ? { errorMessage: outcome.errorMessage } : {}) };
      },
    });
  } catch (err) {
    await app.http.close();
    await writer?.close();
    await budgets.close();
    await redis?.close();
    await store.close();
    throw err;
  }
  // Dashboards read derived tiers the refresher keeps folding in the background. Ingest goes first: the refresher
  // steps aside while batches are queued and until ingest has been quiet for a moment.
  let ingestBusyAt = 0;
  const sampler = setInterval(() => {
    if (app.queue.depth > 0) ingestBusyAt = Date.now();
  }, 100);
  sampler.unref();
  const refresher =
    config.analytics.refreshIntervalMs > 0
      ? startRefresher(store, {
          intervalMs: config.analytics.refreshIntervalMs,
          shouldYield: () => app.queue.depth > 0 || Date.now() - ingestBusyAt < INGEST_QUIET_MS,
          onError: (err) => logger.error({ err }, 'analytics refresher failed'),
        })
      : null;
  // Checkpoints are signed while the log grows (a quiet log keeps its latest one).
  const checkpointer =
    config.audit.checkpointIntervalMs > 0
      ? setInterval(() => {
          audit.checkpoint().catch((err: unknown) => logger.error({ err }, 'audit checkpoint failed'));
        }, config.audit.checkpointIntervalMs)
      : null;
  checkpointer?.unref();
  // SIEM / incident-response exports: the outbox is fed from events and the vault, and drained to each sink.
  const exporter = exports.start(store, { registry: app.metrics.registry });
  const address = app.http.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const httpUrl = config.publicUrl?.replace(/\/$/, '') ?? `http://${shownHost}:${httpPort}`;
  const grpcUrl = `http://${shownHost}:${grpc.port}`;
  let stopped: Promise<void> | undefined;
  const listener = grpc;
  return {
    app,
    store,
    logger,
    httpUrl,
    grpcUrl,
    httpPort,
    grpcPort: grpc.port,
    bootstrap,
    audit,
    stop() {
      stopped ??= (async () => {
        const drained = await app.drain();
        if (!drained) logger.warn('shutdown grace period ended before the ingest queue drained');
        await Promise.allSettled([listener.close(), app.http.close()]);
        clearInterval(sampler);
        await refresher?.stop();
        await exporter.stop();
        if (checkpointer) clearInterval(checkpointer);
        // What the API recorded reaches the vault, and the last checkpoint covers everything stored.
        await audit.close();
        await audit.checkpoint().catch((err: unknown) => logger.error({ err }, 'audit checkpoint failed'));
        // After the listeners close no request settles any more: the gate's last settled spend reaches the store.
        await budgets.close();
        await redis?.close();
        await store.close();
      })();
      return stopped;
    },
  };
}
