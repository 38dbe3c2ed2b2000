import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { READ } from '../identity/roles.js';
import { getSession, listSessions, sessionEvents } from '../store/sessions-read.repo.js';
import type { Store } from '../store/store.js';
import { decodeCursor, page, pageQuery, timeParam } from './pagination.js';
import { presentEvent, presentSession } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

const TIMELINE_MAX = 5_000;

export function registerSessionRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/sessions',
    access: READ,
    tag: 'sessions',
    summary: 'Sessions, most recently active first, with token and cost totals.',
    query: z.strictObject({
      ...pageQuery,
      person_id: z.string().max(200).optional(),
      surface: z.string().max(50).optional(),
      from: timeParam.optional(),
      to: timeParam.optional(),
    }),
    handler: async ({ query }) => {
      const rows = await listSessions(store.db, {
        personId: query.person_id,
        surface: query.surface,
        from: query.from,
        to: query.to,
        limit: query.limit,
        cursor: decodeCursor(query.cursor),
      });
      const p = page(rows, query.limit, (r) => ({ t: r.last_seen, id: r.id }));
      return { ...p, items: p.items.map(presentSession) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/sessions/{id}',
    access: READ,
    tag: 'sessions',
    summary:
      'A session and its ordered timeline, grouped by prompt: prompt → API requests → tool decisions → tool results → response.',
    params: z.strictObject({ id: z.string().min(1).max(200) }),
    handler: async ({ params }) => {
      const session = await getSession(store.db, params.id);
      if (!session) throw new AppError('not_found', `no session ${params.id}`);
      const events = await sessionEvents(store.db, session, TIMELINE_MAX + 1);
      const groups: { prompt_id: string | null; started: string; events: ReturnType<typeof presentEvent>[] }[] = [];
      const byPrompt = new Map<string | null, (typeof groups)[number]>();
      for (const e of events.slice(0, TIMELINE_MAX)) {
        let g = byPrompt.get(e.prompt_id);
        if (!g) {
          g = { prompt_id: e.prompt_id, started: new Date(e.time).toISOString(), events: [] };
          byPrompt.set(e.prompt_id, g);
          groups.push(g);
        }
        g.events.push(presentEvent(e));
      }
      return { session: presentSession(session), timeline: groups, truncated: events.length > TIMELINE_MAX };
    },
  });
}
