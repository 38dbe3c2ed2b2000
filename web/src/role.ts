import { storedToken } from './api/client';

/**
 * The signed-in token's role, read from its prefix (`stw_<role>_…`, src/identity/api-tokens.ts): admins see the
 * governance pages' edit controls, analysts do not. Only a convenience — the server checks the role of every change.
 */
export type ConsoleRole = 'admin' | 'analyst' | null;

export function tokenRole(): ConsoleRole {
  const m = /^stw_(admin|analyst)_/.exec(storedToken() ?? '');
  return m ? (m[1] as 'admin' | 'analyst') : null;
}

export function useCanEdit(): boolean {
  return tokenRole() === 'admin';
}
