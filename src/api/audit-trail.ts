import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditService } from '../audit/audit-service.js';
import { redactSecrets, wellFormed } from '../audit/redact-secrets.js';
import type { AuditActor, AuditEntryInput, AuditSubject } from '../contracts/audit.js';
import type { VerifiedToken } from '../identity/api-tokens.js';

/**
 * Admin actions and configuration changes over REST in the audit vault (issue 7, docs/audit.md "What is audited").
 * After the response, every POST, PUT, PATCH or DELETE under `/api/v1/` made by an authenticated token — refused
 * ones included (a 403 or a 409 is worth knowing about) — is recorded with the token as actor, the route's resource
 * and id as subject, the client address and user agent as source, success or failure from the status, and the
 * request body with credentials removed (audit/redact-secrets.ts) as `after`. The response body is never kept: only
 * the `id` a create answers with (so `POST /api/v1/keys` names the token it made, never the token) and the error
 * code of a refusal. Ingest (`/v1/*`), hooks and the gateway are not admin actions and are not recorded here
 * (enforcement decisions and activity seals are appended in the ingest commit). Data exports served over GET are
 * recorded as `export.<what>` (EXPORTS below).
 *
 * The action name comes from the route template (`routeAction`), so a new route is audited the moment it exists.
 * Where a change also writes a domain entry in its own transaction (governance history, policy versions, holds), both
 * are kept: this one says who called which route and how it ended, the other what changed.
 */
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const PREFIX = '/api/v1/';

/**
 * A route whose last word is one of these is an operation, and the words already name the action
 * (`POST /api/v1/policy/versions/{id}/activate` → `policy.versions.activate`); any other last word is a collection
 * and the method adds the verb (`POST /api/v1/keys` → `keys.create`).
 */
export const OPERATION_WORDS: ReadonlySet<string> = new Set([
  'activate',
  'checkpoint',
  'decision',
  'evaluate',
  'import',
  'login',
  'pause',
  'replay',
  'requeue',
  'resume',
  'retry',
  'review',
  'revoke',
  'rotate',
  'test',
  'verify',
]);

/** Request bodies never kept (text to judge may be a prompt; DESIGN §10: no prompt content in the vault). */
const BODY_NOT_KEPT = new Set(['POST /api/v1/policy/evaluate', 'POST /api/v1/auth/login']);

/** GET routes that hand data out as a document; `when` narrows a route that also answers JSON. */
export const EXPORTS: Readonly<Record<string, { action: string; when?: (query: Record<string, unknown>) => boolean }>> =
  {
    'GET /api/v1/governance/export': { action: 'export.governance' },
    'GET /api/v1/governance/raci/export': { action: 'export.raci' },
    'GET /api/v1/governance/scorecard': {
      action: 'export.scorecard',
      when: (q) => q.format === 'md' || q.format === 'pdf',
    },
    'GET /api/v1/governance/meetings/agenda.md': { action: 'export.forum_agenda' },
    'GET /api/v1/governance/meetings/{id}/agenda.md': { action: 'export.forum_agenda' },
  };

export interface RouteAction {
  action: string;
  /** The resource the id belongs to (`governance.connectors`), or every word for a collection route. */
  resource: string;
  /** The route's last id parameter, if it has one. */
  idParam: string | null;
}

const word = (segment: string): string =>
  segment
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** The template in the OpenAPI form the docs use (`/api/v1/keys/{id}`). */
export function openApiPath(template: string): string {
  return template.replace(/:(\w+)/g, '{$1}');
}

/**
 * The audit action of a mutating route (docs/audit.md "Action names"): the path below /api/v1/ without its id
 * parameters, hyphens and dots as underscores, one word per segment; then the verb — an id last: PUT/PATCH →
 * `update`, DELETE → `delete`, POST → `update`; a collection last: POST → `create`, PUT/PATCH → `update`, DELETE →
 * `delete`; an operation word last: nothing added. Null outside /api/v1/.
 */
export function routeAction(method: string, template: string): RouteAction | null {
  const path = openApiPath(template);
  if (!path.startsWith(PREFIX)) return null;
  const words: string[] = [];
  let idParam: string | null = null;
  let resource = '';
  let endsWithId = false;
  for (const segment of path.slice(PREFIX.length).split('/')) {
    if (segment === '') continue;
    const param = /^\{(\w+)\}$/.exec(segment);
    if (param) {
      idParam = param[1] as string;
      resource = words.join('.');
      endsWithId = true;
      continue;
    }
    const w = word(segment);
    if (w !== '') words.push(w);
    endsWithId = false;
  }
  if (words.length === 0) return null;
  const last = words[words.length - 1] as string;
  const m = method.toUpperCase();
  let verb: string | null;
  if (endsWithId) verb = m === 'DELETE' ? 'delete' : 'update';
  else if (OPERATION_WORDS.has(last)) verb = null;
  else verb = m === 'POST' ? 'create' : m === 'DELETE' ? 'delete' : 'update';
  return {
    action: verb === null ? words.join('.') : `${words.join('.')}.${verb}`,
    resource: idParam === null ? words.filter((w) => !OPERATION_WORDS.has(w)).join('.') : resource,
    idParam,
  };
}

/** The actor of a request made with an API token. */
export function tokenActor(p: VerifiedToken): AuditActor {
  return { kind: 'token', id: p.id, name: wellFormed(p.name.slice(0, 512)), role: p.role };
}

