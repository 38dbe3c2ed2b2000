import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * The four governance objects (issue 6, docs/governance.md). One table holds acceptable-use policies, workspaces,
 * connectors and skills: the fields every object has (owner, review cadence, last reviewed, next review due, home,
 * status) are columns, so findings and overdue checks query them; the fields of each kind are a JSON document
 * validated by govern/ (zod) on every write. Policy versions, acknowledgements and connector decisions have tables
 * of their own; `gov_history` keeps every change (before/after JSON, actor, time), written in the change's
 * transaction. The auto-increment history key is the one dialect fork (as in 0001).
 */
export function governanceMigration(dialect: Dialect) {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('gov_objects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('review_cadence', 'text', (c) => c.notNull())
        .addColumn('last_reviewed_at', 'bigint')
        .addColumn('next_review_due', 'bigint', (c) => c.notNull())
        .addColumn('home', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('gov_objects_name', ['org_id', 'kind', 'name'])
        .execute();
      await db.schema.createIndex('gov_objects_due').on('gov_objects').columns(['org_id', 'next_review_due']).execute();

      await db.schema
        .createTable('gov_history')
        .addColumn('id', serial, (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('object_kind', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .execute();
      await db.schema
        .createIndex('gov_history_object')
        .on('gov_history')
        .columns(['org_id', 'object_kind', 'object_id', 'id'])
        .execute();

      await db.schema
        .createTable('gov_policy_versions')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('policy_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('body_md', 'text', (c) => c.notNull())
        .addColumn('effective_date', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('approver', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('gov_policy_versions_pk', ['org_id', 'policy_id', 'version'])
        .execute();

      await db.schema
        .createTable('gov_policy_acks')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('policy_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('person', 'text', (c) => c.notNull())
        .addColumn('acknowledged_at', 'bigint', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('gov_policy_acks_pk', ['org_id', 'policy_id', 'version', 'person'])
        .execute();

      await db.schema
        .createTable('gov_connector_decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('connector_id', 'text', (c) => c.notNull())
        .addColumn('from_status', 'text', (c) => c.notNull())
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('reference', 'text')
        .execute();
      await db.schema
        .createIndex('gov_connector_decisions_connector')
        .on('gov_connector_decisions')
        .columns(['org_id', 'connector_id', 'decided_at'])
        .execute();
    },
  };
}
