import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { calendarFeed } from '../govern/calendar-feed.js';
import {
  cadenceCreateSchema,
  cadenceOverview,
  cadencePatchSchema,
  createCadence,
  findCadence,
  recordReview,
  reviewSchema,
  updateCadence,
} from '../govern/cadence.js';
import type { Cadence, CadenceStatus } from '../contracts/cadence.js';
import { ADMIN, READ } from '../identity/roles.js';
import { listReviews, type ReviewRecord } from '../store/cadences.repo.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { actorOf } from './governance-objects.routes.js';
import { iso } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * Cadences, review records and the calendar feed over REST (docs/governance-operations.md). Reads (and the ICS feed,
 * which calendar apps fetch with a read token) for analysts and admins; changes for admins.
 */
const base = '/api/v1/governance/cadences';
const tag = 'governance';
const idParams = z.strictObject({ id: z.string().min(1).max(100) });

export function presentCadence(c: Cadence, status?: CadenceStatus) {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    frequency: c.frequency,
    owner_person: c.ownerPerson,
    owner_role: c.ownerRole,
    attendees: c.attendees,
    starts_at: iso(c.startsAt),
    grace_days: c.graceDays,
    active: c.active,
    ...(status
      ? {
          last_review_at: status.lastReviewAt === null ? null : iso(status.lastReviewAt),
          next_due: iso(status.nextDue),
          overdue_after: iso(status.overdueAfter),
          overdue: status.overdue,
        }
      : {}),
    updated_at: iso(c.updatedAt),
    updated_by: c.updatedBy,
  };
}

function presentReview(r: ReviewRecord) {
  return {
    id: r.id,
    cadence_id: r.cadenceId,
    held_at: iso(r.heldAt),
    attendees: r.attendees,
    notes: r.notes,
    decisions: r.decisions,
    created_at: iso(r.createdAt),
    created_by: r.createdBy,
  };
}

export function registerGovernanceCadenceRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  const statusOf = async (id: string) => {
    const { cadences } = await cadenceOverview(store, DEFAULT_ORG);
    return cadences.find((c) => c.cadence.id === id);
  };

  defineRoute(app, registry, {
    method: 'GET',
    url: base,
    access: READ,
    tag,
    summary:
      'The review cadences (four cadences and the forum) with last review, next due date and overdue flag; ' +
      '`forum_required` is true above 50 people active in the last 30 days (`active_seats`). `overdue=true` ' +
      'lists only overdue cadences.',
    query: z.strictObject({ overdue: z.enum(['true', 'false']).optional() }),
    handler: async ({ query }) => {
      const { cadences, forum } = await cadenceOverview(store, DEFAULT_ORG);
      const items = cadences
        .filter((c) => query.overdue === undefined || c.status.overdue === (query.overdue === 'true'))
        .map((c) => presentCadence(c.cadence, c.status));
      return {
        items,
        forum_required: forum.required,
        active_seats: forum.activeSeats,
        forum_seat_threshold: forum.threshold,
        active_seat_window_days: forum.windowDays,
      };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: base,
    access: ADMIN,
    tag,
    summary: 'Add a cadence (name, frequency, owner person or role, attendees, first occurrence, grace days). 201.',
    body: cadenceCreateSchema,
    handler: async ({ body, request }, reply) => {
      const created = await createCadence(store, DEFAULT_ORG, body, actorOf(request));
      return reply.status(201).send(presentCadence(created, (await statusOf(created.id))?.status));
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/{id}`,
    access: READ,
    tag,
    summary: 'One cadence with its status and its latest review records.',
    params: idParams,
    handler: async ({ params }) => {
      const found = await statusOf(params.id);
      const cadence = found?.cadence ?? (await findCadence(store, DEFAULT_ORG, params.id));
      const reviews = await listReviews(store.db, DEFAULT_ORG, cadence.id, 20);
      return { ...presentCadence(cadence, found?.status), reviews: reviews.map(presentReview) };
    },
  });

  defineRoute(app, registry, {
    method: 'PATCH',
    url: `${base}/{id}`,
    access: ADMIN,
    tag,
    summary: 'Change a cadence: name, frequency, owner, attendees, first occurrence, grace days, active.',
    params: idParams,
    body: cadencePatchSchema,
    handler: async ({ params, body, request }) => {
      const updated = await updateCadence(store, DEFAULT_ORG, params.id, body, actorOf(request));
      return presentCadence(updated, (await statusOf(updated.id))?.status);
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/{id}/reviews`,
    access: READ,
    tag,
    summary: 'The review records of a cadence, newest first.',
    params: idParams,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    handler: async ({ params, query }) => {
      await findCadence(store, DEFAULT_ORG, params.id);
      return { items: (await listReviews(store.db, DEFAULT_ORG, params.id, query.limit)).map(presentReview) };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${base}/{id}/reviews`,
    access: ADMIN,
    tag,
    summary: 'Record a review held: date, attendees, notes, decisions. 201.',
    params: idParams,
    body: reviewSchema,
    handler: async ({ params, body, request }, reply) => {
      const review = await recordReview(store, DEFAULT_ORG, params.id, body, actorOf(request));
      return reply.status(201).send(presentReview(review));
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/governance/calendar.ics',
    access: READ,
    tag,
    summary:
      'The active cadences as an iCalendar feed (RFC 5545), each from its next due date repeating by its ' +
      'frequency; `person` (email) or `role` keeps the cadences they own or attend.',
    query: z.strictObject({
      person: z.string().min(1).max(320).optional(),
      role: z.string().min(1).max(100).optional(),
    }),
    handler: async ({ query }, reply) => {
      const filter = {
        ...(query.person !== undefined ? { person: query.person } : {}),
        ...(query.role !== undefined ? { role: query.role } : {}),
      };
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'inline; filename="steward-governance.ics"')
        .send(await calendarFeed(store, DEFAULT_ORG, filter));
    },
  });
}
