import { type Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * The audit vault (issue 7, docs/audit.md).
 * - `audit_entries`: the log, one row per leaf, `idx` 0-based and dense. `leaf` is the entry's RFC 8785 canonical
 *   JSON (null once retention pruned it); `leaf_hash` its RFC 6962 leaf hash; `hashes` the complete-subtree hashes
 *   that appending this leaf completed, levels 1..k, 32 bytes each (Go sumdb/tlog "stored hashes"), so every hash
 *   a proof needs is one primary-key lookup and the tree costs no extra rows. The searchable columns repeat fields
 *   of `leaf` for forensic search; verification checks that they agree with it.
 * - `audit_state`: one row, the tree size and its compact-range frontier, read and rewritten by every append in the
 *   appender's transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE), so appenders on several
 *   connections, threads or replicas stay serial and the log never forks.
 * - `audit_checkpoints`: every signed checkpoint (C2SP signed note text).
 * - `audit_holds`: legal holds; retention never prunes an entry a live hold matches.
 */
export function auditMigration(dialect: Dialect) {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('audit_entries')
        // SQLite: `integer primary key` makes idx the rowid itself, saving the separate key index (and its insert)
        // that any other spelling (bigint) would get.
        .addColumn('idx', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.primaryKey())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('actor_kind', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('actor_name', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject_kind', 'text')
        .addColumn('subject_id', 'text')
        .addColumn('outcome', 'text')
        .addColumn('source_ip', 'text')
        .addColumn('leaf', 'text')
        .addColumn('leaf_hash', blob, (c) => c.notNull())
        .addColumn('hashes', blob)
        .addColumn('appended_at', 'bigint', (c) => c.notNull())
        .addColumn('pruned_at', 'bigint')
        .execute();
      // Forensic search filters by actor, action, subject and a time window, newest first. Subjects get no index:
      // measured at 1M entries, it cost 17% of append throughput (a thousand insertion points), while a subject
      // search without it scans newest-first and stops at its page — 9 ms for a common subject, 139 ms for one
      // that never occurs (bench/audit.bench.ts, docs/audit.md).
      await db.schema.createIndex('audit_entries_time').on('audit_entries').column('time').execute();
      await db.schema.createIndex('audit_entries_actor').on('audit_entries').columns(['actor_id', 'idx']).execute();
      await db.schema.createIndex('audit_entries_action').on('audit_entries').columns(['action', 'idx']).execute();

      await db.schema
        .createTable('audit_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('frontier', blob, (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('id', serial, (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('root', blob, (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('signers', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_checkpoints_size').on('audit_checkpoints').column('size').execute();

      await db.schema
        .createTable('audit_holds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('from_time', 'bigint')
        .addColumn('to_time', 'bigint')
        .addColumn('actor_id', 'text')
        .addColumn('action', 'text')
        .addColumn('subject_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('released_at', 'bigint')
        .addColumn('released_by', 'text')
        .execute();
    },
  };
}
