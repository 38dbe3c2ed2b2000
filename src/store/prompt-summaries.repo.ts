import type { Statement } from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { KeysetCursor } from './people-read.repo.js';
import { likePattern } from './threads-read.repo.js';
import type { Database, PromptSummariesTable } from './database.js';
import type { Store } from './store.js';

/**
 * Prompt summaries (migration 0005): one row per prompt id, written by the analytics refresher only. Sets (tools,
 * MCP servers, skills, models) are stored as `|a|b|` with `\` and `|` escaped inside values, so "the prompt used X"
 * is a substring test for `|X|`.
 */
type Db = Kysely<Database> | Transaction<Database>;

export function encodeSet(values: Iterable<string>): string {
  let out = '|';
  for (const v of [...values].sort()) out += encodeSetValue(v) + '|';
  return out;
}

export function encodeSetValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\|/g, '\\p');
}

export function decodeSet(text: string): string[] {
  if (text.length <= 1) return [];
  return text
    .slice(1, -1)
    .split('|')
    .map((v) => v.replace(/\\p/g, '|').replace(/\\\\/g, '\\'));
}

const CHUNK = 500;

export async function readPromptSummaries(
  db: Db,
  org: string,
  promptIds: readonly string[],
): Promise<PromptSummariesTable[]> {
  const out: PromptSummariesTable[] = [];
  for (let i = 0; i < promptIds.length; i += CHUNK) {
    out.push(
      ...(await db
        .selectFrom('prompt_summaries')
        .selectAll()
        .where('org_id', '=', org)
        .where('prompt_id', 'in', promptIds.slice(i, i + CHUNK))
        .execute()),
    );
  }
  return out;
}

const COLUMNS = [
  'org_id',
  'prompt_id',
  'first_time',
  'last_time',
  'person_min',
  'person_max',
  'no_person',
  'session_min',
  'session_max',
  'no_session',
  'events',
  'api_requests',
  'tool_calls',
  'errors',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_micros',
  'tools',
  'mcp_servers',
  'skills',
  'models',
  'content',
] as const satisfies readonly (keyof PromptSummariesTable)[];

/** Writes whole summaries (the caller merged them with what was stored), replacing any stored row. */
export async function writePromptSummaries(
  trx: Transaction<Database>,
  store: Store,
  rows: readonly PromptSummariesTable[],
): Promise<void> {
  if (rows.length === 0) return;
  const set = COLUMNS.filter((c) => c !== 'org_id' && c !== 'prompt_id');
  if (store.sqlite) {
    const stmt = sqliteUpsert(store, set);
    const args: unknown[] = new Array(COLUMNS.length);
    for (const r of rows) {
      for (let i = 0; i < COLUMNS.length; i++) args[i] = r[COLUMNS[i] as keyof PromptSummariesTable];
      stmt.run(args);
    }
    return;
  }
  const update = Object.fromEntries(set.map((c) => [c, (eb: { ref(c: string): unknown }) => eb.ref(`excluded.${c}`)]));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('prompt_summaries')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['org_id', 'prompt_id']).doUpdateSet(update as never))
      .execute();
  }
}

const statements = new WeakMap<object, Statement>();