/** Where a request came from: the address Fastify saw (trustProxy honoured) and the user agent, both bounded. */
export function requestSource(request: FastifyRequest): { ip?: string; userAgent?: string } {
  const ua = request.headers['user-agent'];
  return {
    ...(request.ip ? { ip: request.ip.slice(0, 64) } : {}),
    ...(typeof ua === 'string' && ua !== '' ? { userAgent: wellFormed(ua.slice(0, 512)) } : {}),
  };
}

/** What onSend kept of a response for the entry: a create's new id, a refusal's error code. */
interface Kept {
  id?: string;
  error?: string;
}
const kept = new WeakMap<FastifyRequest, Kept>();

function readAnswer(payload: unknown, reply: FastifyReply): Kept | null {
  if (typeof payload !== 'string' || payload[0] !== '{') return null;
  const type = reply.getHeader('content-type');
  if (typeof type === 'string' && !type.includes('json')) return null;
  try {
    const body = JSON.parse(payload) as { id?: unknown; error?: { code?: unknown } };
    if (reply.statusCode >= 400) return typeof body.error?.code === 'string' ? { error: body.error.code } : null;
    return typeof body.id === 'string' || typeof body.id === 'number' ? { id: String(body.id).slice(0, 256) } : null;
  } catch {
    return null;
  }
}

function bodyFor(key: string, body: unknown): { after?: unknown; details?: Record<string, unknown> } {
  if (body === undefined || body === null) return {};
  if (BODY_NOT_KEPT.has(key)) return { details: { body: 'not kept' } };
  if (Buffer.isBuffer(body)) return { details: { body_bytes: body.length } };
  if (typeof body === 'string') return { details: { body_chars: body.length } };
  return { after: redactSecrets(body) };
}

function queryDetails(query: unknown): Record<string, unknown> {
  if (query === null || typeof query !== 'object' || Object.keys(query).length === 0) return {};
  return { query: redactSecrets(query) };
}

/** Appends a route-level hook to whatever the route already declares (a function, a list, or nothing). */
function withHook<T>(existing: T | T[] | undefined, hook: T): T[] {
  return existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

/**
 * Attaches the trail as route-level hooks, only to the routes it records (mutating routes under /api/v1/ and the
 * export table's GETs): ingest, hooks and the gateway pay nothing for it.
 */
export function registerAuditTrail(app: FastifyInstance, audit: AuditService): void {
  const exportEntry = (request: FastifyRequest, reply: FastifyReply, key: string, principal: VerifiedToken) => {
    const exp = EXPORTS[key];
    if (!exp || (exp.when && !exp.when((request.query ?? {}) as Record<string, unknown>))) return;
    const params = (request.params ?? {}) as Record<string, string>;
    const status = reply.statusCode;
    audit.record({
      time: Date.now(),
      actor: tokenActor(principal),
      action: exp.action,
      subject: params.id
        ? { kind: exp.action.slice('export.'.length), id: wellFormed(params.id.slice(0, 1024)) }
        : { kind: 'route', id: key },
      source: requestSource(request),
      outcome: status >= 400 ? 'failure' : 'success',
      details: { status, route: key, ...queryDetails(request.query) },
    });
  };

  const changeEntry = (request: FastifyRequest, reply: FastifyReply, route: RouteAction, key: string) => {
    const principal = request.principal as VerifiedToken;
    const status = reply.statusCode;
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const answer = kept.get(request);
    const id = route.idParam === null ? answer?.id : params[route.idParam];
    const subject: AuditSubject =
      id !== undefined
        ? { kind: route.resource.slice(0, 64), id: wellFormed(id.slice(0, 1024)) }
        : { kind: 'route', id: key };
    const body = bodyFor(key, request.body);
    const entry: AuditEntryInput = {
      time: Date.now(),
      actor: tokenActor(principal),
      action: route.action,
      subject,
      source: requestSource(request),
      outcome: status >= 400 ? 'failure' : 'success',
      ...(body.after !== undefined ? { after: body.after } : {}),
      details: {
        status,
        route: key,
        ...(answer?.error !== undefined ? { error: answer.error } : {}),
        ...queryDetails(request.query),
        ...body.details,
      },
    };
    audit.record(entry);
  };

  app.addHook('onRoute', (options) => {
    if (!options.url.startsWith(PREFIX)) return;
    const methods = Array.isArray(options.method) ? options.method : [options.method];
    for (const method of methods) {
      const key = `${method} ${openApiPath(options.url)}`;
      if (method === 'GET' && EXPORTS[key]) {
        options.onResponse = withHook(options.onResponse, async (request: FastifyRequest, reply: FastifyReply) => {
          if (request.principal && request.method === 'GET') exportEntry(request, reply, key, request.principal);
        });
      }
      const route = MUTATING.has(method) ? routeAction(method, options.url) : null;
      if (!route) continue;
      options.onSend = withHook(options.onSend, async (request: FastifyRequest, reply: FastifyReply, payload) => {
        if (request.principal && request.method === method) {
          if (reply.statusCode >= 400 || (route.idParam === null && method === 'POST')) {
            const answer = readAnswer(payload, reply);
            if (answer) kept.set(request, answer);
          }
        }
        return payload;
      });
      options.onResponse = withHook(options.onResponse, async (request: FastifyRequest, reply: FastifyReply) => {
        if (request.principal && request.method === method) changeEntry(request, reply, route, key);
      });
    }
  });
}
