import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/** The initial schema. One migration set for both engines; the only dialect fork is the auto-increment key. */
export function initialMigration(dialect: Dialect) {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  const big = 'bigint';
  const dbl = 'double precision';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('people')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('department', 'text')
        .addColumn('team', 'text')
        .addColumn('cost_center', 'text')
        .addColumn('manager', 'text')
        .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('first_seen', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .addColumn('merged_into', 'text')
        .execute();
      await db.schema.createIndex('people_last_seen').on('people').columns(['org_id', 'last_seen']).execute();

      await db.schema
        .createTable('person_aliases')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('first_seen', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('person_aliases_pk', ['kind', 'value'])
        .execute();
      await db.schema.createIndex('person_aliases_person').on('person_aliases').column('person_id').execute();

      await db.schema
        .createTable('person_merges')
        .addColumn('id', serial, (c) => c.primaryKey())
        .addColumn('from_id', 'text', (c) => c.notNull())
        .addColumn('into_id', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('alias_kind', 'text', (c) => c.notNull())
        .addColumn('alias_value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text')
        .addColumn('surface', 'text', (c) => c.notNull())
        .addColumn('service_name', 'text')
        .addColumn('app_version', 'text')
        .addColumn('entrypoint', 'text')
        .addColumn('terminal_type', 'text')
        .addColumn('os_type', 'text')
        .addColumn('host_arch', 'text')
        .addColumn('department', 'text')
        .addColumn('team', 'text')
        .addColumn('workspace_paths', 'text')
        .addColumn('first_seen', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .addColumn('event_count', big, (c) => c.notNull().defaultTo(0))
        .addColumn('prompt_count', big, (c) => c.notNull().defaultTo(0))
        .addColumn('api_request_count', big, (c) => c.notNull().defaultTo(0))
        .addColumn('tool_call_count', big, (c) => c.notNull().defaultTo(0))
        .addColumn('input_tokens', big, (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', big, (c) => c.notNull().defaultTo(0))
        .addColumn('cache_read_tokens', big, (c) => c.notNull().defaultTo(0))
        .addColumn('cache_write_tokens', big, (c) => c.notNull().defaultTo(0))
        .addColumn('cost_micros', big, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('sessions_last_seen').on('sessions').columns(['org_id', 'last_seen']).execute();
      await db.schema.createIndex('sessions_person').on('sessions').columns(['person_id', 'last_seen']).execute();

      await db.schema
        .createTable('events')
        .addColumn('id', serial, (c) => c.primaryKey())
        .addColumn('dedupe_key', 'text', (c) => c.notNull())
        .addColumn('time', big, (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('surface', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text')
        .addColumn('session_id', 'text')
        .addColumn('prompt_id', 'text')
        .addColumn('sequence', big)
        .addColumn('agent', 'text')
        .addColumn('workflow', 'text')
        .addColumn('skill', 'text')
        .addColumn('plugin', 'text')
        .addColumn('model', 'text')
        .addColumn('tool', 'text')
        .addColumn('tool_use_id', 'text')
        .addColumn('mcp_server', 'text')
        .addColumn('mcp_tool', 'text')
        .addColumn('decision', 'text')
        .addColumn('decision_source', 'text')
        .addColumn('success', 'integer')
        .addColumn('input_tokens', big)
        .addColumn('output_tokens', big)
        .addColumn('cache_read_tokens', big)
        .addColumn('cache_write_tokens', big)
        .addColumn('cost_micros', big)
        .addColumn('duration_ms', dbl)
        .addColumn('request_id', 'text')
        .addColumn('department', 'text')
        .addColumn('team', 'text')
        .addColumn('content', 'text')
        .addColumn('attrs', 'text', (c) => c.notNull())
        .execute();
      // Two secondary indexes only — each one costs ~15-25% of insert throughput (bench/ingest.bench.ts).
      // The dedupe key starts with the record time, so one unique index (org, time, key) both enforces dedupe
      // (key → time is a function, so this is as strict as unique(key)) and serves every time-bounded read
      // (DESIGN §4). The session index serves timelines. Per-person and per-kind reads are time-bounded scans;
      // dashboards read rollups.
      await db.schema
        .createIndex('events_time_dedupe')
        .on('events')
        .columns(['org_id', 'time', 'dedupe_key'])
        .unique()
        .execute();
      await db.schema.createIndex('events_session').on('events').columns(['session_id', 'time']).execute();

      await db.schema
        .createTable('metric_points')
        .addColumn('id', serial, (c) => c.primaryKey())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('time', big, (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('unit', 'text')
        .addColumn('surface', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text')
        .addColumn('session_id', 'text')
        .addColumn('model', 'text')
        .addColumn('type', 'text')
        .addColumn('value', dbl, (c) => c.notNull())
        .addColumn('department', 'text')
        .addColumn('team', 'text')
        .addColumn('attrs', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('metric_points_time')
        .on('metric_points')
        .columns(['org_id', 'name', 'time'])
        .execute();

      await db.schema
        .createTable('metric_series')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('start_time', big, (c) => c.notNull())
        .addColumn('last_time', big, (c) => c.notNull())
        .addColumn('last_value', dbl, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('last_used_at', big)
        .addColumn('revoked_at', big)
        .execute();

      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
