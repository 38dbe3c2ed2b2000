import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAuth, type RouteRecord } from '../../src/api/auth-hook.js';
import type { TokenVerifier } from '../../src/identity/api-tokens.js';
import type { Role } from '../../src/identity/roles.js';
import { claudeLogs, parseError, readError } from '../support/otlp.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * DESIGN §10: every route has an explicit role requirement, and a test walks every route × role. The route table
 * is the one the running server recorded while registering (`App.routes`), so a new route is covered the moment it
 * exists: no token → 401 unless the route is public; a role outside the route's access → 403; a role inside it →
 * neither (whatever the handler then says about the dummy input, it is never a 5xx). Gateway routes take gateway
 * keys only: every API token, whatever its role, gets the Anthropic-format 401 there.
 */
type Caller = Role | null;
const callers: readonly Caller[] = [null, 'ingest', 'analyst', 'admin'];
const DUMMY_ID = '00000000-0000-4000-8000-000000000000';

const KNOWN_ROUTES = [
  'POST /v1/logs',
  'POST /v1/metrics',
  'POST /v1/traces',
  'GET /api/v1/people',
  'GET /api/v1/people/:id',
  'GET /api/v1/sessions',
  'GET /api/v1/sessions/:id',
  'GET /api/v1/events',
  'GET /api/v1/usage/summary',
  'GET /api/v1/status',
  'GET /api/v1/keys',
  'POST /api/v1/keys',
  'DELETE /api/v1/keys/:id',
  'GET /api/v1/openapi.json',
  'GET /metrics',
  'GET /healthz',
  'GET /readyz',
  'POST /hooks/claude-code',
  'GET /hooks/claude-code/policy',
  'POST /hooks/claude-code/decisions',
  'POST /hooks/inference',
  'POST /gateway/anthropic/v1/messages',
  'POST /gateway/anthropic/v1/messages/count_tokens',
  'GET /gateway/anthropic/v1/models',
  'GET /api/v1/governance/connectors',
  'POST /api/v1/governance/connectors/:id/decision',
  'GET /api/v1/governance/findings',
  'POST /api/v1/auth/login',
  'GET /api/v1/audit/holds',
  'POST /api/v1/audit/holds',
  'DELETE /api/v1/audit/holds/:id',
  'GET /api/v1/audit/verify',
  'GET /api/v1/exports/sinks',
  'GET /api/v1/exports/sinks/:name/dead-letters',
  'POST /api/v1/exports/sinks/:name/requeue',
];

let t: TestSteward;
let routes: RouteRecord[];

beforeAll(async () => {
  t = await startTestSteward();
  routes = [...t.steward.app.routes];
});

afterAll(async () => {
  await t?.stop();
});

function call(route: { method: string; url: string }, caller: Caller): Promise<Response> {
  const path = route.url.replace(/:(\w+)/g, DUMMY_ID);
  const init: RequestInit & { role: Caller } = { method: route.method, role: caller };
  if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH') {
    init.headers = { 'content-type': 'application/json' };
    init.body = '{}';
  }
  return t.api(path, init);
}

function allowed(access: RouteRecord['access'], caller: Caller): boolean {
  return access === 'public' || (access !== 'gateway' && caller !== null && access.includes(caller));
}

/** A gateway route's refusal of a caller without a gateway key: 401 in the Anthropic error format. */
function gatewayRefusal(status: number, bytes: Uint8Array): boolean {
  if (status !== 401) return false;
  try {
    const body = JSON.parse(Buffer.from(bytes).toString('utf8')) as { type?: string; error?: { type?: string } };
    return body.type === 'error' && body.error?.type === 'authentication_error';
  } catch {
    return false;
  }
}

describe('the route table', () => {
  it('contains every known route, each once, each with declared access', () => {
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    for (const known of KNOWN_ROUTES) expect(keys).toContain(known);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of routes) {
      const declared =
        r.access === 'public' || r.access === 'gateway' || (Array.isArray(r.access) && r.access.length > 0);
      expect(declared, `${r.method} ${r.url}`).toBe(true);
    }
  });

  it('only health probes, the OpenAPI document, the console (static files, no data), signed webhooks, signed calendar feeds, the audit public keys and sign-in are public', () => {
    const publicRoutes = routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.sort()).toEqual([
      'GET /',
      'GET /*',
      // The audit vault's verifier keys: public keys, published so that anyone can verify checkpoints and bundles.
      'GET /api/v1/audit/pubkey',
      // A calendar subscription URL: its HMAC signature is the credential (calendar apps send no header).
      'GET /api/v1/governance/calendar/:feed',
      'GET /api/v1/openapi.json',
      'GET /healthz',
      'GET /readyz',
      // Sign-in: the token is presented in the body, checked, and the answer is 200 or 401 (api/auth.routes.ts).
      'POST /api/v1/auth/login',
      // Anthropic signs inference-hook requests (Standard Webhooks) instead of sending a bearer token.
      'POST /hooks/inference',
    ]);
  });

  it('registering a route without `config.access` fails (secure by default)', async () => {
    const app = Fastify();
    registerAuth(app, { verify: async () => null } as unknown as TokenVerifier, []);
    expect(() => app.get('/no-access', async () => ({}))).toThrow(/declares no access roles/);
    await app.close();
  });
});

