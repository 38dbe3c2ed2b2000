import type { FastifyInstance } from 'fastify';
import { READ } from '../identity/roles.js';
import { eventStats } from '../store/events-read.repo.js';
import { countPeople } from '../store/people-read.repo.js';
import { countSessions, listSessions } from '../store/sessions-read.repo.js';
import type { Store } from '../store/store.js';
import { iso, presentSession } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/** What `steward status` prints: is data arriving, from whom, and the latest sessions. */
export function registerStatusRoutes(
  app: FastifyInstance,
  registry: RegisteredSpec[],
  store: Store,
  version: string,
): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/status',
    access: READ,
    tag: 'status',
    summary: 'Totals and the most recent sessions — a quick "is telemetry arriving?" check.',
    handler: async () => {
      const [people, sessions, stats, recent] = await Promise.all([
        countPeople(store.db),
        countSessions(store.db),
        eventStats(store.db),
        listSessions(store.db, { limit: 5 }),
      ]);
      return {
        version,
        database: store.dialect,
        people,
        sessions,
        events: stats.events,
        last_event_at: stats.last_event === null ? null : iso(stats.last_event),
        recent_sessions: recent.slice(0, 5).map(presentSession),
      };
    },
  });
}
