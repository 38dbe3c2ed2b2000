import { type Kysely } from 'kysely';

/**
 * Budgets (issue 5, docs/budgets.md). `budgets` holds the definitions — one per organisation, scope, window, unit
 * and kind (a kill-switch entry has its own slot so it never collides with a real budget of the same scope);
 * `budget_spend` the settled spend per budget and bucket (the window start for calendar windows, the minute for
 * the rolling 5 h window), so in-process counters survive a restart and a cold Redis or a new replica starts from
 * what was really spent; `budget_versions` a counter per organisation bumped by every definition change, which
 * replicas poll to refresh their cached definitions.
 */
export function budgetsMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('budgets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('scope_kind', 'text', (c) => c.notNull())
        .addColumn('scope_value', 'text', (c) => c.notNull())
        .addColumn('window', 'text', (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('limit', 'bigint', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('rate', 'text')
        .addColumn('warn_at', 'double precision')
        .addColumn('message', 'text')
        .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pause_only', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('budgets_slot', ['org_id', 'scope_kind', 'scope_value', 'window', 'unit', 'pause_only'])
        .execute();
      await db.schema
        .createTable('budget_spend')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('budget_id', 'text', (c) => c.notNull())
        .addColumn('bucket_start', 'bigint', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('budget_spend_pk', ['org_id', 'budget_id', 'bucket_start'])
        .execute();
      await db.schema
        .createTable('budget_versions')
        .addColumn('org_id', 'text', (c) => c.primaryKey())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('changed_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
