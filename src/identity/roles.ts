/**
 * Roles (issue: access control). `admin` can do everything; `analyst` reads; `ingest` may only send telemetry.
 * Every route declares the roles it accepts; `public` marks the few routes that need none (health probes).
 */
export const roles = ['admin', 'analyst', 'ingest'] as const;
export type Role = (typeof roles)[number];

export type RouteAccess = readonly Role[] | 'public';

export const READ: RouteAccess = ['admin', 'analyst'];
export const ADMIN: RouteAccess = ['admin'];
export const INGEST: RouteAccess = ['admin', 'ingest'];
export const PUBLIC: RouteAccess = 'public';

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (roles as readonly string[]).includes(v);
}