describe('every route × every caller', () => {
  it('no token → 401 unless public; a role outside access → 403; a role inside → neither, and never a 5xx', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(KNOWN_ROUTES.length);
    const failures: string[] = [];
    for (const route of routes) {
      for (const caller of callers) {
        const res = await call(route, caller);
        const bytes = new Uint8Array(await res.arrayBuffer());
        const text = Buffer.from(bytes).toString('utf8');
        const who = caller ?? 'no token';
        const where = `${route.method} ${route.url} as ${who} → ${res.status} ${text.slice(0, 160)}`;
        if (res.status >= 500) failures.push(`5xx: ${where}`);
        if (route.access === 'gateway') {
          if (!gatewayRefusal(res.status, bytes)) failures.push(`expected the gateway's 401: ${where}`);
          continue;
        }
        if (allowed(route.access, caller)) {
          if (res.status === 401 || res.status === 403) failures.push(`should be allowed: ${where}`);
          continue;
        }
        const expected = caller === null ? 401 : 403;
        if (res.status !== expected) {
          failures.push(`expected ${expected}: ${where}`);
          continue;
        }
        const error = parseError(bytes, res.headers.get('content-type'));
        const code = expected === 401 ? 'unauthenticated' : 'forbidden';
        if (error?.code !== code) failures.push(`expected code ${code}: ${where}`);
        if (expected === 403 && !error?.message.includes(`"${caller}"`)) failures.push(`message lacks role: ${where}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('HEAD on GET routes follows the same access rules', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.method === 'GET')) {
      for (const caller of callers) {
        const res = await call({ method: 'HEAD', url: route.url }, caller);
        await res.arrayBuffer();
        const where = `HEAD ${route.url} as ${caller ?? 'no token'} → ${res.status}`;
        if (route.access === 'gateway') {
          if (res.status !== 401) failures.push(where);
        } else if (allowed(route.access, caller)) {
          if (res.status === 401 || res.status === 403) failures.push(`should be allowed: ${where}`);
        } else if (res.status !== (caller === null ? 401 : 403)) {
          failures.push(where);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('a token in a malformed Authorization header is not accepted', async () => {
    const protectedRoute = { method: 'GET', url: '/api/v1/people' };
    for (const authorization of [
      t.tokens.admin, // no scheme
      `Basic ${t.tokens.admin}`,
      `Bearer ${t.tokens.admin} extra`,
      `Bearer ${t.tokens.admin.slice(0, -1)}`,
      `Bearer ${t.tokens.admin}x`,
    ]) {
      const res = await fetch(`${t.url}${protectedRoute.url}`, { headers: { authorization } });
      expect(res.status, authorization.slice(0, 20)).toBe(401);
      expect((await readError(res))?.code).toBe('unauthenticated');
    }
  });
});

describe('revocation', () => {
  async function createToken(role: Role): Promise<{ id: string; token: string }> {
    const res = await t.api('/api/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role, name: `revocation test ${role}` }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; token: string };
  }

  async function statusWith(token: string, path: string, init: RequestInit = {}): Promise<number> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    const res = await fetch(`${t.url}${path}`, { ...init, headers });
    await res.arrayBuffer();
    return res.status;
  }

  async function revokedWithin(ms: number, probe: () => Promise<number>): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if ((await probe()) === 401) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`token still accepted ${ms} ms after revocation`);
  }

  it('a revoked ingest token stops working within 6 s (DELETE /api/v1/keys/:id)', async () => {
    const { id, token } = await createToken('ingest');
    const sendLogs = () =>
      statusWith(token, '/v1/logs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(claudeLogs({ sessionId: 'revocation', count: 1 })),
      });
    expect(await sendLogs()).toBe(200); // also warms the verifier cache, so revocation must invalidate it
    const del = await t.api(`/api/v1/keys/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ id, revoked: true });
    expect(await revokedWithin(6_000, sendLogs)).toBeLessThan(6_000);

    // Revoking twice is a 404, and the listing shows the revocation but never the token.
    expect((await t.api(`/api/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(404);
    const listing = await t.api('/api/v1/keys');
    const text = await listing.text();
    expect(text).not.toContain(token);
    const row = (JSON.parse(text) as { items: { id: string; revoked_at: string | null }[] }).items.find(
      (k) => k.id === id,
    );
    expect(row?.revoked_at).not.toBeNull();
  });

  it('a revoked analyst token stops working on the REST API within 6 s', async () => {
    const { id, token } = await createToken('analyst');
    expect(await statusWith(token, '/api/v1/people')).toBe(200);
    expect((await t.api(`/api/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await revokedWithin(6_000, () => statusWith(token, '/api/v1/people'))).toBeLessThan(6_000);
  });

  it('only an admin can revoke', async () => {
    const { id, token } = await createToken('ingest');
    expect((await t.api(`/api/v1/keys/${id}`, { method: 'DELETE', role: 'analyst' })).status).toBe(403);
    expect((await t.api(`/api/v1/keys/${id}`, { method: 'DELETE', role: 'ingest' })).status).toBe(403);
    expect(
      await statusWith(token, '/v1/logs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    ).toBe(200);
  });
});
