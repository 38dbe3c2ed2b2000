import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { discoveryReport } from '../analytics/discovery.js';
import { DEFAULT_MAX_NODES, graphReport } from '../analytics/graph.js';
import { AppError } from '../errors/app-error.js';
import { READ } from '../identity/roles.js';
import type { Store } from '../store/store.js';
import { timeParam } from './pagination.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

const DAY = 86_400_000;

function window(from: number, to: number, maxDays: number): void {
  if (to <= from) throw new AppError('invalid_query', '`to` must be after `from`');
  if (to - from > maxDays * DAY) throw new AppError('invalid_query', `time window may span at most ${maxDays} days`);
}

const name = z.string().min(1).max(200).optional();

/** Discovery and the agent access graph (issue 3 §6–7). */
export function registerDiscoveryRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/analytics/discovery',
    access: READ,
    tag: 'analytics',
    summary:
      'Every person, model, agent type, skill, plugin, MCP server and workspace folder seen in a window (at most ' +
      '366 days, whole hours), with first/last seen and by whom; what is new in the 7 days before `to`; people ' +
      'with no known department flagged as unsanctioned candidates (there is no seat table yet).',
    query: z.strictObject({ from: timeParam, to: timeParam }),
    handler: async ({ query }) => {
      window(query.from, query.to, 366);
      return discoveryReport(store, { from: query.from, to: query.to });
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/analytics/graph',
    access: READ,
    tag: 'analytics',
    summary:
      'Agent access graph in a window (at most 92 days: tool edges read raw events): nodes (person, agent, skill, ' +
      'plugin, mcp_server, tool, workspace, model) and edges with calls, last use and a write/egress risk mark; ' +
      `filter by team or department; capped at max_nodes (default ${DEFAULT_MAX_NODES}), saying so when capped.`,
    query: z.strictObject({
      from: timeParam,
      to: timeParam,
      team: name,
      department: name,
      max_nodes: z.coerce.number().int().min(1).max(5000).optional(),
    }),
    handler: async ({ query }) => {
      window(query.from, query.to, 92);
      return graphReport(store, {
        from: query.from,
        to: query.to,
        team: query.team,
        department: query.department,
        ...(query.max_nodes !== undefined ? { maxNodes: query.max_nodes } : {}),
      });
    },
  });
}
