import type { ApiErrorBody } from './types';

/**
 * The console's only way to the data: GET /api/v1/… with the signed-in token as a Bearer token.
 * The token lives in sessionStorage: it survives a reload but not closing the tab, and is never sent anywhere else.
 */
const TOKEN_KEY = 'steward.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Listeners told when the server rejects the stored token (revoked, or the server's store was reset). */
const signedOutListeners = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export async function apiGet<T>(path: string, opts: { token?: string; signal?: AbortSignal } = {}): Promise<T> {
  const token = opts.token ?? storedToken();
  const res = await fetch(path, {
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (res.ok) return (await res.json()) as T;
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as Partial<ApiErrorBody>;
    if (body.error) ({ code, message } = body.error);
  } catch {
    // Not JSON (a proxy's error page, say): keep the status line.
  }
  if (res.status === 401 && opts.token === undefined) {
    forgetToken();
    for (const l of signedOutListeners) l();
  }
  throw new ApiError(res.status, code, message);
}
