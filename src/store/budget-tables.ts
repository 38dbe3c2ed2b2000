/**
 * Kysely table types of the budget store (migration 0007). Amounts are integers in the budget's unit: micro-USD
 * for `usd` budgets, tokens for `tokens` budgets. Times are epoch milliseconds.
 */
export interface BudgetsTable {
  id: string;
  org_id: string;
  /** org | department | team | person | agent | workflow | key */
  scope_kind: string;
  /** '' for `org` (so the unique index folds it like any other value); emails lower-cased. */
  scope_value: string;
  /** daily | weekly | monthly | 5h */
  window: string;
  /** usd | tokens */
  unit: string;
  limit: number;
  /** warn | throttle | block */
  action: string;
  /** JSON `{ requestsPerMinute?, tokensPerMinute? }` for throttle budgets. */
  rate: string | null;
  warn_at: number | null;
  message: string | null;
  paused: number;
  /** 1 for a kill-switch entry created by pausing a scope that had no budget; removed on resume. */
  pause_only: number;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

/**
 * Settled spend per budget and bucket: the whole window for calendar budgets (bucket = window start), one minute
 * for the rolling 5 h window (bucket = minute start). Additive: every replica adds what it settled.
 */
export interface BudgetSpendTable {
  org_id: string;
  budget_id: string;
  bucket_start: number;
  amount: number;
}

/** One row per organisation: bumped by every definition change so replicas notice within their refresh interval. */
export interface BudgetVersionsTable {
  org_id: string;
  version: number;
  changed_at: number;
}
