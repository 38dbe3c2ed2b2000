import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  BudgetAction,
  BudgetDefinition,
  BudgetScope,
  BudgetScopeKind,
  BudgetUnit,
  BudgetWindow,
} from '../contracts/budget.js';
import type { BudgetsTable } from './budget-tables.js';
import type { Database } from './database.js';
import type { Store } from './store.js';

/**
 * Budget definitions, their change counter and settled spend (migration 0007). Every definition change bumps the
 * organisation's version in the same transaction, so a replica that polls the version never misses a change.
 * Spend rows are additive (`amount = amount + excluded.amount`): each replica adds what it settled.
 */
export type BudgetRow = Selectable<BudgetsTable>;

/** A definition as stored, with who made and changed it. */
export interface BudgetRecord extends BudgetDefinition {
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

export interface BudgetInput {
  orgId: string;
  scope: BudgetScope;
  window: BudgetWindow;
  unit: BudgetUnit;
  limit: number;
  action: BudgetAction;
  rate?: BudgetDefinition['rate'] | undefined;
  warnAt?: number | undefined;
  message?: string | undefined;
  by: string;
  now?: number;
}

/** Stored scope value: '' for `org` so the unique slot index folds it (a NULL never equals itself). */
const storedValue = (scope: BudgetScope): string => scope.value ?? '';

export function toBudgetRecord(row: BudgetRow): BudgetRecord {
  const rate = row.rate === null ? undefined : (JSON.parse(row.rate) as BudgetDefinition['rate']);
  return {
    id: row.id,
    scope: { kind: row.scope_kind as BudgetScopeKind, value: row.scope_kind === 'org' ? null : row.scope_value },
    window: row.window as BudgetWindow,
    unit: row.unit as BudgetUnit,
    limit: Number(row.limit),
    action: row.action as BudgetAction,
    ...(rate ? { rate } : {}),
    ...(row.warn_at === null ? {} : { warnAt: Number(row.warn_at) }),
    ...(row.message === null ? {} : { message: row.message }),
    paused: row.paused === 1,
    ...(row.pause_only === 1 ? { pauseOnly: true } : {}),
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    updatedAt: Number(row.updated_at),
    updatedBy: row.updated_by,
  };
}

/** Serialises definition changes per organisation on PostgreSQL (SQLite has one writer anyway). */
async function lockOrg(trx: Transaction<Database>, store: Store, orgId: string): Promise<void> {
  if (store.dialect !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtext(${`steward.budgets:${orgId}`}))`.execute(trx);
}

async function bumpVersion(trx: Transaction<Database>, orgId: string, now: number): Promise<void> {
  await trx
    .insertInto('budget_versions')
    .values({ org_id: orgId, version: 1, changed_at: now })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ version: sql`budget_versions.version + 1`, changed_at: now }))
    .execute();
}

/** Runs a definition change under the organisation's lock and bumps its version with it. */
async function change<T>(store: Store, orgId: string, now: number, fn: (trx: Transaction<Database>) => Promise<T>) {
  return store.db.transaction().execute(async (trx) => {
    await lockOrg(trx, store, orgId);
    const result = await fn(trx);
    await bumpVersion(trx, orgId, now);
    return result;
  });
}

function scopeRows(db: Kysely<Database> | Transaction<Database>, orgId: string, scope: BudgetScope) {
  return db
    .selectFrom('budgets')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('scope_kind', '=', scope.kind)
    .where('scope_value', '=', storedValue(scope));
}

/**
 * Creates the budget for (scope, window, unit) or updates that slot's limit, action, rate, warning threshold and
 * message; the id and the paused state are kept. A new budget of a paused scope starts paused.
 */
export async function upsertBudget(store: Store, b: BudgetInput): Promise<{ record: BudgetRecord; created: boolean }> {
  const now = b.now ?? Date.now();
  return change(store, b.orgId, now, async (trx) => {
    const existing = await scopeRows(trx, b.orgId, b.scope).execute();
    const slot = existing.find((r) => r.window === b.window && r.unit === b.unit && r.pause_only === 0);
    const values = {
      limit: b.limit,
      action: b.action,
      rate: b.rate ? JSON.stringify(b.rate) : null,
      warn_at: b.warnAt ?? null,
      message: b.message ?? null,
      updated_at: now,
      updated_by: b.by,
    };
    if (slot) {
      await trx.updateTable('budgets').set(values).where('id', '=', slot.id).execute();
      return { record: toBudgetRecord({ ...slot, ...values }), created: false };
    }
    const row: BudgetRow = {
      id: randomUUID(),
      org_id: b.orgId,
      scope_kind: b.scope.kind,
      scope_value: storedValue(b.scope),
      window: b.window,
      unit: b.unit,
      paused: existing.some((r) => r.paused === 1) ? 1 : 0,
      pause_only: 0,
      created_at: now,
      created_by: b.by,
      ...values,
    };
    await trx.insertInto('budgets').values(row).execute();
    return { record: toBudgetRecord(row), created: true };
  });
}

export async function listBudgets(db: Kysely<Database>, orgId: string): Promise<BudgetRecord[]> {
  const rows = await db
    .selectFrom('budgets')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('scope_kind')
    .orderBy('scope_value')
    .orderBy('window')
    .orderBy('unit')
    .orderBy('pause_only')
    .execute();
  return rows.map(toBudgetRecord);
}

export async function getBudget(db: Kysely<Database>, orgId: string, id: string): Promise<BudgetRecord | undefined> {
  const row = await db
    .selectFrom('budgets')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toBudgetRecord(row) : undefined;
}

/** Deletes a definition and its settled spend; false when there was none. */
export async function deleteBudget(store: Store, orgId: string, id: string, now = Date.now()): Promise<boolean> {
  return change(store, orgId, now, async (trx) => {
    const r = await trx.deleteFrom('budgets').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    await trx.deleteFrom('budget_spend').where('org_id', '=', orgId).where('budget_id', '=', id).execute();
    return Number(r.numDeletedRows) > 0;
  });
}

/** Pauses or resumes one definition; undefined for an unknown id. Resuming a kill-switch entry removes it. */
export async function setBudgetPaused(
  store: Store,
  orgId: string,
  id: string,
  paused: boolean,
  by: string,
  now = Date.now(),
): Promise<BudgetRecord | undefined> {
  return change(store, orgId, now, async (trx) => {
    const row = await trx
      .selectFrom('budgets')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    if (!paused && row.pause_only === 1) {
      await trx.deleteFrom('budgets').where('id', '=', id).execute();
      return { ...toBudgetRecord(row), paused: false };
    }
    const set = { paused: paused ? 1 : 0, updated_at: now, updated_by: by };
    await trx.updateTable('budgets').set(set).where('id', '=', id).execute();
    return toBudgetRecord({ ...row, ...set });
  });
}

/**
 * The kill switch: pauses every definition of the scope, creating a kill-switch entry (no limit) when the scope
 * has none, so `pause --scope agent:x` always stops agent x.
 */
export async function pauseScope(
  store: Store,
  orgId: string,
  scope: BudgetScope,
  by: string,
  now = Date.now(),
): Promise<BudgetRecord[]> {
  return change(store, orgId, now, async (trx) => {
    const rows = await scopeRows(trx, orgId, scope).execute();
    if (rows.length === 0) {
      const row: BudgetRow = {
        id: randomUUID(),
        org_id: orgId,
        scope_kind: scope.kind,
        scope_value: storedValue(scope),
        window: 'daily',
        unit: 'usd',
        limit: 0,
        action: 'block',
        rate: null,
        warn_at: null,
        message: null,
        paused: 1,
        pause_only: 1,
        created_at: now,
        created_by: by,
        updated_at: now,
        updated_by: by,
      };
      await trx.insertInto('budgets').values(row).execute();
      return [toBudgetRecord(row)];
    }
    const set = { paused: 1, updated_at: now, updated_by: by };
    await trx
      .updateTable('budgets')
      .set(set)
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((r) => toBudgetRecord({ ...r, ...set }));
  });
}

/** Resumes every definition of the scope and removes its kill-switch entry; the definitions that remain. */
export async function resumeScope(
  store: Store,
  orgId: string,
  scope: BudgetScope,
  by: string,
  now = Date.now(),
): Promise<BudgetRecord[]> {
  return change(store, orgId, now, async (trx) => {
    const rows = await scopeRows(trx, orgId, scope).execute();
    const killSwitches = rows.filter((r) => r.pause_only === 1).map((r) => r.id);
    if (killSwitches.length > 0) await trx.deleteFrom('budgets').where('id', 'in', killSwitches).execute();
    const kept = rows.filter((r) => r.pause_only === 0);
    const set = { paused: 0, updated_at: now, updated_by: by };
    if (kept.length > 0) {
      await trx
        .updateTable('budgets')
        .set(set)
        .where(
          'id',
          'in',
          kept.map((r) => r.id),
        )
        .execute();
    }
    return kept.map((r) => toBudgetRecord({ ...r, ...set }));
  });
}

/** The organisation's definition version (0 before any change). */
export async function budgetVersion(db: Kysely<Database>, orgId: string): Promise<number> {
  const row = await db.selectFrom('budget_versions').select('version').where('org_id', '=', orgId).executeTakeFirst();
  return row ? Number(row.version) : 0;
}

export interface SpendDelta {
  budgetId: string;
  bucketStart: number;
  amount: number;
}

/** Adds settled spend (one transaction; several replicas add to the same rows safely). */
export async function addBudgetSpend(store: Store, orgId: string, deltas: readonly SpendDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await store.db.transaction().execute(async (trx) => {
    // Fixed order: two replicas flushing overlapping rows lock them in the same order (no deadlock on PostgreSQL).
    const sorted = [...deltas].sort((a, b) =>
      a.budgetId === b.budgetId ? a.bucketStart - b.bucketStart : a.budgetId < b.budgetId ? -1 : 1,
    );
    for (let i = 0; i < sorted.length; i += 500) {
      await trx
        .insertInto('budget_spend')
        .values(
          sorted.slice(i, i + 500).map((d) => ({
            org_id: orgId,
            budget_id: d.budgetId,
            bucket_start: d.bucketStart,
            amount: d.amount,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['org_id', 'budget_id', 'bucket_start'])
            .doUpdateSet({ amount: sql`budget_spend.amount + excluded.amount` }),
        )
        .execute();
    }
  });
}

/** Settled spend of one budget per bucket in [from, to) (`to` may be Infinity), oldest first. */
export async function readBudgetSpend(
  db: Kysely<Database>,
  orgId: string,
  budgetId: string,
  from: number,
  to: number,
): Promise<{ bucketStart: number; amount: number }[]> {
  let q = db
    .selectFrom('budget_spend')
    .select(['bucket_start', 'amount'])
    .where('org_id', '=', orgId)
    .where('budget_id', '=', budgetId)
    .where('bucket_start', '>=', from);
  if (Number.isFinite(to)) q = q.where('bucket_start', '<', to);
  const rows = await q.orderBy('bucket_start').execute();
  return rows.map((r) => ({ bucketStart: Number(r.bucket_start), amount: Number(r.amount) }));
}

/** Drops minute buckets of rolling budgets that no window can reach any more. */
export async function pruneBudgetSpend(
  db: Kysely<Database>,
  orgId: string,
  budgetIds: readonly string[],
  before: number,
): Promise<void> {
  if (budgetIds.length === 0) return;
  await db
    .deleteFrom('budget_spend')
    .where('org_id', '=', orgId)
    .where('budget_id', 'in', budgetIds)
    .where('bucket_start', '<', before)
    .execute();
}
