import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { READ } from '../identity/roles.js';
import { getAliases, getPerson, listPeople } from '../store/people-read.repo.js';
import { listSessions } from '../store/sessions-read.repo.js';
import type { Store } from '../store/store.js';
import { decodeCursor, page, pageQuery } from './pagination.js';
import { presentPerson, presentSession } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

export function registerPeopleRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/people',
    access: READ,
    tag: 'people',
    summary: 'People seen in telemetry, most recently active first.',
    query: z.strictObject({
      ...pageQuery,
      department: z.string().max(200).optional(),
      team: z.string().max(200).optional(),
      q: z.string().max(200).optional().describe('Substring of name or email'),
    }),
    handler: async ({ query }) => {
      const rows = await listPeople(store.db, { ...query, cursor: decodeCursor(query.cursor) });
      const p = page(rows, query.limit, (r) => ({ t: r.last_seen, id: r.id }));
      return { ...p, items: p.items.map((r) => presentPerson(r)) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/people/{id}',
    access: READ,
    tag: 'people',
    summary: 'One person with every alias they were resolved from and their recent sessions.',
    params: z.strictObject({ id: z.string().min(1).max(200) }),
    handler: async ({ params }) => {
      const person = await getPerson(store.db, params.id);
      if (!person) throw new AppError('not_found', `no person ${params.id}`);
      const [aliases, sessions] = await Promise.all([
        getAliases(store.db, person.id),
        listSessions(store.db, { personId: person.id, limit: 20 }),
      ]);
      return { ...presentPerson(person, aliases), recent_sessions: sessions.slice(0, 20).map(presentSession) };
    },
  });
}
