import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { PUBLIC, READ } from '../identity/roles.js';
import type { RedisHandle } from '../store/redis.js';
import type { Store } from '../store/store.js';
import type { OpsMetrics } from './ops-metrics.js';

/**
 * `/healthz` (process alive), `/readyz` (database answers and not draining) — public so load balancers and
 * orchestrators can probe without credentials; `/metrics` — Prometheus text, needs an analyst or admin token
 * (Prometheus sends it with `authorization: { credentials: … }` in the scrape config).
 */
export function registerOpsRoutes(
  app: FastifyInstance,
  deps: { store: Store; metrics: OpsMetrics; isDraining: () => boolean; redis?: RedisHandle | undefined },
): void {
  app.get('/healthz', { config: { access: PUBLIC } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: PUBLIC } }, async (_req, reply) => {
    if (deps.isDraining()) return reply.status(503).send({ status: 'draining' });
    try {
      await sql`select 1`.execute(deps.store.db);
    } catch {
      return reply.status(503).send({ status: 'database unavailable' });
    }
    if (deps.redis && !(await deps.redis.ping())) return reply.status(503).send({ status: 'redis unavailable' });
    return { status: 'ready', database: deps.store.dialect, redis: deps.redis ? 'connected' : 'not configured' };
  });
  app.get('/metrics', { config: { access: READ } }, async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
