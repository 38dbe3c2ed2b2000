import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { createApiToken, listTokens, revokeToken, type TokenVerifier } from '../identity/api-tokens.js';
import { ADMIN, roles } from '../identity/roles.js';
import type { Store } from '../store/store.js';
import { iso } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

export function registerKeyRoutes(
  app: FastifyInstance,
  registry: RegisteredSpec[],
  store: Store,
  verifier: TokenVerifier,
): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/keys',
    access: ADMIN,
    tag: 'keys',
    summary: 'API and ingest tokens (never the token itself: only its prefix).',
    handler: async () => ({
      items: (await listTokens(store)).map((t) => ({
        ...t,
        created_at: iso(t.created_at),
        last_used_at: t.last_used_at === null ? null : iso(t.last_used_at),
        revoked_at: t.revoked_at === null ? null : iso(t.revoked_at),
      })),
    }),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/keys',
    access: ADMIN,
    tag: 'keys',
    summary: 'Create a token. The response is the only time the token is shown.',
    body: z.strictObject({ role: z.enum(roles), name: z.string().min(1).max(100) }),
    handler: async ({ body }, reply) => {
      const created = await createApiToken(store, body.role, body.name);
      return reply.status(201).send(created);
    },
  });

  defineRoute(app, registry, {
    method: 'DELETE',
    url: '/api/v1/keys/{id}',
    access: ADMIN,
    tag: 'keys',
    summary: 'Revoke a token; ingest with it stops within seconds.',
    params: z.strictObject({ id: z.string().min(1).max(100) }),
    handler: async ({ params }) => {
      const ok = await revokeToken(store, params.id, verifier);
      if (!ok) throw new AppError('not_found', `no live token ${params.id}`);
      return { id: params.id, revoked: true };
    },
  });
}
