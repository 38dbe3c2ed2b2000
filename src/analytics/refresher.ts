import { sql, type Transaction } from 'kysely';
import type { Database, PromptSummariesTable } from '../store/database.js';
import { decodeSet, encodeSet, readPromptSummaries, writePromptSummaries } from '../store/prompt-summaries.repo.js';
import type { Store } from '../store/store.js';
import { DAY_MS } from '../contracts/rollup-columns.js';
import { eventsAfter, metricsAfter } from '../store/fold-reads.repo.js';
import {
  addTierRows,
  compactTierBlocks,
  DIM_TIERS,
  analyzeTiers,
  readCursor,
  resetTiers,
  saveCursor,
  settledMaxIds,
  tierOrgs,
  USE_TIERS,
  WORKSPACE_TIERS,
} from '../store/tiers.repo.js';
import { COL } from '../contracts/event-columns.js';
import { DerivedFold } from './derived-fold.js';
import { CONTENT_SEPARATOR, mergePrompt, type PromptPart } from './prompt-fold.js';
import { compactWholeRowBlock, writeEdgeTiers, writeKeyTiers, writeValueTiers } from './whole-row-tiers.js';
import { dayOf } from './rollup-aggregate.js';
import { fillWorkspaceTiers, foldSessions } from './workspace-tiers.js';
import { blocksCompleted, MAX_SPAN, spread } from './tiers.js';

/**
 * The analytics refresher: reads events and metric points past its cursor, folds them (derived-fold.ts) and adds
 * the result to the derived tiers in the same transaction that moves the cursor, so a crash loses nothing and
 * counts nothing twice. It runs in the background of `steward serve` (startRefresher) and in
 * `steward rollups rebuild`; ingest never waits for it — it steps aside between chunks while ingest has work
 * queued. Reports stay exact whatever its lag: they fold the rows past the cursor themselves.
 */
export interface RefreshOptions {
  /** Events (and metric points) per transaction. */
  chunk?: number;
  /** The current time (tests): days before its UTC midnight are over and get their longer blocks. */
  now?: () => number;
  /** Checked between chunks: true stops this run early (e.g. ingest has batches waiting). */
  shouldYield?: () => boolean;
}

export interface RefreshResult {
  events: number;
  metricPoints: number;
  /** False when the run stopped early (yielded, or another replica holds the refresher lock). */
  caughtUp: boolean;
}

const DEFAULT_CHUNK = 20_000;
const ANALYZE_AFTER = 100_000;
/** PostgreSQL advisory lock key of the refresher (any fixed bigint; "steward" in ASCII). */
const REFRESHER_LOCK = 0x73746577617264;

