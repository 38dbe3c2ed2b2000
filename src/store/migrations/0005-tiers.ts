import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * Derived analytics tables (DESIGN §9: dashboards at 10M events). Written only by the analytics refresher
 * (analytics/refresher.ts), never by ingest: it reads events and metric points past its cursor and folds them in.
 * Reports read them for everything the cursor covers and fold the few rows past it themselves, so their answers
 * are those of the raw rows at any moment. Time-tiered tables hold one row per key per dyadic block of whole UTC
 * days (analytics/tiers.ts: `span` days from `start`).
 *
 * - `rollup_dim_tiers`: the hourly rollups projected on one dimension at a time — per block, (dim, value, person,
 *   team, department, surface) with the first and last rollup hour, activity (requests + tool calls + prompts) and
 *   the cost counters. `dim` '' is the session-level base every rollup row projects to (value ''); the others are
 *   model, agent, workflow, skill, plugin and mcp_server with a non-empty value. Serves cost, discovery and the
 *   access graph.
 * - `tool_use_tiers`: per block, tool-ish events (tool results, skills, plugin loads, subagents, MCP connections)
 *   by their names, person, team and department: count, failures, first and last time. `detail` is the transport
 *   of an MCP connection. Serves tool visibility and the graph's tool, plugin and transport edges.
 * - `tool_key_tiers`: per block and tool key (no person): calls, failures, who (a bitmap over `person_numbers`,
 *   so distinct people over any blocks is an OR) and the latency histogram (bucket → count). Serves tool
 *   visibility without reading a row per person.
 * - `rollup_value_tiers`: per block and value of model, agent, skill, plugin, MCP server or department, the first
 *   and last rollup hour, activity, and every person with their activity (person number:calls): discovery's items and
 *   the graph's value nodes from a few rows per block instead of a row per person.
 * - `person_edge_tiers`: per block and person, their access-graph edges (to models, agents, skills, plugins and
 *   tools, with calls and last use) packed in one row, and the calls those edges add to the person's node: a capped
 *   graph reads the busiest people's rows only. Edges are named by small numbers (`edge_keys`).
 * - `person_numbers`: a small dense number per person for those bitmaps.
 * - `prompt_summaries`: one row per prompt id: the figures thread search shows, the sets it filters on and the
 *   stored content it matches.
 * - `analytics_cursor`: how far the refresher has read (events.id, metric_points.id), the longest prompt it has
 *   folded, and the day before which longer blocks are built.
 * Plus `sessions_workspaces`, a partial covering index for the workspace-folder reads.
 * Absent names are '' in keys (a NULL never equals itself in a primary key); telemetry never stores '' names.
 */
