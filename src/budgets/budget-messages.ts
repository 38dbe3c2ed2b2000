import type { BudgetDefinition } from '../contracts/budget.js';
import { scopeOwner } from './budget-scope.js';
import { resetPhrase, windowWord } from './budget-windows.js';

/**
 * The education messages a refused person reads (Claude Code shows a 429's message when `x-should-retry: false`).
 * A budget's own `message` wins; the defaults name the scope, the window, the limit and when room comes back.
 */
const ASK = 'Ask your team lead or your Claude administrator if you need more.';

export function formatLimit(b: Pick<BudgetDefinition, 'unit' | 'limit'>): string {
  if (b.unit === 'usd') {
    return `$${(b.limit / 1_000_000).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
  return `${b.limit.toLocaleString('en-US')} tokens`;
}

function budgetPhrase(b: BudgetDefinition): string {
  return `${scopeOwner(b.scope)} ${windowWord(b.window)} Claude budget of ${formatLimit(b)}`;
}

export function blockMessage(b: BudgetDefinition, now: number): string {
  return b.message ?? `${budgetPhrase(b)} is used up. ${resetPhrase(b.window, now)} ${ASK}`;
}

export function throttleMessage(b: BudgetDefinition, retryAfterSeconds: number): string {
  if (b.message) return b.message;
  const rate = [
    b.rate?.requestsPerMinute === undefined ? null : `${b.rate.requestsPerMinute} requests`,
    b.rate?.tokensPerMinute === undefined ? null : `${b.rate.tokensPerMinute.toLocaleString('en-US')} tokens`,
  ]
    .filter((x) => x !== null)
    .join(' and ');
  return (
    `${budgetPhrase(b)} is used up, so requests are slowed to ${rate} a minute. ` +
    `Try again in ${retryAfterSeconds} s. ${ASK}`
  );
}

export function pausedMessage(b: BudgetDefinition): string {
  return (
    b.message ??
    `${scopeOwner(b.scope)} access to Claude is paused by an administrator. Ask your Claude administrator to resume it.`
  );
}
