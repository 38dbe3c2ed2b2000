import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  budgetSpecSchema,
  findBudget,
  pauseBudget,
  pauseBudgetScope,
  removeBudget,
  setBudget,
} from '../budgets/budget-admin.js';
import type { StewardBudgetGate } from '../budgets/budget-gate.js';
import { formatScope, parseScope } from '../budgets/budget-scope.js';
import type { BudgetState } from '../contracts/budget.js';
import { ADMIN, READ } from '../identity/roles.js';
import type { BudgetRecord } from '../store/budgets.repo.js';
import type { Store } from '../store/store.js';
import { iso } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * Budgets over the API (issue 5, docs/budgets.md): definitions with their state in the current window, create or
 * update, delete, pause and resume by id, and the kill switch by scope. Amounts are shown in the budget's unit:
 * US dollars (micro-dollar precision) for `usd` budgets, tokens for `tokens` budgets. Every change reloads this
 * replica's gate at once and tells the others through Redis (or their version poll within a second).
 */
const idParams = z.strictObject({ id: z.string().min(1).max(100) });
const scopeBody = z.strictObject({
  scope: z.string().min(1).max(400).describe('org, person:EMAIL, team:T, department:D, agent:A, workflow:W or key:ID'),
});

function by(request: FastifyRequest): string {
  const p = request.principal;
  return p ? `${p.name} (token ${p.id})` : 'unknown';
}

const inUnit = (b: BudgetRecord, amount: number): number => (b.unit === 'usd' ? amount / 1_000_000 : amount);

export function presentBudget(b: BudgetRecord, state: BudgetState | undefined) {
  return {
    id: b.id,
    scope: formatScope(b.scope),
    scope_kind: b.scope.kind,
    scope_value: b.scope.value,
    window: b.window,
    unit: b.unit,
    limit: inUnit(b, b.limit),
    action: b.action,
    rate: b.rate
      ? { requests_per_minute: b.rate.requestsPerMinute ?? null, tokens_per_minute: b.rate.tokensPerMinute ?? null }
      : null,
    warn_at: b.warnAt ?? 0.8,
    message: b.message ?? null,
    paused: b.paused,
    kill_switch: b.pauseOnly === true,
    window_start: state ? iso(state.windowStart) : null,
    window_end: state ? iso(state.windowEnd) : null,
    spent: state ? inUnit(b, state.spent) : 0,
    reserved: state ? inUnit(b, state.reserved) : 0,
    remaining: state ? inUnit(b, state.remaining) : inUnit(b, b.limit),
    created_at: iso(b.createdAt),
    created_by: b.createdBy,
    updated_at: iso(b.updatedAt),
    updated_by: b.updatedBy,
  };
}

export function registerBudgetRoutes(
  app: FastifyInstance,
  registry: RegisteredSpec[],
  store: Store,
  gate: StewardBudgetGate,
): void {
  const orgId = gate.orgId;
  /** The records with their current state; after a change, this replica reloads and the others are told. */
  const withStates = async (records: readonly BudgetRecord[], changed: boolean) => {
    await (changed ? gate.definitionsChanged() : gate.refresh());
    const states = new Map((await gate.states()).map((s) => [s.budget.id, s]));
    return records.map((r) => presentBudget(r, states.get(r.id)));
  };

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/budgets',
    access: READ,
    tag: 'budgets',
    summary:
      'Every budget with its state in the current window: spent (settled), reserved (requests in flight), ' +
      'remaining, and when the window started and resets. `scope` filters to one scope (`team:Platform`).',
    query: z.strictObject({ scope: z.string().min(1).max(400).optional() }),
    handler: async ({ query }) => {
      await gate.refresh();
      const states = await gate.states();
      const items = states.map((s) => presentBudget(s.budget as BudgetRecord, s));
      if (query.scope === undefined) return { items };
      const scope = formatScope(parseScope(query.scope));
      return { items: items.filter((i) => i.scope === scope) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/budgets/{id}',
    access: READ,
    tag: 'budgets',
    summary: 'One budget with its state in the current window.',
    params: idParams,
    handler: async ({ params }) => {
      const record = await findBudget(store, orgId, params.id);
      return (await withStates([record], false))[0];
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/budgets',
    access: ADMIN,
    tag: 'budgets',
    summary:
      'Create the budget of a scope, window and unit, or update it (limit, action, rate, warn_at, message; its ' +
      'spend and paused state are kept). 201 when created, 200 when updated.',
    body: budgetSpecSchema,
    handler: async ({ body, request }, reply) => {
      const { record, created } = await setBudget(store, orgId, body, by(request));
      const [presented] = await withStates([record], true);
      return reply.status(created ? 201 : 200).send(presented);
    },
  });

  defineRoute(app, registry, {
    method: 'DELETE',
    url: '/api/v1/budgets/{id}',
    access: ADMIN,
    tag: 'budgets',
    summary: 'Delete a budget and its recorded spend.',
    params: idParams,
    handler: async ({ params }) => {
      await removeBudget(store, orgId, params.id);
      await gate.definitionsChanged();
      return { deleted: params.id };
    },
  });

  for (const paused of [true, false]) {
    const verb = paused ? 'pause' : 'resume';
    defineRoute(app, registry, {
      method: 'POST',
      url: `/api/v1/budgets/{id}/${verb}`,
      access: ADMIN,
      tag: 'budgets',
      summary: paused
        ? 'Pause one budget: every request it applies to is refused until it is resumed.'
        : 'Resume one paused budget (a kill-switch entry is removed).',
      params: idParams,
      handler: async ({ params, request }) => {
        const record = await pauseBudget(store, orgId, params.id, paused, by(request));
        return (await withStates([record], true))[0];
      },
    });
    defineRoute(app, registry, {
      method: 'POST',
      url: `/api/v1/budgets/${verb}`,
      access: ADMIN,
      tag: 'budgets',
      summary: paused
        ? 'The kill switch: pause every budget of a scope (typically `agent:NAME`), creating a kill-switch entry ' +
          'when the scope has none. Its requests are refused until resumed.'
        : 'Resume every budget of a scope and remove its kill-switch entry.',
      body: scopeBody,
      handler: async ({ body, request }) => ({
        items: await withStates(await pauseBudgetScope(store, orgId, body.scope, paused, by(request)), true),
      }),
    });
  }
}
