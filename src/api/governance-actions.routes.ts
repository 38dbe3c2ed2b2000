import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { decideConnector, decisionSchema, listDecisions } from '../govern/governance-connectors.js';
import { findingKinds, governanceFindings } from '../govern/governance-findings.js';
import {
  acknowledgePolicy,
  acknowledgementSchema,
  addPolicyVersion,
  listAcknowledgements,
  listPolicyVersions,
  policyReminders,
  policyVersionSchema,
} from '../govern/governance-policies.js';
import { importSkillMd, skillImportOptions } from '../govern/governance-skills.js';
import { ADMIN, READ } from '../identity/roles.js';
import type { Store } from '../store/store.js';
import { actorOf, idParams, presentObjects } from './governance-objects.routes.js';
import { timeParam } from './pagination.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * What is particular to each inventory (docs/governance.md): acceptable-use policy versions, acknowledgements and
 * reminders; connector decisions; skills imported from SKILL.md; and the declared-vs-observed findings.
 */
const G = '/api/v1/governance';
const tag = 'governance';

export function registerGovernanceActionRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: `${G}/policies/{id}/versions`,
    access: READ,
    tag,
    summary: 'The versions of an acceptable-use policy, newest (current) first.',
    params: idParams,
    handler: async ({ params }) => ({ items: await listPolicyVersions(store, params.id) }),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${G}/policies/{id}/versions`,
    access: ADMIN,
    tag,
    summary:
      'Publish the next version of a policy: Markdown body, effective date (YYYY-MM-DD), owner (defaults to the ' +
      "policy's) and approver. It becomes the version people are asked to acknowledge.",
    params: idParams,
    body: policyVersionSchema,
    handler: async ({ params, body, request }, reply) =>
      reply.status(201).send(await addPolicyVersion(store, params.id, body, actorOf(request))),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${G}/policies/{id}/acknowledgements`,
    access: READ,
    tag,
    summary: 'Who acknowledged which version of a policy, and when.',
    params: idParams,
    query: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
    handler: async ({ params, query }) => ({ items: await listAcknowledgements(store, params.id, query.version) }),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${G}/policies/{id}/acknowledgements`,
    access: ADMIN,
    tag,
    summary:
      "Record a person's acknowledgement of a policy version (the current one by default). Repeating it keeps the " +
      'first time (`recorded: false`).',
    params: idParams,
    body: acknowledgementSchema,
    handler: async ({ params, body, request }) => acknowledgePolicy(store, params.id, body, actorOf(request)),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${G}/policies/{id}/reminders`,
    access: READ,
    tag,
    summary: 'People (with an email, from the people directory) who have not acknowledged the current version.',
    params: idParams,
    handler: async ({ params }) => policyReminders(store, params.id),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${G}/connectors/{id}/decisions`,
    access: READ,
    tag,
    summary: "A connector's status decisions, oldest first: from, to, who, when, why and the meeting reference.",
    params: idParams,
    handler: async ({ params }) => ({ items: await listDecisions(store, params.id) }),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${G}/connectors/{id}/decision`,
    access: ADMIN,
    tag,
    summary:
      "Decide a connector's status: requested → approved | denied, approved | denied → retired, with the reason " +
      'and an optional meeting or decision reference. Any other move is 409 `invalid_transition` naming from and to.',
    params: idParams,
    body: decisionSchema,
    handler: async ({ params, body, request }) =>
      (await presentObjects(store, [await decideConnector(store, params.id, body, actorOf(request))]))[0],
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${G}/skills/import`,
    access: ADMIN,
    tag,
    summary:
      'Import a skill from its SKILL.md: the file as a text/plain body, or JSON `{ skill_md, source?, plugin?, ' +
      'owner?, home?, review_cadence?, status? }`. Creates the skill (201) or updates the one of the same name (200).',
    body: z.union([
      z
        .string()
        .min(1)
        .max(512 * 1024),
      skillImportOptions.extend({
        skill_md: z
          .string()
          .min(1)
          .max(512 * 1024),
      }),
    ]),
    handler: async ({ body, request }, reply) => {
      const { skill_md: text, ...options } = typeof body === 'string' ? { skill_md: body } : body;
      const { skill, created } = await importSkillMd(store, text, options, actorOf(request));
      return reply.status(created ? 201 : 200).send((await presentObjects(store, [skill]))[0]);
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${G}/findings`,
    access: READ,
    tag,
    summary:
      'Declared vs observed: MCP servers, skills, plugins and workspace folders used in the last 90 days but not in ' +
      'the inventory (undeclared), declared items unused for 90 days (retirement_candidate), objects without an ' +
      'owner (ownerless) or past their next review (review_overdue); and the failure modes: cadence_overdue, ' +
      'forum_lapsed, pilot_not_graduated, scope_drift, skill_regression. `at` evaluates as of another time.',
    query: z.strictObject({ at: timeParam.optional(), kind: z.enum(findingKinds).optional() }),
    handler: async ({ query }) => {
      const items = await governanceFindings(store, query.at ?? Date.now());
      return { items: query.kind ? items.filter((f) => f.kind === query.kind) : items };
    },
  });
}
