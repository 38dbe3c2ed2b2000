import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { ADMIN, READ } from '../identity/roles.js';
import { diffLines } from '../policy/diff.js';
import { formatProblem, loadPolicy, MAX_POLICY_BYTES, type PolicyProblem } from '../policy/load.js';
import { policyJsonSchema } from '../policy/schema.js';
import {
  activatePolicyVersion,
  getPolicyVersion,
  insertPolicyVersion,
  listPolicyVersions,
  type PolicyVersionRow,
  type PolicyVersionSummary,
} from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { iso } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * Policy as code over the API (issue: control): the language's JSON Schema for editors, stored versions with
 * author, comment and status, activation (one active version; the previous is retired), and a line diff between
 * any two versions.
 */
const versionRef = z.string().min(1).max(100).describe('A version id, or its number (`3` or `v3`).');

function presentSummary(v: PolicyVersionSummary) {
  return {
    id: v.id,
    version: v.version,
    label: `v${v.version}`,
    name: v.name,
    status: v.status,
    author: v.author,
    comment: v.comment,
    sha256: v.sha256,
    created_at: iso(v.created_at),
    activated_at: v.activated_at === null ? null : iso(v.activated_at),
    activated_by: v.activated_by,
  };
}

function presentProblem(p: PolicyProblem) {
  return { line: p.line, column: p.column, rule: p.rule, path: p.path, message: p.message, severity: p.severity };
}

/** `3`, `v3` or an id → the stored row; 404 when there is none. */
export async function findVersion(store: Store, ref: string): Promise<PolicyVersionRow> {
  const n = /^v?(\d{1,9})$/.exec(ref);
  const row = await getPolicyVersion(store.db, n ? { version: Number(n[1]) } : { id: ref });
  if (!row) throw new AppError('not_found', `no policy version ${ref}`);
  return row;
}

/** Loads policy text or answers 400 naming every problem (line, column, rule, path). */
export function loadOrReject(text: string, file: string) {
  const r = loadPolicy(text, { file });
  if (!r.ok) {
    const shown = r.errors.slice(0, 5).map(formatProblem).join('; ');
    const more = r.errors.length > 5 ? ` (and ${r.errors.length - 5} more)` : '';
    throw new AppError('bad_request', `the policy does not load: ${shown}${more}`, {
      problems: r.errors.map(presentProblem),
    });
  }
  return r;
}

function who(request: FastifyRequest): string {
  const p = request.principal;
  return p ? `${p.name} (token ${p.id})` : 'unknown';
}

export function registerPolicyRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/policy/schema',
    access: READ,
    tag: 'policy',
    summary:
      'JSON Schema (draft 2020-12) of the policy language, for editor validation. `steward policy schema` prints ' +
      'the same document without a token.',
    handler: async () => policyJsonSchema(),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/policy/versions',
    access: READ,
    tag: 'policy',
    summary: 'Stored policy versions, newest first (without their text); `before` pages by version number.',
    query: z.strictObject({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      before: z.coerce.number().int().min(1).optional(),
    }),
    handler: async ({ query }) => {
      const rows = await listPolicyVersions(store.db, { limit: query.limit + 1, beforeVersion: query.before });
      const items = rows.slice(0, query.limit).map(presentSummary);
      const last = items[items.length - 1];
      return { items, next_before: rows.length > query.limit && last ? last.version : null };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/policy/versions/{id}',
    access: READ,
    tag: 'policy',
    summary: 'One stored policy version with its YAML text.',
    params: z.strictObject({ id: versionRef }),
    handler: async ({ params }) => {
      const row = await findVersion(store, params.id);
      return { ...presentSummary(row), yaml: row.yaml };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/policy/versions',
    access: ADMIN,
    tag: 'policy',
    summary:
      'Store a new policy version (validated first: 400 names every problem with its line). `activate: true` ' +
      'also makes it the active version. The author is the calling token.',
    body: z.strictObject({
      yaml: z.string().min(1).max(MAX_POLICY_BYTES).describe('The policy document (YAML or JSON).'),
      comment: z.string().max(2000).optional().describe('Why this version: shown in the history.'),
      activate: z.boolean().default(false),
    }),
    handler: async ({ body, request }, reply) => {
      const loaded = loadOrReject(body.yaml, 'request body');
      const row = await insertPolicyVersion(store, {
        name: loaded.document.name,
        yaml: body.yaml,
        sha256: loaded.digest,
        author: who(request),
        comment: body.comment ?? null,
        activate: body.activate,
      });
      return reply.status(201).send({ ...presentSummary(row), warnings: loaded.warnings.map(presentProblem) });
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/policy/versions/{id}/activate',
    access: ADMIN,
    tag: 'policy',
    summary:
      'Make a stored version the active policy (the previous active version is retired). Enforcement points pick ' +
      'it up within enforce.policyRefreshMs. Activating an older version is how a change is rolled back.',
    params: z.strictObject({ id: versionRef }),
    handler: async ({ params, request }) => {
      const row = await findVersion(store, params.id);
      loadOrReject(row.yaml, `policy v${row.version}`);
      const active = await activatePolicyVersion(store, row.id, who(request));
      if (!active) throw new AppError('not_found', `no policy version ${params.id}`);
      return presentSummary(active);
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/policy/versions/{a}/diff/{b}',
    access: READ,
    tag: 'policy',
    summary: 'Line diff from version a to version b: unified text, per-line operations, lines added and removed.',
    params: z.strictObject({ a: versionRef, b: versionRef }),
    handler: async ({ params }) => {
      const [a, b] = [await findVersion(store, params.a), await findVersion(store, params.b)];
      const d = diffLines(a.yaml, b.yaml, { old: `v${a.version}`, new: `v${b.version}` });
      return {
        from: { id: a.id, version: a.version },
        to: { id: b.id, version: b.version },
        added: d.added,
        removed: d.removed,
        unified: d.unified,
        lines: d.lines.map((l) => ({ op: l.op, text: l.text, old_line: l.oldLine, new_line: l.newLine })),
      };
    },
  });
}
