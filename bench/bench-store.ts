/**
 * Loads the synthetic organisation (test/support/synthetic-org.ts) into a store for the dashboard benchmark, or reuses
 * one already loaded with the same size and generator version: a SQLite file under the bench data directory, or a
 * PostgreSQL database `steward_bench_<events>`.
 *
 * Loading is the fastest honest bulk path per engine, writing what ingest writes:
 * - events, sessions, metric points and people as ingest stores them (SQLite: the ingest INSERT for events and
 *   cached prepared statements in one transaction per day; PostgreSQL: one `INSERT … SELECT FROM unnest($1, …)`
 *   per column-array chunk, the COPY-like path without new dependencies);
 * - rollups by the real aggregation: each day's events and metric points go through the same `addEvent` /
 *   `addMetricPoint` / `writeIncrements` ingest calls in its commit transaction;
 * - the two secondary indexes of `events` are dropped before and rebuilt after (their definitions are read back
 *   from the catalog, so they are exactly the migration's), then statistics are gathered (SQLite ANALYZE,
 *   PostgreSQL VACUUM ANALYZE).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { addEvent, addMetricPoint, newIncrements } from '../src/analytics/rollup-aggregate.js';
import { writeIncrements } from '../src/analytics/rollup-writer.js';
import { EVENT_COLUMNS, type EventValues } from '../src/contracts/event-columns.js';
import type { PeopleTable, SessionsTable } from '../src/store/database.js';
import { insertEvents } from '../src/store/events.repo.js';
import { openStore, type Dialect, type Store } from '../src/store/store.js';
import {
  DAY_MS,
  days,
  makePeople,
  peopleRows,
  type BenchPerson,
  type DayBatch,
  type MetricPointRow,
} from '../test/support/synthetic-org.js';

/** Bump when the generator's output changes: a stored dataset of another version is reloaded. */
export const GENERATOR_VERSION = 1;
const META_KEY = 'bench.dataset';
export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Dataset {
  version: number;
  events: number;
  metric_points: number;
  sessions: number;
  people: number;
  /** UTC midnight of the first day and the time of the last event. */
  start: number;
  last_event: number;
  load_ms: number;
  events_per_s: number;
}

export interface BenchStoreOptions {
  events: number;
  people: number;
  days: number;
  seed: number;
  dataDir: string;
  reload: boolean;
  log: (line: string) => void;
}

export interface BenchStore {
  store: Store;
  dataset: Dataset;
  reused: boolean;
}

export function pgBenchUrl(events: number): string {
  return `postgres://postgres@127.0.0.1:5432/steward_bench_${events}`;
}

async function open(engine: Dialect, o: BenchStoreOptions): Promise<Store> {
  return engine === 'sqlite'
    ? openStore({ dataDir: join(o.dataDir, `sqlite-${o.events}`) })
    : openStore({ dataDir: o.dataDir, databaseUrl: pgBenchUrl(o.events) });
}

