import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * Workspace folders as a derived tier (docs/analytics.md), written only by the analytics refresher like the tiers of
 * migration 0005. Discovery and the access graph count, per person and folder, the sessions overlapping a window
 * that reported the folder; they read these instead of grouping the window's sessions.
 *
 * - `workspace_tiers`: per block of whole UTC days (analytics/tiers.ts), (person, team, department, folder) with
 *   the sessions whose last activity falls in the block, their earliest first and latest last activity. A session
 *   is counted once, in the day of its `last_seen`.
 * - `session_folders`: per session that reported folders, what the tier counts for it (person, team, department,
 *   folders, first and last activity as the refresher last read them): when the session moves on (a later event),
 *   the refresher takes that contribution out and adds the new one. By (org, person, last_seen) it also rebuilds a
 *   person's rows exactly when a session changes person, team, department or folders.
 * - `analytics_cursor.max_session_ms`: the longest session (first to last activity) folded — how far past a
 *   window's end a session that overlaps it can have its last activity. -1 on an existing cursor: the tier is not
 *   filled yet (the refresher fills it from the sessions table first; reads group the sessions meanwhile).
 * Absent person, team and department are '' (a NULL never equals itself in a primary key).
 */
export function workspaceTiersMigration(dialect: Dialect) {
  const clustered = dialect === 'sqlite' ? sql`without rowid` : sql``;
  const big = 'bigint';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('workspace_tiers')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('span', 'integer', (c) => c.notNull())
        .addColumn('start', big, (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('team', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('folder', 'text', (c) => c.notNull())
        .addColumn('sessions', big, (c) => c.notNull())
        .addColumn('first_seen', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('workspace_tiers_pk', [
          'org_id',
          'span',
          'start',
          'person_id',
          'team',
          'department',
          'folder',
        ])
        .modifyEnd(clustered)
        .execute();
      await db.schema
        .createTable('session_folders')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('team', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('workspace_paths', 'text', (c) => c.notNull())
        .addColumn('first_seen', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('session_folders_person')
        .on('session_folders')
        .columns(['org_id', 'person_id', 'last_seen'])
        .execute();
      await db.schema
        .alterTable('analytics_cursor')
        .addColumn('max_session_ms', big, (c) => c.notNull().defaultTo(-1))
        .execute();
    },
  };
}