function sqliteUpsert(store: Store, set: readonly string[]): Statement {
  const raw = store.sqlite as NonNullable<Store['sqlite']>;
  let stmt = statements.get(raw);
  if (!stmt) {
    stmt = raw.prepare(
      `insert into prompt_summaries (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')}) ` +
        `on conflict (org_id, prompt_id) do update set ${set.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    statements.set(raw, stmt);
  }
  return stmt;
}

/** Summaries of prompts that started in [from - longest, to) and run past `from` or `to`: a window edge cuts them. */
export async function straddlingSummaries(
  db: Db,
  org: string,
  from: number,
  to: number,
  longest: number,
): Promise<PromptSummariesTable[]> {
  const cut = (edge: number) =>
    db
      .selectFrom('prompt_summaries')
      .selectAll()
      .where('org_id', '=', org)
      .where('first_time', '>=', edge - longest)
      .where('first_time', '<', edge)
      .where('last_time', '>=', edge)
      .execute();
  return [...(await cut(from)), ...(await cut(to))];
}

/** Summaries in the window naming `person` that hold events of someone else or of no one too. */
export async function mixedSummaries(
  db: Db,
  org: string,
  person: string,
  from: number,
  to: number,
  longest: number,
): Promise<PromptSummariesTable[]> {
  const mixed = (column: 'person_min' | 'person_max') =>
    db
      .selectFrom('prompt_summaries')
      .selectAll()
      .where(column, '=', person)
      .where('first_time', '>=', from - longest)
      .where('first_time', '<', to)
      .where('org_id', '=', org)
      .where((eb) => eb.or([eb('person_min', '!=', person), eb('person_max', '!=', person), eb('no_person', '>', 0)]))
      .execute();
  return [...(await mixed('person_min')), ...(await mixed('person_max'))];
}

export interface SummaryFilter {
  from: number;
  to: number;
  q?: string | undefined;
  tool?: string | undefined;
  mcpServer?: string | undefined;
  skill?: string | undefined;
  model?: string | undefined;
  personId?: string | undefined;
  cursor?: KeysetCursor | undefined;
}

/**
 * Prompts wholly inside [from, to) whose summary matches every filter, newest first (keyset on first time, then
 * prompt id), at most `limit`. A prompt's events all lie in the window, so its summary is exactly what the grouped
 * raw query returns for it; a person filter takes only prompts all of whose events are that person's.
 */
export async function summariesInWindow(
  db: Db,
  dialect: 'sqlite' | 'postgres',
  org: string,
  f: SummaryFilter,
  limit: number,
): Promise<PromptSummariesTable[]> {
  const has = (column: 'tools' | 'mcp_servers' | 'skills' | 'models', value: string) =>
    sql<boolean>`${sql.raw(dialect === 'postgres' ? 'strpos' : 'instr')}(${sql.ref(column)}, ${`|${encodeSetValue(value)}|`}) > 0`;
  const page = (lo: number, hi: number, take: number) => {
    let q = db
      .selectFrom('prompt_summaries')
      .selectAll()
      .where('org_id', '=', org)
      .where('first_time', '>=', lo)
      .where('first_time', '<', hi)
      .where('last_time', '<', f.to);
    if (f.personId) {
      q = q.where('person_min', '=', f.personId).where('person_max', '=', f.personId).where('no_person', '=', 0);
    }
    if (f.tool) q = q.where(has('tools', f.tool));
    if (f.mcpServer) q = q.where(has('mcp_servers', f.mcpServer));
    if (f.skill) q = q.where(has('skills', f.skill));
    if (f.model) q = q.where(has('models', f.model));
    if (f.q) q = q.where(sql<boolean>`lower(content) like ${likePattern(f.q)} escape '\\'`);
    if (f.cursor) {
      const c = f.cursor;
      q = q.where((eb) =>
        eb.or([eb('first_time', '<', c.t), eb.and([eb('first_time', '=', c.t), eb('prompt_id', '>', String(c.id))])]),
      );
    }
    return q.orderBy('first_time', 'desc').orderBy('prompt_id', 'asc').limit(take).execute();
  };
  // Newest first in growing slices of time: a filter that matches often stops after the first slice, whatever the
  // planner guesses a LIKE or substring test keeps (PostgreSQL guesses few and would scan the whole window).
  const out: PromptSummariesTable[] = [];
  let hi = f.cursor ? Math.min(f.to, f.cursor.t + 1) : f.to;
  let step = SLICE_MS;
  while (hi > f.from && out.length < limit) {
    const lo = Math.max(f.from, hi - step);
    out.push(...(await page(lo, hi, limit - out.length)));
    hi = lo;
    step *= 4;
  }
  return out;
}

const SLICE_MS = 6 * 3_600_000;
