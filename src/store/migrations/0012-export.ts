import { type Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * SIEM and incident-response exports (issue 7, docs/exports.md).
 * - `export_cursors`: per sink and source (events, audit), the last source id the feeder read. It moves in the same
 *   transaction that inserts the outbox rows it read, so nothing is lost and nothing is enqueued twice.
 * - `export_outbox`: one row per record and sink, rendered for that sink, with its delivery state (pending,
 *   delivered, dead), attempts and next attempt time. The unique (sink, source, source_id) index is the second guard
 *   against a double enqueue; (sink, state, id) serves the dispatcher's "oldest due rows", (state, delivered_at) the
 *   purge of delivered rows.
 */
export function exportMigration(dialect: Dialect) {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('export_cursors')
        .addColumn('sink', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('position', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('export_cursors_pk', ['sink', 'source'])
        .execute();
      await db.schema
        .createTable('export_outbox')
        .addColumn('id', serial, (c) => c.primaryKey())
        .addColumn('sink', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('source_id', 'bigint', (c) => c.notNull())
        .addColumn('uid', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('claimed_until', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('export_outbox_record')
        .on('export_outbox')
        .columns(['sink', 'source', 'source_id'])
        .unique()
        .execute();
      await db.schema.createIndex('export_outbox_due').on('export_outbox').columns(['sink', 'state', 'id']).execute();
      await db.schema
        .createIndex('export_outbox_delivered')
        .on('export_outbox')
        .columns(['state', 'delivered_at'])
        .execute();
    },
  };
}