export function tiersMigration(dialect: Dialect) {
  const clustered = dialect === 'sqlite' ? sql`without rowid` : sql``;
  const big = 'bigint';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('rollup_dim_tiers')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('span', 'integer', (c) => c.notNull())
        .addColumn('start', big, (c) => c.notNull())
        .addColumn('dim', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('team', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('surface', 'text', (c) => c.notNull())
        .addColumn('first_hour', big, (c) => c.notNull())
        .addColumn('last_hour', big, (c) => c.notNull())
        .addColumn('calls', big, (c) => c.notNull())
        .addColumn('requests', big, (c) => c.notNull())
        .addColumn('input_tokens', big, (c) => c.notNull())
        .addColumn('output_tokens', big, (c) => c.notNull())
        .addColumn('cache_read_tokens', big, (c) => c.notNull())
        .addColumn('cache_write_tokens', big, (c) => c.notNull())
        .addColumn('cost_micros', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('rollup_dim_tiers_pk', [
          'org_id',
          'span',
          'start',
          'dim',
          'value',
          'person_id',
          'team',
          'department',
          'surface',
        ])
        .modifyEnd(clustered)
        .execute();
      await db.schema.createIndex('rollup_dim_tiers_person').on('rollup_dim_tiers').column('person_id').execute();

      const toolKey = ['kind', 'tool', 'mcp_server', 'mcp_tool', 'skill', 'plugin', 'agent'] as const;
      let uses: CreateTableBuilder<'tool_use_tiers', string> = db.schema
        .createTable('tool_use_tiers')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('span', 'integer', (c) => c.notNull())
        .addColumn('start', big, (c) => c.notNull());
      for (const k of toolKey) uses = uses.addColumn(k, 'text', (c) => c.notNull());
      await uses
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('team', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('calls', big, (c) => c.notNull())
        .addColumn('errors', big, (c) => c.notNull())
        .addColumn('first_time', big, (c) => c.notNull())
        .addColumn('last_time', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('tool_use_tiers_pk', [
          'org_id',
          'span',
          'start',
          ...toolKey,
          'detail',
          'person_id',
          'team',
          'department',
        ])
        .modifyEnd(clustered)
        .execute();
      await db.schema.createIndex('tool_use_tiers_person').on('tool_use_tiers').column('person_id').execute();

      let keys: CreateTableBuilder<'tool_key_tiers', string> = db.schema
        .createTable('tool_key_tiers')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('span', 'integer', (c) => c.notNull())
        .addColumn('start', big, (c) => c.notNull());
      for (const k of toolKey) keys = keys.addColumn(k, 'text', (c) => c.notNull());
      await keys
        .addColumn('calls', big, (c) => c.notNull())
        .addColumn('errors', big, (c) => c.notNull())
        .addColumn('anonymous_calls', big, (c) => c.notNull())
        .addColumn('last_time', big, (c) => c.notNull())
        // Who: a bitmap over person_numbers (base64); latency: `bucket:count` pairs (derived-fold.ts).
        .addColumn('people', 'text', (c) => c.notNull())
        .addColumn('latency', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('tool_key_tiers_pk', ['org_id', 'span', 'start', ...toolKey])
        .modifyEnd(clustered)
        .execute();

      await db.schema
        .createTable('rollup_value_tiers')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('span', 'integer', (c) => c.notNull())
        .addColumn('start', big, (c) => c.notNull())
        .addColumn('dim', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('first_hour', big, (c) => c.notNull())
        .addColumn('last_hour', big, (c) => c.notNull())
        .addColumn('calls', big, (c) => c.notNull())
        // `person number:calls` pairs (people with no number yet never reach a stored row: numbered first).
        .addColumn('people', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rollup_value_tiers_pk', ['org_id', 'span', 'start', 'dim', 'value'])
        .modifyEnd(clustered)
        .execute();

      await db.schema
        .createTable('person_edge_tiers')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('span', 'integer', (c) => c.notNull())
        .addColumn('start', big, (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('team', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('graph_calls', big, (c) => c.notNull())
        // `edge number:calls:last` triples, the numbers from edge_keys (analytics/derived-fold.ts PersonEdges).
        .addColumn('edges', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('person_edge_tiers_pk', ['org_id', 'span', 'start', 'person_id', 'team', 'department'])
        .modifyEnd(clustered)
        .execute();
      await db.schema.createIndex('person_edge_tiers_person').on('person_edge_tiers').column('person_id').execute();

      await db.schema
        .createTable('edge_keys')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('edge_keys_pk', ['org_id', 'key'])
        .addUniqueConstraint('edge_keys_n', ['org_id', 'n'])
        .execute();

      await db.schema
        .createTable('person_numbers')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('person_numbers_pk', ['org_id', 'person_id'])
        .addUniqueConstraint('person_numbers_n', ['org_id', 'n'])
        .execute();

      await db.schema
        .createTable('prompt_summaries')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('prompt_id', 'text', (c) => c.notNull())
        .addColumn('first_time', big, (c) => c.notNull())
        .addColumn('last_time', big, (c) => c.notNull())
        // min/max person and session (min is what search shows); events without a person are counted apart, so
        // a person filter knows whether every event of the prompt is that person's.
        .addColumn('person_min', 'text')
        .addColumn('person_max', 'text')
        .addColumn('no_person', big, (c) => c.notNull())
        .addColumn('session_min', 'text')
        .addColumn('session_max', 'text')
        .addColumn('no_session', big, (c) => c.notNull())
        .addColumn('events', big, (c) => c.notNull())
        .addColumn('api_requests', big, (c) => c.notNull())
        .addColumn('tool_calls', big, (c) => c.notNull())
        .addColumn('errors', big, (c) => c.notNull())
        .addColumn('input_tokens', big, (c) => c.notNull())
        .addColumn('output_tokens', big, (c) => c.notNull())
        .addColumn('cache_read_tokens', big, (c) => c.notNull())
        .addColumn('cache_write_tokens', big, (c) => c.notNull())
        .addColumn('cost_micros', big, (c) => c.notNull())
        // Sets as '|a|b|' so a filter is one LIKE '%|a|%'.
        .addColumn('tools', 'text', (c) => c.notNull())
        .addColumn('mcp_servers', 'text', (c) => c.notNull())
        .addColumn('skills', 'text', (c) => c.notNull())
        .addColumn('models', 'text', (c) => c.notNull())
        // Stored content of the prompt's events, separated by U+0001 (content search).
        .addColumn('content', 'text')
        .addPrimaryKeyConstraint('prompt_summaries_pk', ['org_id', 'prompt_id'])
        .execute();
      await db.schema
        .createIndex('prompt_summaries_time')
        .on('prompt_summaries')
        .columns(['org_id', 'first_time'])
        .execute();
      await db.schema
        .createIndex('prompt_summaries_person')
        .on('prompt_summaries')
        .columns(['person_min', 'first_time'])
        .execute();
      await db.schema
        .createIndex('prompt_summaries_person_max')
        .on('prompt_summaries')
        .columns(['person_max', 'first_time'])
        .execute();

      // Workspace folders (discovery, access graph) come from the most recent sessions of a window: a partial
      // covering index over the sessions that reported folders answers that read without touching the table.
      await db.schema
        .createIndex('sessions_workspaces')
        .on('sessions')
        .columns(['org_id', 'last_seen', 'first_seen', 'team', 'department', 'person_id', 'workspace_paths'])
        .where(sql.ref('workspace_paths'), 'is not', null)
        .execute();

      await db.schema
        .createTable('analytics_cursor')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('event_id', big, (c) => c.notNull())
        .addColumn('metric_id', big, (c) => c.notNull())
        .addColumn('max_prompt_ms', big, (c) => c.notNull())
        // Blocks longer than a day are built (compacted) once they end at or before this UTC midnight.
        .addColumn('tiers_through', big, (c) => c.notNull())
        .execute();
    },
  };
}