export async function refreshTiers(store: Store, opts: RefreshOptions = {}): Promise<RefreshResult> {
  const chunk = opts.chunk ?? DEFAULT_CHUNK;
  if (opts.shouldYield?.()) return { events: 0, metricPoints: 0, caughtUp: false };
  const upto = await settledMaxIds(store);
  if (!(await fillWorkspaces(store))) return { events: 0, metricPoints: 0, caughtUp: false };
  let events = 0;
  let metricPoints = 0;
  for (;;) {
    if (opts.shouldYield?.()) return { events, metricPoints, caughtUp: false };
    const step = await store.db.transaction().execute(async (trx) => {
      if (!(await exclusive(trx, store))) return null;
      const cursor = await readCursor(trx);
      if (cursor.event_id >= upto.event && cursor.metric_id >= upto.metric) return { e: 0, m: 0, done: true };
      const ev = await eventsAfter(trx, store, { after: cursor.event_id, upto: upto.event, limit: chunk });
      const mp = await metricsAfter(trx, store, { after: cursor.metric_id, upto: upto.metric, limit: chunk });
      const fold = new DerivedFold();
      for (const row of ev.rows) fold.addEvent(row);
      for (const p of mp.rows) fold.addMetricPoint(p);
      const longest = await writeFold(trx, store, fold, cursor.tiers_through);
      // The sessions these events belong to moved on: the workspace tier counts them as they are now.
      const sessions = new Set<string>();
      for (const row of ev.rows) {
        const id = row[COL.session_id];
        if (typeof id === 'string') sessions.add(id);
      }
      const longestSession = await foldSessions(trx, store, [...sessions], cursor.tiers_through);
      await saveCursor(trx, {
        ...cursor,
        event_id: ev.lastId,
        metric_id: mp.lastId,
        max_prompt_ms: Math.max(cursor.max_prompt_ms, longest),
        max_session_ms: Math.max(cursor.max_session_ms, longestSession),
      });
      return { e: ev.rows.length, m: mp.rows.length, done: false };
    });
    if (step === null) return { events, metricPoints, caughtUp: false };
    events += step.e;
    metricPoints += step.m;
    if (step.done) break;
    // Let requests (and, on SQLite, ingest commits on the shared connection) run between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const compacted = await compactTiers(store, dayOf(opts.now?.() ?? Date.now()));
  // After a large catch-up PostgreSQL's statistics describe near-empty tables (autovacuum has not come by yet),
  // and its plans for the tiers would be the ones for a few rows.
  if (store.dialect === 'postgres' && events + metricPoints >= ANALYZE_AFTER) await analyzeTiers(store);
  return { events, metricPoints, caughtUp: compacted };
}

/**
 * Builds the longer blocks that end at or before `through` (today's UTC midnight: every earlier day is over) from
 * their halves, then moves the cursor's `through` there — in one transaction.
 */
export async function compactTiers(store: Store, through: number): Promise<boolean> {
  return store.db.transaction().execute(async (trx) => {
    if (!(await exclusive(trx, store))) return false;
    const cursor = await readCursor(trx);
    if (through <= cursor.tiers_through) return true;
    for (const [org, earliest] of await tierOrgs(trx)) {
      const from = Math.max(cursor.tiers_through, earliest - MAX_SPAN * DAY_MS);
      const blocks = blocksCompleted(from, through).filter((b) => b.start + b.span * DAY_MS > earliest);
      await compactTierBlocks(trx, DIM_TIERS, org, blocks);
      await compactTierBlocks(trx, USE_TIERS, org, blocks);
      await compactTierBlocks(trx, WORKSPACE_TIERS, org, blocks);
      for (const b of blocks) await compactWholeRowBlock(trx, store, org, b.span, b.start);
    }
    await saveCursor(trx, { ...cursor, tiers_through: through });
    return true;
  });
}

/**
 * Fills the workspace tier from the sessions table once, when migration 0013 found a cursor already past events
 * (its `max_session_ms` is -1 until then; reads group the sessions meanwhile). False when another replica refreshes.
 */
async function fillWorkspaces(store: Store): Promise<boolean> {
  return store.db.transaction().execute(async (trx) => {
    const cursor = await readCursor(trx);
    if (cursor.max_session_ms >= 0) return true;
    if (!(await exclusive(trx, store))) return false;
    const longest = await fillWorkspaceTiers(trx, store, cursor.tiers_through);
    await saveCursor(trx, { ...cursor, max_session_ms: longest });
    return true;
  });
}

/** PostgreSQL: one refresher at a time across replicas (a transaction-scoped advisory lock). */
async function exclusive(trx: Transaction<Database>, store: Store): Promise<boolean> {
  if (store.dialect !== 'postgres') return true;
  const r = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${REFRESHER_LOCK}) as ok`.execute(trx);
  return r.rows[0]?.ok === true;
}

/** Adds a fold to the stored tiers; returns the longest prompt (first to last event) among those it touched. */
export async function writeFold(
  trx: Transaction<Database>,
  store: Store,
  fold: DerivedFold,
  through: number,
): Promise<number> {
  await addTierRows(trx, store, DIM_TIERS, spread(fold.dimPairs().values(), through, DIM_TIERS));
  await addTierRows(trx, store, USE_TIERS, spread(fold.uses.values(), through, USE_TIERS));
  await writeKeyTiers(trx, store, fold, through);
  await writeValueTiers(trx, store, fold, through);
  await writeEdgeTiers(trx, store, fold, through);
  if (fold.prompts.size === 0) return 0;
  const parts = [...fold.prompts.values()];
  const byOrg = new Map<string, PromptPart[]>();
  for (const p of parts) {
    let list = byOrg.get(p.org_id);
    if (!list) byOrg.set(p.org_id, (list = []));
    list.push(p);
  }
  let longest = 0;
  const rows: PromptSummariesTable[] = [];
  for (const [org, list] of byOrg) {
    const stored = new Map(
      (
        await readPromptSummaries(
          trx,
          org,
          list.map((p) => p.prompt_id),
        )
      ).map((r) => [r.prompt_id, r]),
    );
    for (const p of list) {
      const before = stored.get(p.prompt_id);
      const merged = before ? fromRow(before) : null;
      if (merged) mergePrompt(merged, p);
      const row = toRow(merged ?? p);
      longest = Math.max(longest, row.last_time - row.first_time);
      rows.push(row);
    }
  }
  await writePromptSummaries(trx, store, rows);
  return longest;
}

export function toRow(p: PromptPart): PromptSummariesTable {
  return {
    org_id: p.org_id,
    prompt_id: p.prompt_id,
    first_time: p.first_time,
    last_time: p.last_time,
    person_min: p.person_min,
    person_max: p.person_max,
    no_person: p.no_person,
    session_min: p.session_min,
    session_max: p.session_max,
    no_session: p.no_session,
    events: p.events,
    api_requests: p.api_requests,
    tool_calls: p.tool_calls,
    errors: p.errors,
    input_tokens: p.input_tokens,
    output_tokens: p.output_tokens,
    cache_read_tokens: p.cache_read_tokens,
    cache_write_tokens: p.cache_write_tokens,
    cost_micros: p.cost_micros,
    tools: encodeSet(p.tools),
    mcp_servers: encodeSet(p.mcp_servers),
    skills: encodeSet(p.skills),
    models: encodeSet(p.models),
    content: p.content.length ? p.content.join(CONTENT_SEPARATOR) : null,
  };
}

export function fromRow(r: PromptSummariesTable): PromptPart {
  return {
    ...r,
    first_time: Number(r.first_time),
    last_time: Number(r.last_time),
    tools: new Set(decodeSet(r.tools)),
    mcp_servers: new Set(decodeSet(r.mcp_servers)),
    skills: new Set(decodeSet(r.skills)),
    models: new Set(decodeSet(r.models)),
    content: r.content === null ? [] : [r.content],
  };
}

/**
 * Empties the derived tiers and folds every event and metric point again (`steward rollups rebuild`): the tiers
 * use the rollup aggregation, and their blocks span the rebuild's start, so they are rebuilt whole. Reports stay
 * exact meanwhile (they fold what the tiers do not hold yet), only slower.
 */
export async function rebuildTiers(store: Store, opts: RefreshOptions = {}): Promise<RefreshResult> {
  await store.db.transaction().execute(async (trx) => {
    // Wait for a refresher run elsewhere (another replica) to finish its chunk, and keep it out meanwhile.
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${REFRESHER_LOCK})`.execute(trx);
    await resetTiers(trx);
  });
  return refreshTiers(store, opts);
}

/** Runs the refresher every `intervalMs` in the background (first run at once); `stop()` waits for a run. */
export function startRefresher(
  store: Store,
  opts: RefreshOptions & { intervalMs: number; onError: (err: unknown) => void },
): { stop(): Promise<void>; runNow(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= refreshTiers(store, { ...opts, shouldYield: () => stopped || (opts.shouldYield?.() ?? false) })
      .then(() => undefined, opts.onError)
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void run(), opts.intervalMs);
  timer.unref();
  void run();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
    runNow: run,
  };
}
