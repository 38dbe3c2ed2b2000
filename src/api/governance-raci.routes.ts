import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { getRaci, patchRaci, putRaci, type RaciState } from '../govern/raci-admin.js';
import { raciMatrixSchema, raciPatchSchema, raciToCsv, raciToMarkdown } from '../govern/raci.js';
import { ADMIN, READ } from '../identity/roles.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import { raciHistory } from '../store/raci.repo.js';
import type { Store } from '../store/store.js';
import { actorOf } from './governance-objects.routes.js';
import { iso } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * The RACI matrix over REST (docs/governance-operations.md): read it with its validation, replace it (PUT), set
 * cells (PATCH), export it as CSV or Markdown, and read its change history. An invalid matrix is never saved:
 * 400 `bad_request` naming the activity ("activity 'connector approval' has 2 accountable roles (IT, security);
 * exactly one is required"), with every problem and its field in `details.problems`.
 */
const base = '/api/v1/governance/raci';
const tag = 'governance';

export function presentRaci(state: RaciState) {
  return {
    roles: state.matrix.roles,
    activities: state.matrix.activities.map((a) => ({ name: a.name, cells: a.cells })),
    valid: state.problems.length === 0,
    problems: state.problems,
    version: state.version,
    updated_at: state.updatedAt === null ? null : iso(state.updatedAt),
    updated_by: state.updatedBy,
  };
}

export function registerGovernanceRaciRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: base,
    access: READ,
    tag,
    summary:
      'The RACI matrix: roles, activities and their cells (letters R, A, C, I), with its validation (every activity ' +
      'exactly one A and at least one R). Before the first save, the seeded default.',
    handler: async () => presentRaci(await getRaci(store, DEFAULT_ORG)),
  });

  defineRoute(app, registry, {
    method: 'PUT',
    url: base,
    access: ADMIN,
    tag,
    summary:
      'Replace the whole matrix. Cells accept `A`, `R/A`, `r, a`; roles absent from an activity have no part. ' +
      '400 naming the activity when the matrix is invalid (nothing is saved).',
    body: raciMatrixSchema,
    handler: async ({ body, request }) => presentRaci(await putRaci(store, DEFAULT_ORG, body, actorOf(request))),
  });

  defineRoute(app, registry, {
    method: 'PATCH',
    url: base,
    access: ADMIN,
    tag,
    summary:
      'Set cells: `{"cells": [{"activity", "role", "value"}]}`, all applied together (move an A in one request). ' +
      'An empty value clears the cell; the result must be valid.',
    body: raciPatchSchema,
    handler: async ({ body, request }) =>
      presentRaci(await patchRaci(store, DEFAULT_ORG, body.cells, actorOf(request))),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/export`,
    access: READ,
    tag,
    summary: 'The matrix as CSV (`format=csv`, RFC 4180) or a Markdown table (`format=md`, the default).',
    query: z.strictObject({ format: z.enum(['csv', 'md']).default('md') }),
    handler: async ({ query }, reply) => {
      const { matrix } = await getRaci(store, DEFAULT_ORG);
      if (query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="raci.csv"')
          .send(raciToCsv(matrix));
      }
      return reply.type('text/markdown; charset=utf-8').send(raciToMarkdown(matrix));
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/history`,
    access: READ,
    tag,
    summary: 'Every change of the matrix, newest first: version, time, actor, before and after.',
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    handler: async ({ query }) => ({
      items: (await raciHistory(store.db, DEFAULT_ORG, query.limit)).map((c) => ({
        version: c.version,
        at: iso(c.at),
        actor: c.actor,
        before: c.before,
        after: c.after,
      })),
    }),
  });
}
