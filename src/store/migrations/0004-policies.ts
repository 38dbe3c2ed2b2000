import { sql, type Kysely } from 'kysely';

/**
 * Policy versions (DESIGN §3 "Policy: versioned YAML documents"). Every push is a new row with the exact YAML
 * text, its SHA-256, who pushed it and why; versions are numbered per organisation. At most one version per
 * organisation is `active` — a partial unique index makes that a database guarantee, not only the repository's
 * habit — and activating one retires the previous. Rows are never updated except for their status.
 */
export function policiesMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('policy_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('yaml', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('activated_at', 'bigint')
        .addColumn('activated_by', 'text')
        .addUniqueConstraint('policy_versions_org_version', ['org_id', 'version'])
        .execute();
      await db.schema
        .createIndex('policy_versions_one_active')
        .on('policy_versions')
        .column('org_id')
        .unique()
        .where(sql.ref('status'), '=', 'active')
        .execute();
    },
  };
}
