import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** The kinds the tool visibility report reads: tool executions, skills, plugins and subagents. */
export const TOOL_KINDS = ['tool_result', 'skill_activated', 'plugin', 'subagent'] as const;

export interface ToolUseKey {
  kind: string;
  tool: string | null;
  mcp_server: string | null;
  mcp_tool: string | null;
  skill: string | null;
  plugin: string | null;
  agent: string | null;
}

export interface ToolPersonRow extends ToolUseKey {
  person_id: string | null;
  calls: number;
  errors: number;
}

export interface ToolDurationRow extends ToolUseKey {
  /** Duration rounded to the millisecond; `n` events had it. */
  ms: number;
  n: number;
}

const keyColumns = ['kind', 'tool', 'mcp_server', 'mcp_tool', 'skill', 'plugin', 'agent'] as const;

/**
 * Tool use in a window from raw events, in two grouped reads whose size depends on the number of distinct tools,
 * people and millisecond durations — never on the number of events: calls and errors per (tool, person), and a
 * histogram of durations at millisecond resolution (exact percentiles at that resolution).
 */
export async function toolUse(
  db: Kysely<Database>,
  from: number,
  to: number,
): Promise<{ people: ToolPersonRow[]; durations: ToolDurationRow[] }> {
  const base = db
    .selectFrom('events')
    .where('org_id', '=', 'default')
    .where('time', '>=', from)
    .where('time', '<', to)
    .where('kind', 'in', [...TOOL_KINDS]);
  const people = await base
    .select([
      ...keyColumns,
      'person_id',
      sql<number>`count(*)`.as('calls'),
      sql<number>`sum(case when success = 0 then 1 else 0 end)`.as('errors'),
    ])
    .groupBy([...keyColumns, 'person_id'])
    .execute();
  const durations = await base
    .select([...keyColumns, sql<number>`round(duration_ms)`.as('ms'), sql<number>`count(*)`.as('n')])
    .where('duration_ms', 'is not', null)
    .groupBy([...keyColumns, sql`round(duration_ms)`])
    .execute();
  return {
    people: people.map((r) => ({ ...r, calls: Number(r.calls), errors: Number(r.errors) })),
    durations: durations.map((r) => ({ ...r, ms: Number(r.ms), n: Number(r.n) })),
  };
}
