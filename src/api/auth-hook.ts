import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { TokenVerifier, VerifiedToken } from '../identity/api-tokens.js';
import type { Role, RouteAccess } from '../identity/roles.js';
import type { AuthObserver } from './auth-audit.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route. Required on every route: registration fails without it (secure by default). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: VerifiedToken | null;
  }
}

export interface RouteRecord {
  method: string;
  url: string;
  access: RouteAccess;
}

/**
 * Bearer-token authentication and per-route role checks, run in `onRequest` — before the body is read, so an
 * unauthenticated client cannot make the server decompress or parse anything.
 */
export function registerAuth(
  app: FastifyInstance,
  verifier: TokenVerifier,
  routeTable: RouteRecord[],
  observer?: AuthObserver,
): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access roles`);
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) if (m !== 'HEAD') routeTable.push({ method: m, url: route.url, access });
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config.access;
    // 404s and public probes; gateway routes authenticate gateway keys themselves (enforce/gateway).
    if (access === undefined || access === 'public' || access === 'gateway') return;
    const token = bearer(request);
    if (!token) {
      observer?.refused(request, 'missing token');
      throw new AppError('unauthenticated', 'missing Authorization: Bearer <token>');
    }
    const principal = await verifier.verify(token);
    if (!principal) {
      observer?.refused(request, 'invalid or revoked token');
      throw new AppError('unauthenticated', 'invalid or revoked token');
    }
    // Known before the role check, so a refused attempt is audited with who made it (api/audit-trail.ts).
    request.principal = principal;
    observer?.used(principal, request);
    if (!(access as readonly Role[]).includes(principal.role)) {
      throw new AppError('forbidden', `role "${principal.role}" may not use this route (needs ${access.join(' or ')})`);
    }
  });
}

export function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1] ?? null;
}
