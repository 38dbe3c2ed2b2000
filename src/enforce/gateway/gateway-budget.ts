import type {
  BudgetGate,
  BudgetState,
  BudgetSubject,
  BudgetVerdict,
  Reservation,
  Spend,
} from '../../contracts/budget.js';
import type { Decision } from '../../contracts/policy-decision.js';
import { NO_RETRY, type GatewayErrorReply } from './anthropic-error.js';

/**
 * The gateway's side of the budget contract (contracts/budget.ts; the gate is src/budgets): a verdict becomes either
 * a go-ahead (with warning headers) or a refusal in the Anthropic error format. `block` and `paused` answer 429
 * `rate_limit_error` with the budget's education message and `x-should-retry: false`, so Claude Code shows the
 * message instead of retrying (claude-code-observed.md §2: only that header stops its retries); `throttle` answers
 * 429 with `retry-after`, which the client honours.
 */
export type BudgetOutcome =
  | { go: true; reservation: Reservation | null; warnings: readonly BudgetState[]; headers: Record<string, string> }
  | { go: false; reply: GatewayErrorReply; outcome: 'block' | 'throttle' | 'paused'; budgetId: string };

function describe(s: BudgetState): string {
  const b = s.budget;
  const scope = b.scope.value === null ? b.scope.kind : `${b.scope.kind}:${b.scope.value}`;
  const used = s.spent + s.reserved;
  const fmt = (n: number): string => (b.unit === 'usd' ? `$${(n / 1e6).toFixed(2)}` : `${n} tokens`);
  return `${scope} ${b.window} budget at ${Math.round((used / Math.max(1, b.limit)) * 100)}% (${fmt(used)} of ${fmt(b.limit)})`;
}

export function budgetOutcome(verdict: BudgetVerdict): BudgetOutcome {
  switch (verdict.outcome) {
    case 'allow': {
      const headers: Record<string, string> = {};
      // Header values are ASCII by construction (scope values are emails and names; non-ASCII is replaced).
      if (verdict.warnings.length > 0) {
        headers['x-steward-budget-warning'] = verdict.warnings
          .map(describe)
          .join('; ')
          .replace(/[^\x20-\x7e]/g, '?');
      }
      return { go: true, reservation: verdict.reservation, warnings: verdict.warnings, headers };
    }
    case 'block':
      return {
        go: false,
        outcome: 'block',
        budgetId: verdict.state.budget.id,
        reply: { status: 429, type: 'rate_limit_error', message: verdict.message, headers: { ...NO_RETRY } },
      };
    case 'paused':
      return {
        go: false,
        outcome: 'paused',
        budgetId: verdict.budget.id,
        reply: { status: 429, type: 'rate_limit_error', message: verdict.message, headers: { ...NO_RETRY } },
      };
    case 'throttle':
      return {
        go: false,
        outcome: 'throttle',
        budgetId: verdict.state.budget.id,
        reply: {
          status: 429,
          type: 'rate_limit_error',
          message: verdict.message,
          headers: { 'retry-after': String(Math.max(1, Math.ceil(verdict.retryAfterSeconds))) },
        },
      };
  }
}

/** A budget's verdict as a policy decision, so it is recorded like every other enforcement decision. */
export function budgetDecision(
  action: 'deny' | 'warn',
  budgetId: string,
  message: string,
  policyVersion: string,
): Decision {
  return {
    action,
    ruleId: `budget:${budgetId}`,
    message,
    matches: [{ ruleId: `budget:${budgetId}`, action }],
    redact: [],
    policyVersion,
    onFailure: 'open',
    shadow: false,
  };
}

/** Settles what was used (spend is never dropped), or releases when nothing was. */
export async function settleOrRelease(gate: BudgetGate, reservation: Reservation, actual: Spend | null): Promise<void> {
  if (actual === null) await gate.release(reservation);
  else await gate.settle(reservation, actual);
}

export function budgetSubjectOf(
  principal: { id: string; kind: string; subject: string },
  who: { personId?: string | null; email?: string | null; team?: string | null; department?: string | null },
): BudgetSubject {
  return {
    personId: who.personId ?? null,
    email: principal.kind === 'person' ? principal.subject : (who.email ?? null),
    department: who.department ?? null,
    team: who.team ?? null,
    agent: principal.kind === 'agent' ? principal.subject : null,
    workflow: null,
    keyId: principal.id,
  };
}
