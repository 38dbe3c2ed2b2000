/**
 * Roles (issue: access control). `admin` can do everything; `analyst` reads; `ingest` may only send telemetry.
 * Every route declares the roles it accepts; `public` marks the few routes that need none (health probes).
 */
export const roles = ['admin', 'analyst', 'ingest'] as const;
export type Role = (typeof roles)[number];

/**
 * `gateway`: the Messages API gateway's routes, which accept gateway keys only (identity/gateway-keys.ts) and check
 * them themselves, answering in the Anthropic error format; API tokens of any role are refused there.
 */
export type RouteAccess = readonly Role[] | 'public' | 'gateway';

export const READ: RouteAccess = ['admin', 'analyst'];
export const ADMIN: RouteAccess = ['admin'];
export const INGEST: RouteAccess = ['admin', 'ingest'];
export const PUBLIC: RouteAccess = 'public';
export const GATEWAY: RouteAccess = 'gateway';

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (roles as readonly string[]).includes(v);
}
