import { sql, type Transaction } from 'kysely';
import type { Database } from '../store/database.js';
import type { Store } from '../store/store.js';
import {
  dimTierPairs,
  distinctServerDetails,
  hourlyPairs,
  keyTierRows,
  useTierRows,
  type PairQuery,
  type PairRow,
  type UseQuery,
  type UseRow,
} from '../store/tiers-read.repo.js';
import { eventsAfter, eventsInWindow, metricsAfter } from '../store/fold-reads.repo.js';
import { readCursor, tierVersion, type Cursor } from '../store/tiers.repo.js';
import { DerivedFold, type DimPair, type ToolKeyUse, type ToolUse } from './derived-fold.js';
import { tierRead } from './tier-cache.js';
import { cover, splitWindow } from './tiers.js';

/**
 * Reads that combine the derived tiers with what they do not hold yet, so a report answers exactly what the raw
 * rows would: whole UTC days from the tier blocks plus the events and metric points past the refresher's cursor
 * (folded here, the same fold the refresher runs); partial days from rollups_hourly (rollup-derived figures) or
 * from the raw events of those hours (event-derived figures). Everything is read in one snapshot (a transaction,
 * REPEATABLE READ on PostgreSQL) so the cursor, the tiers and the rows past the cursor agree.
 */
export interface Snapshot {
  trx: Transaction<Database>;
  store: Store;
  cursor: Cursor;
  /** `tierVersion`: tier reads made under the same version are shared between reports (tier-cache.ts). */
  version: string;
  folds: Map<string, Promise<DerivedFold>>;
  /** What is read once per snapshot (`snapshotMemo`). */
  memo: Map<string, Promise<unknown>>;
  /** PostgreSQL: the snapshot exported for reads on other connections (`inParallel`). */
  exported: string | null;
}

/** What `make` gives, made once per snapshot under `key` (dictionaries and reads several reports share). */
export function snapshotMemo<T>(s: Snapshot, key: string, make: () => Promise<T>): Promise<T> {
  let p = s.memo.get(key) as Promise<T> | undefined;
  if (!p) s.memo.set(key, (p = make()));
  return p;
}

export async function readSnapshot<T>(store: Store, fn: (s: Snapshot) => Promise<T>): Promise<T> {
  if (store.dialect !== 'postgres') {
    // read only: a deferred BEGIN, so a dashboard never holds the write lock (store/sqlite-dialect.ts).
    return store.db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => {
        const cursor = await readCursor(trx);
        const version = await tierVersion(trx, 'sqlite', cursor);
        return fn({ trx, store, cursor, version, folds: new Map(), memo: new Map(), exported: null });
      });
  }
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const cursor = await readCursor(trx);
      const version = await tierVersion(trx, 'postgres', cursor);
      const exported = (await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(trx)).rows[0]?.id ?? null;
      return fn({ trx, store, cursor, version, folds: new Map(), memo: new Map(), exported });
    });
}

/** Reports using extra connections at once, per store (PostgreSQL pools hold 10 connections). */
const busy = new WeakMap<Store, number>();
const MAX_PARALLEL_REPORTS = 2;
/** Extra connections per report: with the snapshot's own, four reads at a time. */
const MAX_LANES = 3;

/**
 * Runs independent reads of one snapshot side by side on PostgreSQL — on the snapshot's own connection and up to
 * MAX_LANES pooled connections, each in a transaction that imports the snapshot (so every read sees exactly the
 * same rows), each taking the next read as it finishes one, in the order given (put the longest first) — and one
 * after another on SQLite (one connection) or while two other reports already read in parallel (bounded
 * connections; lanes never wait for each other, so a full pool delays them but cannot deadlock).
 */
export async function inParallel<T extends unknown[]>(
  s: Snapshot,
  ...fns: { [K in keyof T]: (s: Snapshot) => Promise<T[K]> }
): Promise<T> {
  const running = busy.get(s.store) ?? 0;
  if (s.exported === null || running >= MAX_PARALLEL_REPORTS) {
    const out: unknown[] = [];
    for (const f of fns) out.push(await f(s));
    return out as T;
  }
  busy.set(s.store, running + 1);
  try {
    const id = s.exported;
    const out: unknown[] = new Array(fns.length);
    let next = 0;
    const drain = async (on: Snapshot) => {
      while (next < fns.length) {
        const i = next++;
        out[i] = await (fns[i] as (s: Snapshot) => Promise<unknown>)(on);
      }
    };
    const lane = () =>
      s.store.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          await sql`set transaction snapshot ${sql.lit(id)}`.execute(trx);
          await drain({ ...s, trx });
        });
    const lanes = Math.min(MAX_LANES, fns.length - 1);
    await Promise.all([drain(s), ...Array.from({ length: lanes }, lane)]);
    return out as T;
  } finally {
    busy.set(s.store, (busy.get(s.store) ?? 1) - 1);
  }
}