async function wipe(engine: Dialect, o: BenchStoreOptions): Promise<void> {
  if (engine === 'sqlite') {
    rmSync(join(o.dataDir, `sqlite-${o.events}`), { recursive: true, force: true });
    return;
  }
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS steward_bench_${o.events} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE steward_bench_${o.events}`);
  } finally {
    await admin.end();
  }
}

async function storedDataset(store: Store): Promise<Dataset | null> {
  const row = await store.db.selectFrom('meta').select('value').where('key', '=', META_KEY).executeTakeFirst();
  return row ? (JSON.parse(row.value) as Dataset) : null;
}

/** Opens the benchmark store for `engine`, loading the dataset unless an identical one is already there. */
export async function openBenchStore(engine: Dialect, o: BenchStoreOptions): Promise<BenchStore> {
  mkdirSync(o.dataDir, { recursive: true });
  if (!o.reload) {
    try {
      const store = await open(engine, o);
      const found = await storedDataset(store);
      if (found && found.version === GENERATOR_VERSION && found.events === o.events && found.people === o.people) {
        return { store, dataset: found, reused: true };
      }
      await store.close();
    } catch {
      // No database yet (or an unusable one): load it.
    }
  }
  await wipe(engine, o);
  const store = await open(engine, o);
  const dataset = await load(store, o);
  return { store, dataset, reused: false };
}

/** Sessions per active person-day so that the span holds about `events` events (sampled every 10th day). */
function estimateScale(o: BenchStoreOptions, start: number, notAfter: number): number {
  const people = makePeople(o.people, o.days, o.seed);
  let sampled = 0;
  let n = 0;
  const only = (d: number) => d % 10 === 3;
  for (const batch of days({ people, start, days: o.days, notAfter, scale: 1, seed: o.seed, only })) {
    sampled += batch.events.length;
    n++;
  }
  const perDay = sampled / Math.max(1, n);
  const full = (notAfter - start) / DAY_MS;
  return (o.events / (perDay * full)) * 1.04;
}

async function load(store: Store, o: BenchStoreOptions): Promise<Dataset> {
  const t0 = performance.now();
  const now = Date.now();
  const start = Math.floor(now / DAY_MS) * DAY_MS - (o.days - 1) * DAY_MS;
  const scale = estimateScale(o, start, now);
  o.log(
    `  generating ${o.events.toLocaleString('en')} events, ${o.people} people, ${o.days} days (scale ${scale.toFixed(3)})`,
  );
  const people = makePeople(o.people, o.days, o.seed);
  const writer = store.sqlite ? new SqliteWriter(store) : await PgWriter.open(store, pgBenchUrl(o.events));
  const dropped = await writer.dropEventIndexes();
  let events = 0;
  let metricPoints = 0;
  let sessions = 0;
  let lastEvent = 0;
  let lastLog = performance.now();
  const gen = { people, start, days: o.days, notAfter: now, scale, seed: o.seed };
  for (let batch of days(gen)) {
    const left = o.events - events;
    if (left <= 0) break;
    if (batch.events.length > left) {
      // The last day: keep a prefix in time, regenerated with an earlier end so sessions and metrics match it.
      const cut = batch.events[left]![1] as number;
      const index = Math.round((batch.day - start) / DAY_MS);
      const again = {
        ...gen,
        people: makePeople(o.people, o.days, o.seed),
        notAfter: cut,
        only: (d: number) => d === index,
      };
      batch = days(again).next().value as DayBatch;
    }
    await writer.writeDay(batch);
    const inc = newIncrements();
    for (const row of batch.events) addEvent(inc, row);
    for (const p of batch.metrics) addMetricPoint(inc, p);
    await writer.inTransaction((trx) => writeIncrements(trx, store, inc));
    track(people, batch.sessions);
    events += batch.events.length;
    metricPoints += batch.metrics.length;
    sessions += batch.sessions.length;
    if (batch.events.length) lastEvent = Math.max(lastEvent, batch.events[batch.events.length - 1]![1] as number);
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      const s = (performance.now() - t0) / 1000;
      o.log(`  … ${events.toLocaleString('en')} events in ${s.toFixed(0)} s (${Math.round(events / s)}/s)`);
    }
  }
  const rows = peopleRows(people);
  await writer.writePeople(rows);
  o.log(`  rebuilding the events indexes and gathering statistics`);
  await writer.restoreIndexes(dropped);
  await writer.close();
  const loadMs = Math.round(performance.now() - t0);
  const dataset: Dataset = {
    version: GENERATOR_VERSION,
    events,
    metric_points: metricPoints,
    sessions,
    people: o.people,
    start,
    last_event: lastEvent,
    load_ms: loadMs,
    events_per_s: Math.round(events / (loadMs / 1000)),
  };
  // A dataset is reusable only once this row exists: an interrupted load is reloaded next time.
  await store.db
    .insertInto('meta')
    .values({ key: META_KEY, value: JSON.stringify(dataset) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(dataset) }))
    .execute();
  return dataset;
}

function track(people: BenchPerson[], sessions: readonly SessionsTable[]): void {
  const byId = new Map(people.map((p) => [p.id, p]));
  for (const s of sessions) {
    const p = byId.get(s.person_id ?? '');
    if (!p) continue;
    p.firstSeen = Math.min(p.firstSeen, s.first_seen);
    p.lastSeen = Math.max(p.lastSeen, s.last_seen);
  }
}

const SESSION_COLUMNS = [
  'id',
  'org_id',
  'person_id',
  'surface',
  'service_name',
  'app_version',
  'entrypoint',
  'terminal_type',
  'os_type',
  'host_arch',
  'department',
  'team',
  'workspace_paths',
  'first_seen',
  'last_seen',
  'event_count',
  'prompt_count',
  'api_request_count',
  'tool_call_count',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_micros',
] as const satisfies readonly (keyof SessionsTable)[];

const METRIC_COLUMNS = [
  'dedupe_key',
  'time',
  'org_id',
  'name',
  'unit',
  'surface',
  'person_id',
  'session_id',
  'model',
  'type',
  'value',
  'department',
  'team',
  'attrs',
] as const satisfies readonly (keyof MetricPointRow)[];

const PEOPLE_COLUMNS = [
  'id',
  'org_id',
  'display_name',
  'email',
  'department',
  'team',
  'cost_center',
  'manager',
  'is_demo',
  'first_seen',
  'last_seen',
  'merged_into',
] as const satisfies readonly (keyof PeopleTable)[];

interface Writer {
  dropEventIndexes(): Promise<string[]>;
  writeDay(batch: DayBatch): Promise<void>;
  inTransaction(fn: (trx: Parameters<typeof writeIncrements>[0]) => Promise<void>): Promise<void>;
  writePeople(rows: PeopleTable[]): Promise<void>;
  restoreIndexes(definitions: string[]): Promise<void>;
  close(): Promise<void>;
}

class SqliteWriter implements Writer {
  private readonly raw: NonNullable<Store['sqlite']>;
  private readonly cacheSize: unknown;

  constructor(private readonly store: Store) {
    this.raw = store.sqlite!;
    this.cacheSize = this.raw.pragma('cache_size', { simple: true });
    this.raw.pragma('synchronous = OFF');
    this.raw.pragma('cache_size = -524288');
  }

  async dropEventIndexes(): Promise<string[]> {
    // Non-unique indexes only: the unique (org, time, dedupe_key) index is what ingest's INSERT … ON CONFLICT names.
    const rows = this.raw
      .prepare(
        `select name, sql from sqlite_master where type = 'index' and tbl_name = 'events' and sql is not null
           and sql not like 'create unique%' collate nocase`,
      )
      .all() as { name: string; sql: string }[];
    for (const r of rows) this.raw.exec(`drop index ${r.name}`);
    return rows.map((r) => r.sql);
  }

  async writeDay(batch: DayBatch): Promise<void> {
    const sessions = this.insert('sessions', SESSION_COLUMNS);
    const metrics = this.insert('metric_points', METRIC_COLUMNS);
    await this.store.db.transaction().execute(async (trx) => {
      await insertEvents(trx, this.store, batch.events);
      for (const s of batch.sessions) sessions.run(SESSION_COLUMNS.map((c) => s[c]));
      for (const m of batch.metrics) metrics.run(METRIC_COLUMNS.map((c) => m[c]));
    });
  }

  async inTransaction(fn: (trx: Parameters<typeof writeIncrements>[0]) => Promise<void>): Promise<void> {
    await this.store.db.transaction().execute(fn);
  }

  async writePeople(rows: PeopleTable[]): Promise<void> {
    const people = this.insert('people', PEOPLE_COLUMNS);
    const alias = this.raw.prepare(
      `insert into person_aliases (kind, value, person_id, first_seen, last_seen) values (?, ?, ?, ?, ?)`,
    );
    this.raw.transaction(() => {
      for (const p of rows) {
        people.run(PEOPLE_COLUMNS.map((c) => p[c]));
        alias.run('user.email', p.email, p.id, p.first_seen, p.last_seen);
      }
    })();
  }

  async restoreIndexes(definitions: string[]): Promise<void> {
    for (const d of definitions) this.raw.exec(d);
    this.raw.exec('analyze');
  }

  async close(): Promise<void> {
    this.raw.pragma('synchronous = NORMAL');
    this.raw.pragma(`cache_size = ${Number(this.cacheSize)}`);
  }

  private insert(table: string, columns: readonly string[]) {
    return this.raw.prepare(
      `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
    );
  }
}

