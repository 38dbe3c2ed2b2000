import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { adoptionGroups, adoptionReport } from '../analytics/adoption.js';
import { costGroups, costReport } from '../analytics/cost.js';
import { toolsReport } from '../analytics/tools.js';
import type { RollupDimensions } from '../contracts/rollup-columns.js';
import { AppError } from '../errors/app-error.js';
import { READ } from '../identity/roles.js';
import type { Store } from '../store/store.js';
import { timeParam } from './pagination.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/** Dashboards read rollups, so windows can be longer than the raw-event limit (92 days) — up to a year. */
const MAX_WINDOW_MS = 366 * 86_400_000;
/** Reports read from raw events keep the raw-read limit (DESIGN §4). */
const RAW_WINDOW_MS = 92 * 86_400_000;

function window(from: number, to: number): void {
  if (to <= from) throw new AppError('invalid_query', '`to` must be after `from`');
  if (to - from > MAX_WINDOW_MS) throw new AppError('invalid_query', 'time window may span at most 366 days');
}

const name = z.string().max(200).optional();

export function registerAnalyticsRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/analytics/adoption',
    access: READ,
    tag: 'analytics',
    summary:
      'Adoption over whole UTC days: DAU/WAU/MAU, active share of known people, new vs returning, daily trend; ' +
      'by department, team or surface with the groups growing fastest and those stalling.',
    query: z.strictObject({ from: timeParam, to: timeParam, group_by: z.enum(adoptionGroups).optional() }),
    handler: async ({ query }) => {
      window(query.from, query.to);
      return adoptionReport(store, {
        from: query.from,
        to: query.to,
        ...(query.group_by ? { groupBy: query.group_by } : {}),
      });
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/analytics/cost',
    access: READ,
    tag: 'analytics',
    summary:
      'Estimated cost and tokens over whole hours, grouped, with cache hit ratio, top and fastest-growing spenders, ' +
      'month-to-date and a linear month-end forecast. Filters match one value of a dimension.',
    query: z.strictObject({
      from: timeParam,
      to: timeParam,
      group_by: z.enum(costGroups).default('department'),
      person_id: name,
      team: name,
      department: name,
      surface: name,
      model: name,
      agent: name,
      workflow: name,
      skill: name,
      plugin: name,
      mcp_server: name,
    }),
    handler: async ({ query }) => {
      window(query.from, query.to);
      const { from, to, group_by, ...rest } = query;
      const filters: Partial<RollupDimensions> = {};
      for (const [k, v] of Object.entries(rest)) if (v !== undefined) filters[k as keyof RollupDimensions] = v;
      return costReport(store, { from, to, groupBy: group_by, filters, now: Date.now() });
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/analytics/tools',
    access: READ,
    tag: 'analytics',
    summary:
      'Tool-call visibility from raw events in a required window (at most 92 days): built-in tools, MCP servers ' +
      'and their tools, skills, plugins and subagents — calls, error rate, latency p50/p95, distinct people, and ' +
      'which tools can write.',
    query: z.strictObject({ from: timeParam, to: timeParam }),
    handler: async ({ query }) => {
      window(query.from, query.to);
      if (query.to - query.from > RAW_WINDOW_MS)
        throw new AppError('invalid_query', 'time window may span at most 92 days (tools are read from raw events)');
      return toolsReport(store, { from: query.from, to: query.to });
    },
  });
}