function cached(s: Snapshot, key: string, make: () => Promise<DerivedFold>): Promise<DerivedFold> {
  let f = s.folds.get(key);
  if (!f) s.folds.set(key, (f = make()));
  return f;
}

/** Events and metric points past the cursor with a time in [from, to), folded. */
export function pastCursor(s: Snapshot, from: number, to: number): Promise<DerivedFold> {
  return cached(s, `past/${from}/${to}`, async () => {
    const fold = new DerivedFold();
    const ev = await eventsAfter(s.trx, s.store, { after: s.cursor.event_id, from, to });
    for (const row of ev.rows) fold.addEvent(row);
    const mp = await metricsAfter(s.trx, s.store, { after: s.cursor.metric_id, from, to });
    for (const p of mp.rows) fold.addMetricPoint(p);
    return fold;
  });
}

/** All events of some kinds in [from, to) (a window's partial days), folded. */
export function rawEvents(s: Snapshot, from: number, to: number, kinds?: readonly string[]): Promise<DerivedFold> {
  return cached(s, `raw/${from}/${to}/${kinds?.join(',') ?? '*'}`, async () => {
    const fold = new DerivedFold();
    for (const row of await eventsInWindow(s.trx, from, to, kinds)) fold.addEvent(row);
    return fold;
  });
}

const SEP = '\u0001';

function mergePairs(into: Map<string, PairRow>, rows: Iterable<PairRow>): void {
  for (const r of rows) {
    const k = r.keys.join(SEP);
    const p = into.get(k);
    if (!p) {
      into.set(k, { ...r });
      continue;
    }
    p.first_hour = Math.min(p.first_hour, r.first_hour);
    p.last_hour = Math.max(p.last_hour, r.last_hour);
    p.calls += r.calls;
    p.requests += r.requests;
    p.input_tokens += r.input_tokens;
    p.output_tokens += r.output_tokens;
    p.cache_read_tokens += r.cache_read_tokens;
    p.cache_write_tokens += r.cache_write_tokens;
    p.cost_micros += r.cost_micros;
  }
}

/** Folded day pairs grouped as `dimTierPairs` would group stored ones. */
function groupFoldedPairs(pairs: Iterable<DimPair>, q: PairQuery): PairRow[] {
  const out = new Map<string, PairRow>();
  const values = q.values ? new Set(q.values) : null;
  for (const p of pairs) {
    if (p.org_id !== q.org || p.dim !== q.dim) continue;
    if (q.nonEmpty && p[q.nonEmpty] === '') continue;
    if (values && !values.has(p.value)) continue;
    let skip = false;
    for (const [c, v] of Object.entries(q.filters ?? {}))
      if (v !== undefined && p[c as keyof DimPair] !== v) skip = true;
    if (skip) continue;
    mergePairs(out, [
      {
        keys: q.groupBy.map((c) => p[c]),
        first_hour: p.first_hour,
        last_hour: p.last_hour,
        calls: p.calls,
        requests: p.requests,
        input_tokens: p.input_tokens,
        output_tokens: p.output_tokens,
        cache_read_tokens: p.cache_read_tokens,
        cache_write_tokens: p.cache_write_tokens,
        cost_micros: p.cost_micros,
      },
    ]);
  }
  return [...out.values()];
}

/**
 * Rollup pairs over a window of whole hours, grouped: the whole days from `rollup_dim_tiers` plus what is past the
 * cursor, the partial days from rollups_hourly — what the same grouping over rollups_hourly alone returns.
 */
export async function rollupPairs(s: Snapshot, from: number, to: number, q: PairQuery): Promise<PairRow[]> {
  const w = splitWindow(from, to);
  const out = new Map<string, PairRow>();
  if (w.head) mergePairs(out, await hourlyPairs(s.trx, w.head.from, w.head.to, q));
  if (w.tail) mergePairs(out, await hourlyPairs(s.trx, w.tail.from, w.tail.to, q));
  if (w.days) {
    const blocks = cover(w.days.from, w.days.to, s.cursor.tiers_through);
    mergePairs(out, await tierRead(s, ['dim', blocks, q], () => dimTierPairs(s.trx, blocks, q)));
    mergePairs(out, groupFoldedPairs((await pastCursor(s, w.days.from, w.days.to)).dimPairs().values(), q));
  }
  return [...out.values()];
}

