import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ExportConfig } from '../config/export.schema.js';
import { AppError } from '../errors/app-error.js';
import { presentDeadLetter, sinkStatuses } from '../export/sink-status.js';
import { ADMIN, READ } from '../identity/roles.js';
import { listDead, requeueDead } from '../store/export-outbox.repo.js';
import type { Store } from '../store/store.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * SIEM and incident-response exports over the API (issue 7, docs/exports.md): each configured sink's state, its
 * dead letters, and re-queueing them (admin). Secrets in the sink configuration are never returned.
 */
const nameParams = z.strictObject({ name: z.string().min(1).max(63) });

export function registerExportRoutes(
  app: FastifyInstance,
  registry: RegisteredSpec[],
  store: Store,
  config: ExportConfig,
): void {
  const known = (name: string): void => {
    if (!config.sinks.some((s) => s.name === name)) throw new AppError('not_found', `no export sink named "${name}"`);
  };

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/exports/sinks',
    access: READ,
    tag: 'exports',
    summary:
      'Every configured export sink: type, destination (scheme, host and port only), filters, state (ok, retrying, ' +
      'dead_letters, disabled), pending and dead records, lag in seconds, and the retry in progress.',
    handler: async () => ({ items: await sinkStatuses(store, config) }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/exports/sinks/{name}/dead-letters',
    access: READ,
    tag: 'exports',
    summary: "A sink's dead letters, oldest first: the record's id and kind, attempts and the last error.",
    params: nameParams,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    handler: async ({ params, query }) => {
      known(params.name);
      const rows = await listDead(store.db, { sink: params.name, limit: query.limit });
      return { items: rows.map(presentDeadLetter) };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/exports/sinks/{name}/requeue',
    access: ADMIN,
    tag: 'exports',
    summary: "Puts the sink's dead letters back in the outbox, due now with a fresh attempt count.",
    params: nameParams,
    handler: async ({ params }) => {
      known(params.name);
      return { sink: params.name, requeued: await requeueDead(store.db, { sink: params.name, now: Date.now() }) };
    },
  });
}
