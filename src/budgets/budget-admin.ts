import { z } from 'zod';
import { budgetActions, budgetWindows, type BudgetScope } from '../contracts/budget.js';
import { AppError } from '../errors/app-error.js';
import {
  deleteBudget,
  getBudget,
  pauseScope,
  resumeScope,
  setBudgetPaused,
  upsertBudget,
  type BudgetRecord,
} from '../store/budgets.repo.js';
import type { Store } from '../store/store.js';
import { parseScope } from './budget-scope.js';

/**
 * Changing budgets, shared by the REST API and the CLI: one zod schema for a budget as people write it
 * (`scope: "team:Platform"`, `limit_usd: 50`), one conversion to the stored form (micro-USD), and the pause and
 * resume operations. Callers with a running gate call `gate.definitionsChanged()` afterwards; other replicas and
 * the CLI's changes are picked up by the gate's version poll.
 */
const MAX_USD = 100_000_000;
const MAX_TOKENS = 1e15;

export const budgetSpecSchema = z
  .strictObject({
    scope: z
      .string()
      .min(1)
      .max(400)
      .describe('org, person:EMAIL, team:T, department:D, agent:A, workflow:W or key:ID'),
    window: z.enum(budgetWindows),
    limit_usd: z.number().min(0).max(MAX_USD).optional().describe('Limit in US dollars (stored as micro-USD).'),
    limit_tokens: z.number().int().min(0).max(MAX_TOKENS).optional().describe('Limit in tokens.'),
    action: z.enum(budgetActions),
    rate: z
      .strictObject({
        requests_per_minute: z.number().int().min(1).max(1_000_000).optional(),
        tokens_per_minute: z.number().int().min(1).max(MAX_TOKENS).optional(),
      })
      .optional()
      .describe('Throttle budgets: what is still admitted per minute once the limit is reached.'),
    warn_at: z.number().gt(0).max(1).optional().describe('Fraction of the limit at which warnings start (0.8).'),
    message: z.string().min(1).max(2000).optional().describe('Shown to the person when the budget stops them.'),
  })
  .superRefine((b, ctx) => {
    if ((b.limit_usd === undefined) === (b.limit_tokens === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['limit_usd'], message: 'give exactly one of limit_usd or limit_tokens' });
    }
    const rated = b.rate?.requests_per_minute !== undefined || b.rate?.tokens_per_minute !== undefined;
    if (b.action === 'throttle' && !rated) {
      ctx.addIssue({
        code: 'custom',
        path: ['rate'],
        message: 'a throttle budget needs rate.requests_per_minute and/or rate.tokens_per_minute',
      });
    }
    if (b.action !== 'throttle' && b.rate !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['rate'], message: 'rate applies to throttle budgets only' });
    }
  });

export type BudgetSpec = z.infer<typeof budgetSpecSchema>;

/** Creates or updates the budget of (scope, window, unit); the parsed scope must be valid. */
export async function setBudget(
  store: Store,
  orgId: string,
  spec: BudgetSpec,
  by: string,
): Promise<{ record: BudgetRecord; created: boolean }> {
  const scope = parseScope(spec.scope);
  const usd = spec.limit_usd !== undefined;
  const rate =
    spec.action === 'throttle' && spec.rate
      ? {
          ...(spec.rate.requests_per_minute === undefined ? {} : { requestsPerMinute: spec.rate.requests_per_minute }),
          ...(spec.rate.tokens_per_minute === undefined ? {} : { tokensPerMinute: spec.rate.tokens_per_minute }),
        }
      : undefined;
  return upsertBudget(store, {
    orgId,
    scope,
    window: spec.window,
    unit: usd ? 'usd' : 'tokens',
    limit: usd ? Math.round((spec.limit_usd as number) * 1_000_000) : (spec.limit_tokens as number),
    action: spec.action,
    rate,
    warnAt: spec.warn_at,
    message: spec.message,
    by,
  });
}

export async function removeBudget(store: Store, orgId: string, id: string): Promise<void> {
  if (!(await deleteBudget(store, orgId, id))) throw new AppError('not_found', `no budget ${id}`);
}

export async function pauseBudget(store: Store, orgId: string, id: string, paused: boolean, by: string) {
  const r = await setBudgetPaused(store, orgId, id, paused, by);
  if (!r) throw new AppError('not_found', `no budget ${id}`);
  return r;
}

/** The kill switch by scope: pause creates a kill-switch entry when the scope has no budget. */
export async function pauseBudgetScope(store: Store, orgId: string, scopeText: string, paused: boolean, by: string) {
  const scope: BudgetScope = parseScope(scopeText);
  return paused ? pauseScope(store, orgId, scope, by) : resumeScope(store, orgId, scope, by);
}

export async function findBudget(store: Store, orgId: string, id: string): Promise<BudgetRecord> {
  const r = await getBudget(store.db, orgId, id);
  if (!r) throw new AppError('not_found', `no budget ${id}`);
  return r;
}
