import { type Kysely } from 'kysely';

/**
 * RACI and cadences (issue 6, docs/governance-operations.md). `gov_raci` holds each organisation's matrix as one
 * JSON document (roles, activities, cells) so a save is atomic and validated whole; `gov_raci_history` every change
 * (actor, time, before/after). `gov_cadences` the review schedules (the four cadences and the forum);
 * `gov_reviews` the records of the reviews held (date, attendees, notes, decisions).
 */
export function raciCadencesMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('gov_raci')
        .addColumn('org_id', 'text', (c) => c.primaryKey())
        .addColumn('matrix', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('gov_raci_history')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('before', 'text')
        .addColumn('after', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('gov_raci_history_org')
        .on('gov_raci_history')
        .columns(['org_id', 'version'])
        .execute();
      await db.schema
        .createTable('gov_cadences')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('frequency', 'text', (c) => c.notNull())
        .addColumn('owner_person', 'text')
        .addColumn('owner_role', 'text')
        .addColumn('attendees', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('grace_days', 'integer', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('gov_cadences_pk', ['org_id', 'id'])
        .execute();
      await db.schema
        .createTable('gov_reviews')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('cadence_id', 'text', (c) => c.notNull())
        .addColumn('held_at', 'bigint', (c) => c.notNull())
        .addColumn('attendees', 'text', (c) => c.notNull())
        .addColumn('notes', 'text', (c) => c.notNull())
        .addColumn('decisions', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('gov_reviews_cadence')
        .on('gov_reviews')
        .columns(['org_id', 'cadence_id', 'held_at'])
        .execute();
    },
  };
}
