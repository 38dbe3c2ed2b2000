/**
 * Token and spend budgets (issue 5: "budgets that really hold"). The gateway (src/gateway, a surface) asks the
 * budget gate (src/budgets, a domain module) before it forwards a request and tells it what the request really
 * cost afterwards; the REST API, the CLI and the console read budget state through the same module. Plain types
 * only, shared by both sides so neither imports the other.
 *
 * Money is integer micro-USD everywhere (as in events.cost_micros); tokens are integers.
 */

/** What a budget applies to. `org` has no value; every other scope names one person, team, agent… */
export const budgetScopeKinds = ['org', 'department', 'team', 'person', 'agent', 'workflow', 'key'] as const;
export type BudgetScopeKind = (typeof budgetScopeKinds)[number];

/** Calendar windows are UTC (day, ISO week from Monday, month); `5h` is a rolling five hours. */
export const budgetWindows = ['daily', 'weekly', 'monthly', '5h'] as const;
export type BudgetWindow = (typeof budgetWindows)[number];

export const budgetUnits = ['usd', 'tokens'] as const;
export type BudgetUnit = (typeof budgetUnits)[number];

/**
 * What happens once the window's spend reaches the limit: `warn` lets the request through with a warning header
 * and event; `throttle` admits at most `rate` (requests and/or tokens per minute) and answers 429 with
 * `retry-after` beyond it; `block` answers 429 in the Anthropic error format with `x-should-retry: false` and the
 * education message. A paused scope (the kill switch) is refused whatever its spend.
 */
export const budgetActions = ['warn', 'throttle', 'block'] as const;
export type BudgetAction = (typeof budgetActions)[number];

export interface BudgetScope {
  kind: BudgetScopeKind;
  /** Email for `person`, name for team/department/agent/workflow, key id for `key`; null for `org`. */
  value: string | null;
}

export interface BudgetDefinition {
  id: string;
  scope: BudgetScope;
  window: BudgetWindow;
  unit: BudgetUnit;
  /** Micro-USD when unit is `usd`, tokens when `tokens`. */
  limit: number;
  action: BudgetAction;
  /** For `throttle`: the admitted rate once the limit is reached. */
  rate?: { requestsPerMinute?: number; tokensPerMinute?: number };
  /** Fraction of the limit (0..1) at which a `warn` header and event start; default 0.8. */
  warnAt?: number;
  /** Shown to the person when the budget stops or slows them (the education message); a default is built if absent. */
  message?: string;
  paused: boolean;
  /**
   * A kill-switch entry: created by pausing a scope that had no budget (`steward budgets pause --scope agent:x`).
   * It has no limit of its own (limit 0), stops everything while paused and is removed on resume.
   */
  pauseOnly?: boolean;
}

/** Who a request is for, resolved by the gateway from its key and attribution headers. */
export interface BudgetSubject {
  personId: string | null;
  email: string | null;
  department: string | null;
  team: string | null;
  agent: string | null;
  workflow: string | null;
  /** The gateway key's id. */
  keyId: string | null;
}

/** Spend in both units; a request's estimate or its settled actual. */
export interface Spend {
  micros: number;
  tokens: number;
}

/** A budget's state in its current window, as the API and the warning headers report it. */
export interface BudgetState {
  budget: BudgetDefinition;
  windowStart: number;
  windowEnd: number;
  /** Settled spend in the window (unit of the budget). */
  spent: number;
  /** Reserved by requests in flight (unit of the budget). */
  reserved: number;
  remaining: number;
}

export interface Reservation {
  id: string;
  /** The budgets the estimate was reserved against, with the window each reservation sits in. */
  holds: readonly { budgetId: string; windowStart: number; amount: number }[];
  estimate: Spend;
  createdAt: number;
}

export type BudgetVerdict =
  | { outcome: 'allow'; reservation: Reservation; warnings: readonly BudgetState[] }
  | { outcome: 'block'; state: BudgetState; message: string }
  | { outcome: 'throttle'; state: BudgetState; retryAfterSeconds: number; message: string }
  | { outcome: 'paused'; budget: BudgetDefinition; message: string };

/**
 * The gate the gateway calls. `admit` reserves the estimate against every budget that applies to the subject
 * atomically (all or none), so concurrent requests can never overspend beyond what is in flight; `settle` replaces
 * the reservation with the actual spend; `release` drops it (upstream failure, client abort before any usage).
 * Implemented in-process and on Redis (several replicas share one set of counters).
 */
export interface BudgetGate {
  admit(subject: BudgetSubject, estimate: Spend, now?: number): Promise<BudgetVerdict>;
  settle(reservation: Reservation, actual: Spend, now?: number): Promise<void>;
  release(reservation: Reservation): Promise<void>;
}
