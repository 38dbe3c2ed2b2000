import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditService } from '../audit/audit-service.js';
import { wellFormed } from '../audit/redact-secrets.js';
import { createHold, listAuditHolds, releaseAuditHold } from '../audit/vault-retention.js';
import { checkStore } from '../audit/vault-verify.js';
import { AppError } from '../errors/app-error.js';
import { ADMIN } from '../identity/roles.js';
import type { AuditHoldRow } from '../store/audit-holds.repo.js';
import { tokenActor } from './audit-trail.js';
import { timeParam } from './pagination.js';
import { iso } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * Legal holds and verification of the audit vault over REST (issue 7, docs/audit.md), for admins: list, place and
 * release holds (audit/vault-retention.ts: retention skips the entries a live hold matches; placing and releasing
 * are audit entries themselves), and `GET /api/v1/audit/verify`, the check `steward audit check` runs
 * (audit/vault-verify.ts) over the stored log and sealed activity against the signed checkpoints.
 */
const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

function presentHold(h: AuditHoldRow) {
  return {
    id: h.id,
    name: h.name,
    reason: h.reason,
    from: h.from_time === null ? null : iso(h.from_time),
    to: h.to_time === null ? null : iso(h.to_time),
    actor: h.actor_id,
    action: h.action,
    subject: h.subject_id,
    created_at: iso(h.created_at),
    created_by: h.created_by,
    released_at: h.released_at === null ? null : iso(h.released_at),
    released_by: h.released_by,
  };
}

export function registerAuditHoldRoutes(app: FastifyInstance, registry: RegisteredSpec[], audit: AuditService): void {
  const { store } = audit;

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/audit/holds',
    access: ADMIN,
    tag: 'audit',
    summary: 'Legal holds on audit entries (live ones; `released=true` lists released ones too), oldest first.',
    query: z.strictObject({ released: z.enum(['true', 'false']).default('false') }),
    handler: async ({ query }) => ({
      items: (await listAuditHolds(store, query.released === 'true')).map(presentHold),
    }),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/audit/holds',
    access: ADMIN,
    tag: 'audit',
    summary:
      'Place a legal hold: retention keeps the content of every entry it matches (time window `from`–`to`, actor ' +
      'id, action, subject id; all given must match; none given holds everything) until it is released.',
    body: z.strictObject({
      name: z.string().trim().min(1).max(200),
      reason: z.string().trim().min(1).max(4000),
      from: timeParam.optional(),
      to: timeParam.optional(),
      actor: optionalText(256),
      action: optionalText(128),
      subject: optionalText(1024),
    }),
    handler: async ({ body, request }, reply) => {
      if (body.from !== undefined && body.to !== undefined && body.from > body.to) {
        throw new AppError('bad_request', 'to: must not be before from');
      }
      const principal = request.principal;
      if (!principal) throw new AppError('unauthenticated', 'missing Authorization: Bearer <token>');
      const id = await createHold(audit, tokenActor(principal), {
        // The hold is an audit entry too: strings are made well-formed, or canonical JSON would refuse the entry.
        name: wellFormed(body.name),
        reason: wellFormed(body.reason),
        fromTime: body.from ?? null,
        toTime: body.to ?? null,
        actorId: body.actor === undefined ? null : wellFormed(body.actor),
        action: body.action === undefined ? null : wellFormed(body.action),
        subjectId: body.subject === undefined ? null : wellFormed(body.subject),
      });
      const hold = (await listAuditHolds(store, false)).find((h) => h.id === id);
      if (!hold) throw new AppError('internal', `hold ${id} was not stored`);
      return reply.status(201).send(presentHold(hold));
    },
  });

  defineRoute(app, registry, {
    method: 'DELETE',
    url: '/api/v1/audit/holds/{id}',
    access: ADMIN,
    tag: 'audit',
    summary: 'Release a legal hold (kept, marked released): retention may then prune what it held.',
    params: z.strictObject({ id: z.string().min(1).max(100) }),
    handler: async ({ params, request }) => {
      const principal = request.principal;
      if (!principal) throw new AppError('unauthenticated', 'missing Authorization: Bearer <token>');
      if (!(await releaseAuditHold(audit, tokenActor(principal), params.id))) {
        throw new AppError('not_found', `no live hold ${params.id}`);
      }
      return { id: params.id, released: true };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/audit/verify',
    access: ADMIN,
    tag: 'audit',
    summary:
      'Verify the whole vault as `steward audit check` does: every entry hashes to its leaf, the tree reproduces ' +
      'every checkpoint signed by a published key, sealed activity is unchanged. `ok`, counts, and the first bad ' +
      'index with the reason.',
    handler: async () => checkStore(store, audit.verifierKeys(), { location: audit.location }),
  });
}
