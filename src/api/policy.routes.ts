import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { auditPolicyWrites } from '../audit/policy-audit.js';
import type { AuditActor } from '../contracts/audit.js';
import { surfaces } from '../contracts/canonical.js';
import { detectorTypes, type Finding } from '../contracts/detection.js';
import { decisionStages, enforcementPoints, type DecisionRequest } from '../contracts/policy-decision.js';
import { AppError } from '../errors/app-error.js';
import { ADMIN, READ } from '../identity/roles.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { diffLines } from '../policy/diff.js';
import { evaluate } from '../policy/evaluate.js';
import { formatProblem, loadPolicy, MAX_POLICY_BYTES, type PolicyProblem } from '../policy/load.js';
import { detectorTypeNames, policyJsonSchema } from '../policy/schema.js';
import {
  activatePolicyVersion,
  getPolicyVersion,
  insertPolicyVersion,
  listPolicyVersions,
  type PolicyVersionRow,
  type PolicyVersionSummary,
} from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { tokenActor } from './audit-trail.js';
import { timeParam } from './pagination.js';
import { compileStored, policyInForce, scannerFor } from './policy-source.js';
import { iso } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * Policy as code over the API (issue: control): the language's JSON Schema for editors, stored versions with
 * author, comment and status, activation (one active version; the previous is retired), and a line diff between
 * any two versions, and a dry-run evaluation of a request against the policy in force, a stored version or a draft.
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

function principalActor(request: FastifyRequest): AuditActor {
  const p = request.principal;
  return p ? tokenActor(p) : { kind: 'anonymous', id: request.ip || 'unknown' };
}

const findingInput = z.strictObject({
  type: z.enum(detectorTypeNames),
  confidence: z.number().min(0).max(1).optional(),
  example: z.boolean().optional(),
  start: z.number().int().min(0).optional(),
  end: z.number().int().min(0).optional(),
});

const evaluateBody = z.strictObject({
  stage: z.enum(decisionStages),
  point: z.enum(enforcementPoints).default('api'),
  surface: z.enum(surfaces).default('claude_code'),
  subject: z
    .strictObject({
      personId: z.string().max(200).optional(),
      email: z.string().max(320).optional(),
      team: z.string().max(200).optional(),
      department: z.string().max(200).optional(),
      groups: z.array(z.string().max(200)).max(200).optional(),
    })
    .default({}),
  text: z
    .string()
    .max(512 * 1024)
    .optional()
    .describe('Raw content to scan (prompt, tool result); never stored.'),
  findings: z.array(findingInput).max(1000).optional().describe('Findings to assume, in addition to scanning.'),
  tool: z.string().max(200).optional(),
  toolInput: z.record(z.string(), z.unknown()).optional().describe('As Claude Code passes it; strings are scanned.'),
  mcpServer: z.string().max(200).optional(),
  mcpTool: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  folders: z.array(z.string().max(4096)).max(64).optional(),
  time: timeParam.optional().describe('ISO 8601 or epoch ms; default now (time windows).'),
  version: versionRef.optional().describe('Evaluate against this stored version instead of the policy in force.'),
  policy: z.string().max(MAX_POLICY_BYTES).optional().describe('Evaluate against this draft YAML instead.'),
});

async function policyFor(
  store: Store,
  body: { version?: string | undefined; policy?: string | undefined },
): Promise<{ policy: CompiledPolicy; source: 'draft' | 'stored' | 'active' | 'default' }> {
  if (body.policy !== undefined && body.version !== undefined) {
    throw new AppError('bad_request', 'give either `policy` (a draft) or `version`, not both');
  }
  if (body.policy !== undefined) return { policy: loadOrReject(body.policy, 'policy').policy, source: 'draft' };
  if (body.version !== undefined)
    return { policy: compileStored(await findVersion(store, body.version)), source: 'stored' };
  const inForce = await policyInForce(store);
  return { policy: inForce.policy, source: inForce.row ? 'active' : 'default' };
}

/** String leaves of a tool input with their dotted paths (`command`, `edits.0.new_string`), depth-limited. */
function stringLeaves(value: unknown, path = '', depth = 0, out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (value !== null && typeof value === 'object' && depth < 16) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      stringLeaves(v, path ? `${path}.${k}` : k, depth + 1, out);
    }
  }
  return out;
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
        onWrite: auditPolicyWrites(store, principalActor(request)),
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
      const active = await activatePolicyVersion(store, row.id, who(request), {
        onWrite: auditPolicyWrites(store, principalActor(request)),
      });
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

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/policy/evaluate',
    access: READ,
    tag: 'policy',
    summary:
      'Dry-run a decision: a request (stage, subject, tool, toolInput, model, …) with optional raw `text` and the ' +
      'string values of `toolInput` scanned by the detectors, evaluated against the policy in force, a stored ' +
      '`version` or a draft `policy`. Returns the decision and the findings (types and offsets, never content). ' +
      'Nothing is recorded.',
    body: evaluateBody,
    handler: async ({ body }) => {
      const { policy, source } = await policyFor(store, body);
      const scanText = scannerFor(policy);
      const located = new Map<Finding, { in: 'text' | 'toolInput' | 'given'; path?: string }>();
      const findings: Finding[] = [];
      const add = (fs: readonly Finding[], where: { in: 'text' | 'toolInput' | 'given'; path?: string }): void => {
        for (const f of fs) {
          located.set(f, where);
          findings.push(f);
        }
      };
      add(
        (body.findings ?? []).map((f) => ({
          type: f.type,
          class: detectorTypes[f.type],
          start: f.start ?? 0,
          end: f.end ?? 0,
          confidence: f.confidence ?? 1,
          validator: 'none' as const,
          ...(f.example ? { example: true } : {}),
        })),
        { in: 'given' },
      );
      if (body.text !== undefined) add(scanText(body.text), { in: 'text' });
      for (const [path, value] of stringLeaves(body.toolInput ?? {})) add(scanText(value), { in: 'toolInput', path });
      const request: DecisionRequest = {
        point: body.point,
        stage: body.stage,
        surface: body.surface,
        subject: body.subject,
        tool: body.tool ?? null,
        toolInput: body.toolInput ?? null,
        mcpServer: body.mcpServer ?? null,
        mcpTool: body.mcpTool ?? null,
        model: body.model ?? null,
        folders: body.folders ?? [],
        findings,
        time: body.time ?? Date.now(),
      };
      const decision = evaluate(policy, request);
      const present = (f: Finding) => ({ ...f, ...located.get(f) });
      return {
        policy: { name: policy.name, version: policy.version, source },
        decision: { ...decision, redact: decision.redact.map(present) },
        findings: findings.map(present),
      };
    },
  });
}
