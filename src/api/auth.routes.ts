import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import type { TokenVerifier } from '../identity/api-tokens.js';
import { PUBLIC } from '../identity/roles.js';
import type { AuthAudit } from './auth-audit.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * `POST /api/v1/auth/login`: the console's sign-in (issue 7: logins are audited). The token travels in the body, is
 * checked like any Bearer token (identity/api-tokens.ts) and is never echoed, logged or recorded: a success is an
 * `auth.login` entry naming the token by id, a failure one naming only the client address (coalesced per address
 * per minute, api/auth-audit.ts). Public, since it is how a token is first presented; it answers nothing a wrong
 * token could learn from beyond "not accepted".
 */
export function registerAuthRoutes(
  app: FastifyInstance,
  registry: RegisteredSpec[],
  verifier: TokenVerifier,
  authAudit: AuthAudit | undefined,
): void {
  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/auth/login',
    access: PUBLIC,
    tag: 'auth',
    summary:
      'Sign in with an API token (body `{token}`): 200 with its role, name and id, or 401. Recorded in the audit ' +
      'vault as auth.login (the token itself never is).',
    body: z.strictObject({ token: z.string().min(1).max(512) }),
    handler: async ({ body, request }) => {
      const principal = await verifier.verify(body.token.trim());
      if (!principal) {
        authAudit?.loginFailed(request);
        throw new AppError('unauthenticated', 'the token was not accepted: mistyped, revoked, or from another Steward');
      }
      authAudit?.loggedIn(principal, request);
      return { role: principal.role, name: principal.name, token_id: principal.id };
    },
  });
}