const BIGINT_EVENT_COLUMNS = new Set([
  'time',
  'sequence',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_micros',
]);

function eventType(c: string): string {
  if (BIGINT_EVENT_COLUMNS.has(c)) return 'bigint';
  if (c === 'success') return 'integer';
  if (c === 'duration_ms') return 'double precision';
  return 'text';
}

const SESSION_TYPES = SESSION_COLUMNS.map((c) =>
  c === 'first_seen' || c === 'last_seen' || c.endsWith('_count') || c.endsWith('_tokens') || c === 'cost_micros'
    ? 'bigint'
    : 'text',
);
const METRIC_TYPES = METRIC_COLUMNS.map((c) => (c === 'time' ? 'bigint' : c === 'value' ? 'double precision' : 'text'));
const PEOPLE_TYPES = PEOPLE_COLUMNS.map((c) =>
  c === 'first_seen' || c === 'last_seen' ? 'bigint' : c === 'is_demo' ? 'integer' : 'text',
);

const PG_CHUNK = 20_000;

class PgWriter implements Writer {
  private constructor(
    private readonly store: Store,
    private readonly client: pg.Client,
  ) {}

  static async open(store: Store, url: string): Promise<PgWriter> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`set synchronous_commit = off`);
    await client.query(`set maintenance_work_mem = '1GB'`);
    return new PgWriter(store, client);
  }

  async dropEventIndexes(): Promise<string[]> {
    const res = await this.client.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = 'events'
         and indexname not in (select conname from pg_constraint)`,
    );
    for (const r of res.rows) await this.client.query(`drop index ${r.indexname}`);
    return res.rows.map((r) => r.indexdef);
  }

  async writeDay(batch: DayBatch): Promise<void> {
    await this.client.query('begin');
    for (let i = 0; i < batch.events.length; i += PG_CHUNK) {
      await this.unnest('events', EVENT_COLUMNS, EVENT_COLUMNS.map(eventType), batch.events.slice(i, i + PG_CHUNK));
    }
    const sessions = batch.sessions.map((s) => SESSION_COLUMNS.map((c) => s[c]));
    for (let i = 0; i < sessions.length; i += PG_CHUNK) {
      await this.unnest('sessions', SESSION_COLUMNS, SESSION_TYPES, sessions.slice(i, i + PG_CHUNK));
    }
    const metrics = batch.metrics.map((m) => METRIC_COLUMNS.map((c) => m[c]));
    for (let i = 0; i < metrics.length; i += PG_CHUNK) {
      await this.unnest('metric_points', METRIC_COLUMNS, METRIC_TYPES, metrics.slice(i, i + PG_CHUNK));
    }
    await this.client.query('commit');
  }

  async inTransaction(fn: (trx: Parameters<typeof writeIncrements>[0]) => Promise<void>): Promise<void> {
    await this.store.db.transaction().execute(fn);
  }

  async writePeople(rows: PeopleTable[]): Promise<void> {
    await this.unnest(
      'people',
      PEOPLE_COLUMNS,
      PEOPLE_TYPES,
      rows.map((p) => PEOPLE_COLUMNS.map((c) => p[c])),
    );
    await this.unnest(
      'person_aliases',
      ['kind', 'value', 'person_id', 'first_seen', 'last_seen'],
      ['text', 'text', 'text', 'bigint', 'bigint'],
      rows.map((p) => ['user.email', p.email, p.id, p.first_seen, p.last_seen]),
    );
  }

  async restoreIndexes(definitions: string[]): Promise<void> {
    for (const d of definitions) await this.client.query(d);
    await this.client.query('vacuum analyze');
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  /** One INSERT … SELECT FROM unnest(array per column): a single statement and 1 parameter per column. */
  private async unnest(table: string, columns: readonly string[], types: readonly string[], rows: EventValues[]) {
    if (rows.length === 0) return;
    const arrays = columns.map((_, i) => rows.map((r) => r[i] ?? null));
    const args = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
    await this.client.query(`insert into ${table} (${columns.join(', ')}) select * from unnest(${args})`, arrays);
  }
}
