import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { eventKinds } from '../contracts/canonical.js';
import { AppError } from '../errors/app-error.js';
import { READ } from '../identity/roles.js';
import { listEvents, usageSummary } from '../store/events-read.repo.js';
import type { Store } from '../store/store.js';
import { decodeCursor, page, pageQuery, timeParam } from './pagination.js';
import { iso, presentEvent, usd } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

const MAX_WINDOW_MS = 92 * 86_400_000;

function window(from: number, to: number): void {
  if (to <= from) throw new AppError('invalid_query', '`to` must be after `from`');
  if (to - from > MAX_WINDOW_MS) throw new AppError('invalid_query', 'time window may span at most 92 days');
}

export function registerEventRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/events',
    access: READ,
    tag: 'events',
    summary: 'Raw events in a required time window (at most 92 days), oldest first, with filters.',
    query: z.strictObject({
      ...pageQuery,
      from: timeParam,
      to: timeParam,
      person_id: z.string().max(200).optional(),
      session_id: z.string().max(200).optional(),
      kind: z.enum(eventKinds).optional(),
      model: z.string().max(200).optional(),
      tool: z.string().max(200).optional(),
      mcp_server: z.string().max(200).optional(),
      skill: z.string().max(200).optional(),
    }),
    handler: async ({ query }) => {
      window(query.from, query.to);
      const rows = await listEvents(store.db, {
        from: query.from,
        to: query.to,
        personId: query.person_id,
        sessionId: query.session_id,
        kind: query.kind,
        model: query.model,
        tool: query.tool,
        mcpServer: query.mcp_server,
        skill: query.skill,
        limit: query.limit,
        cursor: decodeCursor(query.cursor),
      });
      const p = page(rows, query.limit, (r) => ({ t: r.time, id: r.id }));
      return { ...p, items: p.items.map(presentEvent) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/usage/summary',
    access: READ,
    tag: 'usage',
    summary:
      'Tokens (input, output, cache read, cache write — never conflated) and estimated cost from api_request events, grouped.',
    query: z.strictObject({
      from: timeParam,
      to: timeParam,
      group_by: z.enum(['person', 'team', 'department', 'model', 'day']).default('day'),
    }),
    handler: async ({ query }) => {
      window(query.from, query.to);
      const rows = await usageSummary(store.db, query.from, query.to, query.group_by);
      const totals = rows.reduce(
        (t, r) => ({
          requests: t.requests + r.requests,
          input: t.input + r.input_tokens,
          output: t.output + r.output_tokens,
          cache_read: t.cache_read + r.cache_read_tokens,
          cache_write: t.cache_write + r.cache_write_tokens,
          cost_micros: t.cost_micros + r.cost_micros,
        }),
        { requests: 0, input: 0, output: 0, cache_read: 0, cache_write: 0, cost_micros: 0 },
      );
      return {
        from: iso(query.from),
        to: iso(query.to),
        group_by: query.group_by,
        cost_note: 'Costs are estimates computed by the clients from their price tables, not official billing.',
        totals: {
          requests: totals.requests,
          tokens: {
            input: totals.input,
            output: totals.output,
            cache_read: totals.cache_read,
            cache_write: totals.cache_write,
          },
          cost_usd_estimate: usd(totals.cost_micros),
        },
        groups: rows.map((r) => ({
          key: query.group_by === 'day' && r.key !== null ? iso(Number(r.key) * 86_400_000).slice(0, 10) : r.key,
          requests: r.requests,
          tokens: {
            input: r.input_tokens,
            output: r.output_tokens,
            cache_read: r.cache_read_tokens,
            cache_write: r.cache_write_tokens,
          },
          cost_usd_estimate: usd(r.cost_micros),
        })),
      };
    },
  });
}
