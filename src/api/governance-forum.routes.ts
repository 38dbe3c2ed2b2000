import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { agendaMarkdown, forumAgenda, type AgendaContext } from '../govern/forum-agenda.js';
import {
  changeMeeting,
  createMeeting,
  decisionInputSchema,
  getForumMeeting,
  listForumMeetings,
  meetingCreateSchema,
  meetingPatchSchema,
  recordDecision,
} from '../govern/forum.js';
import { scorecardPdf, scorecardMarkdown } from '../govern/scorecard-render.js';
import { governanceScorecard } from '../govern/scorecard.js';
import { ADMIN, READ } from '../identity/roles.js';
import type { Store } from '../store/store.js';
import { actorOf, idParams } from './governance-objects.routes.js';
import { timeParam } from './pagination.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * The governance forum and the quarterly scorecard over REST (docs/governance.md): meetings with their decisions
 * (structured ones change the inventory), the standing agenda generated from live data (JSON or Markdown), and the
 * scorecard (JSON, Markdown or PDF). Reads for analysts and admins, changes for admins.
 */
const base = '/api/v1/governance/meetings';
const tag = 'governance';
const DAY = 86_400_000;
const dateQuery = z.strictObject({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .optional(),
});
const dayOf = (date: string | undefined): number => (date === undefined ? Date.now() : Date.parse(`${date}T00:00:00Z`));

export function registerGovernanceForumRoutes(
  app: FastifyInstance,
  registry: RegisteredSpec[],
  store: Store,
  ctx: AgendaContext = {},
): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: base,
    access: READ,
    tag,
    summary: 'Forum meetings held in a window (all by default), newest first, each with its decisions.',
    query: z.strictObject({ from: timeParam.optional(), to: timeParam.optional() }),
    handler: async ({ query }) => ({
      items: await listForumMeetings(store, {
        ...(query.from !== undefined ? { from: query.from } : {}),
        ...(query.to !== undefined ? { to: query.to } : {}),
      }),
    }),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: base,
    access: ADMIN,
    tag,
    summary:
      'Record a forum meeting: `held_at` (date or time), `title`, `attendees`, `notes`, and optional `decisions` ' +
      '(texts or `{text, action}`), applied in order. With attendees, it also counts as the forum cadence review. 201.',
    body: meetingCreateSchema,
    handler: async ({ body, request }, reply) =>
      reply.status(201).send(await createMeeting(store, body, actorOf(request))),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/agenda`,
    access: READ,
    tag,
    summary: 'The standing agenda for a meeting date (today by default) as JSON.',
    query: dateQuery,
    handler: async ({ query }) => forumAgenda(store, dayOf(query.date), ctx),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/agenda.md`,
    access: READ,
    tag,
    summary: 'The standing agenda for a meeting date (today by default) as Markdown.',
    query: dateQuery,
    handler: async ({ query }, reply) =>
      reply.type('text/markdown; charset=utf-8').send(agendaMarkdown(await forumAgenda(store, dayOf(query.date), ctx))),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/{id}`,
    access: READ,
    tag,
    summary: 'One meeting with its attendees, notes and decisions (each with what it changed).',
    params: idParams,
    handler: async ({ params }) => getForumMeeting(store, params.id),
  });

  defineRoute(app, registry, {
    method: 'PATCH',
    url: `${base}/{id}`,
    access: ADMIN,
    tag,
    summary: "Change a meeting's date, title, attendees or notes.",
    params: idParams,
    body: meetingPatchSchema,
    handler: async ({ params, body, request }) => changeMeeting(store, params.id, body, actorOf(request)),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${base}/{id}/decisions`,
    access: ADMIN,
    tag,
    summary:
      'Record a decision: `text`, and `action` `{verb: approve|deny|retire, object_kind, object, scopes?}` or read ' +
      'from the text (`approve connector X with scopes A, B`, `deny skill Z`, `retire workspace W`; else free ' +
      'text). A structured decision changes the inventory (connector decisions reference the meeting). 201.',
    params: idParams,
    body: decisionInputSchema,
    handler: async ({ params, body, request }, reply) =>
      reply.status(201).send(await recordDecision(store, params.id, body, actorOf(request))),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/{id}/agenda.md`,
    access: READ,
    tag,
    summary: "The standing agenda for a meeting's date, as Markdown, titled with the meeting.",
    params: idParams,
    handler: async ({ params }, reply) => {
      const m = await getForumMeeting(store, params.id);
      const agenda = await forumAgenda(store, Math.floor(Date.parse(m.held_at) / DAY) * DAY, ctx);
      return reply.type('text/markdown; charset=utf-8').send(agendaMarkdown(agenda, m.title));
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/governance/scorecard',
    access: READ,
    tag,
    summary:
      'The quarterly governance scorecard (`quarter` YYYY-Qn, the current one by default) beside last quarter: ' +
      'inventory completeness, cadence adherence, forum attendance and decisions, open findings by age. ' +
      '`format=md` or `pdf` for a document.',
    query: z.strictObject({
      quarter: z.string().max(10).optional(),
      format: z.enum(['json', 'md', 'pdf']).default('json'),
    }),
    handler: async ({ query }, reply) => {
      const sc = await governanceScorecard(store, query.quarter);
      const file = `steward-scorecard-${sc.current.quarter}`;
      if (query.format === 'md') {
        return reply
          .type('text/markdown; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file}.md"`)
          .send(scorecardMarkdown(sc));
      }
      if (query.format === 'pdf') {
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${file}.pdf"`)
          .send(await scorecardPdf(sc));
      }
      return sc;
    },
  });
}
