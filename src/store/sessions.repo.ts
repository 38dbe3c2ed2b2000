import { sql, type Transaction } from 'kysely';
import type { Database, SessionsTable } from './database.js';
import type { Store } from './store.js';

/** Per-batch increments for one session; merged into the row with an UPSERT so concurrent batches add up. */
export type SessionDelta = SessionsTable;

export async function upsertSessionDeltas(
  trx: Transaction<Database>,
  store: Store,
  deltas: Iterable<SessionDelta>,
): Promise<void> {
  const greatest = store.dialect === 'postgres' ? 'greatest' : 'max';
  const least = store.dialect === 'postgres' ? 'least' : 'min';
  for (const d of deltas) {
    await trx
      .insertInto('sessions')
      .values(d)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          person_id: sql`coalesce(excluded.person_id, sessions.person_id)`,
          first_seen: sql`${sql.raw(least)}(sessions.first_seen, excluded.first_seen)`,
          last_seen: sql`${sql.raw(greatest)}(sessions.last_seen, excluded.last_seen)`,
          app_version: sql`coalesce(excluded.app_version, sessions.app_version)`,
          entrypoint: sql`coalesce(sessions.entrypoint, excluded.entrypoint)`,
          terminal_type: sql`coalesce(sessions.terminal_type, excluded.terminal_type)`,
          os_type: sql`coalesce(sessions.os_type, excluded.os_type)`,
          host_arch: sql`coalesce(sessions.host_arch, excluded.host_arch)`,
          service_name: sql`coalesce(sessions.service_name, excluded.service_name)`,
          department: sql`coalesce(excluded.department, sessions.department)`,
          team: sql`coalesce(excluded.team, sessions.team)`,
          workspace_paths: sql`coalesce(excluded.workspace_paths, sessions.workspace_paths)`,
          event_count: sql`sessions.event_count + excluded.event_count`,
          prompt_count: sql`sessions.prompt_count + excluded.prompt_count`,
          api_request_count: sql`sessions.api_request_count + excluded.api_request_count`,
          tool_call_count: sql`sessions.tool_call_count + excluded.tool_call_count`,
          input_tokens: sql`sessions.input_tokens + excluded.input_tokens`,
          output_tokens: sql`sessions.output_tokens + excluded.output_tokens`,
          cache_read_tokens: sql`sessions.cache_read_tokens + excluded.cache_read_tokens`,
          cache_write_tokens: sql`sessions.cache_write_tokens + excluded.cache_write_tokens`,
          cost_micros: sql`sessions.cost_micros + excluded.cost_micros`,
        }),
      )
      .execute();
  }
}
