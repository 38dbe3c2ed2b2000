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
    readonly details?: Record<string, unknown>,
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
  const res = await request(path, { method: 'GET', accept: 'application/json', ...opts });
  return (await res.json()) as T;
}

/** What POST /api/v1/auth/login answers for an accepted token. */
export interface LoginAnswer {
  role: 'admin' | 'analyst' | 'ingest';
  name: string;
  token_id: string;
}

/**
 * Signs in: the token is checked by POST /api/v1/auth/login (recorded in the audit vault as a login) in the body,
 * with no Authorization header; a refusal is an ApiError (401) and does not count as being signed out.
 */
export async function apiLogin(token: string): Promise<LoginAnswer> {
  const res = await request('/api/v1/auth/login', {
    method: 'POST',
    accept: 'application/json',
    token: '',
    body: { token },
  });
  return (await res.json()) as LoginAnswer;
}

/** POST, PUT, PATCH or DELETE a JSON body (admin changes); the answer's JSON, or the API's error as an ApiError. */
export async function apiSend<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await request(path, { method, accept: 'application/json', body });
  return (await res.json()) as T;
}

/** An export (CSV, Markdown, iCalendar) fetched with the token: links cannot carry a Bearer header. */
export async function apiBlob(path: string): Promise<Blob> {
  return (await request(path, { method: 'GET', accept: '*/*' })).blob();
}

/** A text document from the API (a Markdown agenda), with the token. */
export async function apiText(path: string, signal?: AbortSignal): Promise<string> {
  return (
    await request(path, { method: 'GET', accept: 'text/markdown, text/plain', ...(signal ? { signal } : {}) })
  ).text();
}

async function request(
  path: string,
  opts: { method: string; accept: string; token?: string; signal?: AbortSignal; body?: unknown },
): Promise<Response> {
  const token = opts.token ?? storedToken();
  const headers: Record<string, string> = {
    accept: opts.accept,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  const res = await fetch(path, {
    method: opts.method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (res.ok) return res;
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`;
  let details: Record<string, unknown> | undefined;
  try {
    const body = (await res.json()) as Partial<ApiErrorBody>;
    if (body.error) ({ code, message, details } = body.error);
  } catch {
    // Not JSON (a proxy's error page, say): keep the status line.
  }
  if (res.status === 401 && opts.token === undefined) {
    forgetToken();
    for (const l of signedOutListeners) l();
  }
  throw new ApiError(res.status, code, message, details);
}