function mergeUses(into: Map<string, UseRow>, rows: Iterable<UseRow>): void {
  for (const r of rows) {
    const k = r.keys.join(SEP);
    const u = into.get(k);
    if (!u) {
      into.set(k, { ...r });
      continue;
    }
    u.calls += r.calls;
    u.errors += r.errors;
    u.first_time = Math.min(u.first_time, r.first_time);
    u.last_time = Math.max(u.last_time, r.last_time);
  }
}

function groupFoldedUses(uses: Iterable<ToolUse>, q: UseQuery): UseRow[] {
  const out = new Map<string, UseRow>();
  const kinds = new Set(q.kinds);
  const people = q.people ? new Set(q.people) : null;
  for (const u of uses) {
    if (u.org_id !== q.org || !kinds.has(u.kind)) continue;
    if (q.filters?.team !== undefined && u.team !== q.filters.team) continue;
    if (q.filters?.department !== undefined && u.department !== q.filters.department) continue;
    if (q.nonEmpty?.some((c) => u[c] === '')) continue;
    if (people && !people.has(u.person_id)) continue;
    mergeUses(out, [
      {
        keys: q.groupBy.map((c) => u[c]),
        calls: u.calls,
        errors: u.errors,
        first_time: u.first_time,
        last_time: u.last_time,
      },
    ]);
  }
  return [...out.values()];
}

/** Tool-ish event uses over any window [from, to), grouped — exactly the grouping of the raw events. */
export async function toolUses(s: Snapshot, from: number, to: number, q: UseQuery): Promise<UseRow[]> {
  const w = splitWindow(from, to);
  const out = new Map<string, UseRow>();
  for (const part of [w.head, w.tail]) {
    if (part) mergeUses(out, groupFoldedUses((await rawEvents(s, part.from, part.to, q.kinds)).uses.values(), q));
  }
  if (w.days) {
    const blocks = cover(w.days.from, w.days.to, s.cursor.tiers_through);
    mergeUses(out, await tierRead(s, ['use', blocks, q], () => useTierRows(s.trx, blocks, q)));
    mergeUses(out, groupFoldedUses((await pastCursor(s, w.days.from, w.days.to)).uses.values(), q));
  }
  return [...out.values()];
}

/**
 * The distinct (MCP server, detail) pairs of one kind of tool use over [from, to) — `toolUses` grouped by server and
 * detail without the figures, so whole days need no row per person (a skip scan on PostgreSQL).
 */
export async function serverDetails(
  s: Snapshot,
  org: string,
  kind: string,
  from: number,
  to: number,
): Promise<[server: string, detail: string][]> {
  const q: UseQuery = { org, kinds: [kind], groupBy: ['mcp_server', 'detail'], nonEmpty: ['mcp_server', 'detail'] };
  const out: [string, string][] = [];
  const addFolded = (fold: DerivedFold) => {
    for (const r of groupFoldedUses(fold.uses.values(), q)) out.push(r.keys as [string, string]);
  };
  const w = splitWindow(from, to);
  for (const part of [w.head, w.tail]) if (part) addFolded(await rawEvents(s, part.from, part.to, q.kinds));
  if (w.days) {
    const blocks = cover(w.days.from, w.days.to, s.cursor.tiers_through);
    const postgres = s.store.dialect === 'postgres';
    const read = () => distinctServerDetails(s.trx, postgres, org, kind, blocks);
    for (const r of await tierRead(s, ['details', org, kind, blocks], read)) out.push([r.mcp_server, r.detail]);
    addFolded(await pastCursor(s, w.days.from, w.days.to));
  }
  return out;
}

/** The key-tier rows of some blocks (shared between reports while the tiers stay as they are). */
export function tierKeyRows(s: Snapshot, org: string, blocks: ReturnType<typeof cover>) {
  return tierRead(s, ['keys', org, blocks], () => keyTierRows(s.trx, org, blocks));
}

/** Per tool key over [from, to): stored key-tier rows (people as bitmaps) and folded uses (people as ids). */
export async function toolKeys(
  s: Snapshot,
  org: string,
  from: number,
  to: number,
  kinds: readonly string[],
): Promise<{ stored: Awaited<ReturnType<typeof keyTierRows>>; folded: ToolKeyUse[] }> {
  const w = splitWindow(from, to);
  const folded: ToolKeyUse[] = [];
  for (const part of [w.head, w.tail])
    if (part) folded.push(...(await rawEvents(s, part.from, part.to, kinds)).keys.values());
  let stored: Awaited<ReturnType<typeof keyTierRows>> = [];
  if (w.days) {
    stored = await tierKeyRows(s, org, cover(w.days.from, w.days.to, s.cursor.tiers_through));
    folded.push(...(await pastCursor(s, w.days.from, w.days.to)).keys.values());
  }
  return { stored, folded: folded.filter((k) => k.org_id === org) };
}
