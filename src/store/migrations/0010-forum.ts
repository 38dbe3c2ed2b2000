import { type Kysely } from 'kysely';

/**
 * The governance forum (issue 6, docs/governance.md "The forum"): `gov_meetings` the meetings held (date,
 * title, attendees, notes); `gov_meeting_decisions` the decisions recorded in them, in order — the text as said,
 * the structured action it was read as (approve connector, deny skill, retire workspace, …; null for free text)
 * and what applying it changed (the object and its status before and after).
 */
export function forumMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('gov_meetings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('held_at', 'bigint', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('attendees', 'text', (c) => c.notNull())
        .addColumn('notes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('gov_meetings_org_held').on('gov_meetings').columns(['org_id', 'held_at']).execute();
      await db.schema
        .createTable('gov_meeting_decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('meeting_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('outcome', 'text')
        .addColumn('decided_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('gov_meeting_decisions_meeting')
        .on('gov_meeting_decisions')
        .columns(['org_id', 'meeting_id', 'seq'])
        .execute();
    },
  };
}
