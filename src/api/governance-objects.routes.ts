import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { decideConnector } from '../govern/governance-connectors.js';
import {
  createObject,
  getObject,
  listObjects,
  objectHistory,
  presentObject,
  retireObject,
  reviewObject,
  updateObject,
  type GovObject,
} from '../govern/governance-objects.js';
import { currentVersions } from '../govern/governance-policies.js';
import {
  createSchemas,
  govKinds,
  kindPaths,
  patchSchemas,
  statuses,
  type GovKind,
} from '../govern/governance-schemas.js';
import { ADMIN, READ } from '../identity/roles.js';
import type { Store } from '../store/store.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * The four governance inventories over REST (docs/governance.md): /api/v1/governance/{policies, workspaces,
 * connectors, skills} — list, get, create, PATCH, DELETE (retire: objects are kept with their history), history and
 * "reviewed now". Reads are for analysts and admins, changes for admins; each change is recorded with the token
 * that made it.
 */
export const idParams = z.strictObject({ id: z.string().min(1).max(100) });

/** Who made a change: the API token's principal. */
export function actorOf(request: FastifyRequest): string {
  const p = request.principal;
  return p ? `${p.name} (token ${p.id})` : 'unknown';
}

/** Objects as presented, policies with their current (newest) version number. */
export async function presentObjects(store: Store, objects: readonly GovObject[]) {
  const versions = objects.some((o) => o.kind === 'policy') ? await currentVersions(store) : new Map<string, number>();
  return objects.map((o) =>
    o.kind === 'policy' ? { ...presentObject(o), current_version: versions.get(o.id) ?? null } : presentObject(o),
  );
}

export function registerGovernanceObjectRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  for (const kind of govKinds) registerKind(app, registry, store, kind);
}

function registerKind(app: FastifyInstance, registry: RegisteredSpec[], store: Store, kind: GovKind): void {
  const base = `/api/v1/governance/${kindPaths[kind]}`;
  const tag = 'governance';
  const one = async (o: GovObject) => (await presentObjects(store, [o]))[0];

  defineRoute(app, registry, {
    method: 'GET',
    url: base,
    access: READ,
    tag,
    summary: `Every ${kind} in the inventory (optionally of one status), by name.`,
    query: z.strictObject({ status: z.enum(statuses[kind]).optional() }),
    handler: async ({ query }) => ({
      items: await presentObjects(store, await listObjects(store, kind, query.status)),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/{id}`,
    access: READ,
    tag,
    summary: `One ${kind}.`,
    params: idParams,
    handler: async ({ params }) => one(await getObject(store, kind, params.id)),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: base,
    access: ADMIN,
    tag,
    summary: `Add a ${kind} to the inventory (201). Its name must be unique among ${kindPaths[kind]} (409).`,
    body: createSchemas[kind],
    handler: async ({ body, request }, reply) =>
      reply.status(201).send(await one(await createObject(store, kind, body, actorOf(request)))),
  });

  defineRoute(app, registry, {
    method: 'PATCH',
    url: `${base}/{id}`,
    access: ADMIN,
    tag,
    summary:
      `Change fields of a ${kind}; null clears an optional field. The result is validated whole` +
      (kind === 'connector' ? '; status changes go through POST …/decision.' : '.'),
    params: idParams,
    body: patchSchemas[kind],
    handler: async ({ params, body, request }) =>
      one(await updateObject(store, kind, params.id, body, actorOf(request))),
  });

  defineRoute(app, registry, {
    method: 'DELETE',
    url: `${base}/{id}`,
    access: ADMIN,
    tag,
    summary:
      `Retire a ${kind}: it stays in the inventory, with its history, as status retired` +
      (kind === 'connector' ? ' (a decision: only an approved or denied connector can be retired).' : '.'),
    params: idParams,
    handler: async ({ params, request }) => {
      const actor = actorOf(request);
      const retired =
        kind === 'connector'
          ? await decideConnector(store, params.id, { status: 'retired', reason: 'retired (DELETE)' }, actor)
          : await retireObject(store, kind, params.id, actor);
      return one(retired);
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/{id}/history`,
    access: READ,
    tag,
    summary: `Every change to a ${kind}, oldest first: action, actor, time, before and after.`,
    params: idParams,
    handler: async ({ params }) => ({ items: await objectHistory(store, kind, params.id) }),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${base}/{id}/review`,
    access: ADMIN,
    tag,
    summary: `Mark a ${kind} reviewed now: the next review is due one cadence later.`,
    params: idParams,
    body: z.strictObject({}),
    handler: async ({ params, request }) => one(await reviewObject(store, kind, params.id, actorOf(request))),
  });
}
