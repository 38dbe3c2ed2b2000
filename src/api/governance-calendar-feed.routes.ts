import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { calendarFeed, feedToken, readFeedToken, rotateFeedSecret } from '../govern/calendar-feed.js';
import { ADMIN, PUBLIC, READ } from '../identity/roles.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * Calendar subscription URLs (govern/calendar-feed.ts): a signed URL per person or role that a calendar app can
 * subscribe to without a bearer token. Issuing one needs a read token; the feed itself is public and answers only
 * for the filter its signature covers; rotating the secret (admin) revokes every URL.
 */
const tag = 'governance';
const FEED_PATH = '/api/v1/governance/calendar/';

export function registerGovernanceCalendarFeedRoutes(
  app: FastifyInstance,
  registry: RegisteredSpec[],
  store: Store,
  publicUrl: string | undefined,
): void {
  const base = (request: FastifyRequest): string =>
    publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.headers.host ?? request.hostname}`;

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/governance/calendar-feeds',
    access: READ,
    tag,
    summary:
      'A subscription URL for the calendar feed of a person (email) or a role: calendar apps fetch it without a ' +
      'token. The URL opens that feed only (the review schedule); POST …/calendar-feeds/rotate revokes every URL.',
    body: z.strictObject({
      person: z.string().min(1).max(320).optional(),
      role: z.string().min(1).max(100).optional(),
    }),
    handler: async ({ body, request }) => {
      const token = await feedToken(store, body);
      const path = `${FEED_PATH}${token}.ics`;
      return { url: `${base(request)}${path}`, path, person: body.person ?? null, role: body.role ?? null };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/governance/calendar-feeds/rotate',
    access: ADMIN,
    tag,
    summary: 'Revoke every calendar subscription URL issued so far (new ones can be issued at once).',
    handler: async () => {
      await rotateFeedSecret(store);
      return { rotated: true };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${FEED_PATH}:feed`,
    access: PUBLIC,
    tag,
    summary:
      'The calendar feed behind a subscription URL (RFC 5545). Public: the signature in the URL is the credential.',
    params: z.strictObject({ feed: z.string().min(1).max(2100) }),
    handler: async ({ params }, reply) => {
      const filter = params.feed.endsWith('.ics') ? await readFeedToken(store, params.feed.slice(0, -4)) : null;
      // One answer for every bad URL: a forged, altered or revoked one must not be told apart.
      if (!filter) throw new AppError('not_found', 'no such calendar feed (the URL is wrong or was revoked)');
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'inline; filename="steward-governance.ics"')
        .header('cache-control', 'private, max-age=300')
        .send(await calendarFeed(store, DEFAULT_ORG, filter));
    },
  });
}
