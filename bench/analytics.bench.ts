/**
 * `npm run bench:queries` — the dashboard API at 10M events (DESIGN §9: p95 ≤ 150 ms), on SQLite and PostgreSQL.
 *
 * For each engine: load a synthetic organisation (test/support/synthetic-org.ts: BENCH_PEOPLE people over BENCH_DAYS days,
 * BENCH_EVENTS events, rollups by the real aggregation — see bench/bench-store.ts) or reuse the one already loaded
 * with the same size (BENCH_RELOAD=1 forces a reload), let the analytics refresher catch up as it would in the
 * background of a running Steward, then start the built server (`bin/steward.js serve`, its own process, like a
 * deployment) on that store and time every request the console makes over HTTP — routing, auth, the report, JSON
 * serialisation and transfer included — with the windows the console uses (whole UTC days ending at the midnight after
 * the latest event).
 * Each case runs BENCH_WARMUP times untimed, then BENCH_RUNS times; p50/p95 are nearest-rank.
 *
 * Env: BENCH_EVENTS (10,000,000), BENCH_PEOPLE (2,000), BENCH_DAYS (90), BENCH_ENGINES (sqlite,postgres),
 * BENCH_RUNS (25), BENCH_WARMUP (3), BENCH_DATA_DIR (<tmp>/steward-bench), BENCH_RELOAD (0).
 * Prints a line per case, then one JSON object as the last line.
 */
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { refreshTiers } from '../src/analytics/refresher.js';
import { createApiToken } from '../src/identity/api-tokens.js';
import type { Dialect, Store } from '../src/store/store.js';
import { openBenchStore, pgBenchUrl, type Dataset } from './bench-store.js';
import { SERVE_NODE_FLAGS } from '../src/cli/serve-node-flags.js';

const DAY = 86_400_000;
const BUDGET_MS = 150;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 2_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim()) as Dialect[];
const DATA_DIR = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'steward-bench');
const RELOAD = process.env.BENCH_RELOAD === '1' || process.env.BENCH_RELOAD === 'true';
const SEED = 20_260_301;

const log = (line: string) => process.stderr.write(line + '\n');

interface CaseResult {
  path: string;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  bytes: number;
  pass: boolean;
}

interface EngineResult {
  /** 1-minute load average before and after the timed cases (other work on the machine skews latencies). */
  load_average: [number, number];
  reused_dataset: boolean;
  load_ms: number;
  load_events_per_s: number;
  refresh_ms: number;
  cases: Record<string, CaseResult>;
  pass: boolean;
}

const nearestRank = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
const round1 = (x: number) => Math.round(x * 10) / 10;
const isoOf = (t: number) => new Date(t).toISOString();

/** Values the cases need that depend on the data: a busy person, the biggest team, a prompt to open. */
async function samples(store: Store, from: number, to: number) {
  const person = await store.db
    .selectFrom('sessions')
    .select(['person_id'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('last_seen', '>=', from)
    .where('person_id', 'is not', null)
    .groupBy('person_id')
    .orderBy('n', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const team = await store.db
    .selectFrom('people')
    .select(['team'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('team', 'is not', null)
    .groupBy('team')
    .orderBy('n', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const mid = from + Math.floor((to - from) / 2);
  const prompt = await store.db
    .selectFrom('events')
    .select(['prompt_id', 'time'])
    .where('org_id', '=', 'default')
    .where('time', '>=', mid)
    .where('time', '<', mid + DAY)
    .where('kind', '=', 'prompt')
    .limit(1)
    .executeTakeFirstOrThrow();
  return { person: person.person_id as string, team: team.team as string, prompt };
}

function cases(dataset: Dataset, s: Awaited<ReturnType<typeof samples>>): [string, string][] {
  // The console's window: whole UTC days ending at the midnight after the latest telemetry.
  const to = (Math.floor(dataset.last_event / DAY) + 1) * DAY;
  const w = (days: number) => `from=${isoOf(to - days * DAY)}&to=${isoOf(to)}`;
  const monthStart = Date.UTC(new Date(to - 1).getUTCFullYear(), new Date(to - 1).getUTCMonth(), 1);
  const q = encodeURIComponent;
  return [
    ['adoption_7d', `/api/v1/analytics/adoption?${w(7)}`],
    ['adoption_30d', `/api/v1/analytics/adoption?${w(30)}`],
    ['adoption_90d', `/api/v1/analytics/adoption?${w(90)}`],
    ['adoption_30d_by_department', `/api/v1/analytics/adoption?${w(30)}&group_by=department`],
    ['adoption_90d_by_department', `/api/v1/analytics/adoption?${w(90)}&group_by=department`],
    ['cost_30d_by_department', `/api/v1/analytics/cost?${w(30)}&group_by=department`],
    ['cost_30d_by_person', `/api/v1/analytics/cost?${w(30)}&group_by=person`],
    ['cost_30d_by_model', `/api/v1/analytics/cost?${w(30)}&group_by=model`],
    ['cost_mtd_forecast', `/api/v1/analytics/cost?from=${isoOf(monthStart)}&to=${isoOf(to)}&group_by=department`],
    ['tools_30d', `/api/v1/analytics/tools?${w(30)}`],
    ['discovery_90d', `/api/v1/analytics/discovery?${w(90)}`],
    ['graph_30d', `/api/v1/analytics/graph?${w(30)}`],
    ['graph_30d_team', `/api/v1/analytics/graph?${w(30)}&team=${q(s.team)}`],
    ['threads_30d_by_tool', `/api/v1/threads?${w(30)}&tool=WebFetch`],
    ['threads_30d_by_person', `/api/v1/threads?${w(30)}&person_id=${q(s.person)}`],
    ['threads_30d_by_content', `/api/v1/threads?${w(30)}&q=invoice`],
    ['thread_by_prompt_id', `/api/v1/threads/${q(s.prompt.prompt_id ?? '')}?at=${s.prompt.time}`],
  ];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** `bin/steward.js serve` on the benchmark store, ready; `stop()` ends it (SIGTERM, then waits for the exit). */
async function startServer(engine: Dialect): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const args = [...SERVE_NODE_FLAGS, 'bin/steward.js', 'serve', '--host', '127.0.0.1', '--port', String(port)];
  args.push('--grpc-port', String(await freePort()));
  args.push('--data-dir', engine === 'sqlite' ? join(DATA_DIR, `sqlite-${EVENTS}`) : DATA_DIR);
  if (engine === 'postgres') args.push('--database-url', pgBenchUrl(EVENTS));
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', STEWARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The first-start banner and warnings go to stderr: kept, and shown only when the server fails.
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(url + '/readyz').then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (exitCode !== undefined || i > 300) {
      child.kill('SIGTERM');
      throw new Error(`steward did not become ready (exit ${String(exitCode)}):\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      if (exitCode !== 0 && exitCode !== null) process.stderr.write(stderr);
    },
  };
}

async function runEngine(engine: Dialect): Promise<EngineResult> {
  log(`${engine}: opening the benchmark store (${EVENTS.toLocaleString('en')} events)`);
  const { store, dataset, reused } = await openBenchStore(engine, {
    events: EVENTS,
    people: PEOPLE,
    days: DAYS,
    seed: SEED,
    dataDir: DATA_DIR,
    reload: RELOAD,
    log,
  });
  log(
    reused
      ? `${engine}: reusing the dataset loaded earlier (${dataset.events.toLocaleString('en')} events, loaded in ${(dataset.load_ms / 1000).toFixed(0)} s)`
      : `${engine}: loaded ${dataset.events.toLocaleString('en')} events in ${(dataset.load_ms / 1000).toFixed(0)} s (${dataset.events_per_s}/s)`,
  );
  // What the background refresher of a running Steward does as data arrives: fold everything past its cursor.
  const refreshStart = performance.now();
  const refreshed = await refreshTiers(store, { chunk: 50_000 });
  const refreshMs = Math.round(performance.now() - refreshStart);
  log(
    `${engine}: analytics refresher folded ${refreshed.events.toLocaleString('en')} events and ${refreshed.metricPoints.toLocaleString('en')} metric points in ${(refreshMs / 1000).toFixed(1)} s`,
  );
  const { token } = await createApiToken(store, 'analyst', 'bench:queries');
  const to = (Math.floor(dataset.last_event / DAY) + 1) * DAY;
  const list = cases(dataset, await samples(store, to - 30 * DAY, to));
  await store.close();
  // Steward runs as its own process (the built server, like a deployment): its event loop serves the requests
  // while this process only sends them and reads the bodies.
  const server = await startServer(engine);
  const base = server.url;
  const results: Record<string, CaseResult> = {};
  const loadBefore = loadavg()[0] ?? 0;
  try {
    for (const [name, path] of list) {
      const get = async () => {
        const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${body.slice(0, 300)}`);
        return body.length;
      };
      for (let i = 0; i < WARMUP; i++) await get();
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        bytes = await get();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const r: CaseResult = {
        path,
        p50_ms: round1(nearestRank(times, 0.5)),
        p95_ms: round1(nearestRank(times, 0.95)),
        max_ms: round1(times[times.length - 1] ?? 0),
        bytes,
        pass: nearestRank(times, 0.95) <= BUDGET_MS,
      };
      results[name] = r;
      log(
        `${engine.padEnd(8)} ${name.padEnd(28)} p50 ${String(r.p50_ms).padStart(7)} ms  p95 ${String(r.p95_ms).padStart(7)} ms  ${r.pass ? 'ok' : `OVER ${BUDGET_MS} ms`}`,
      );
    }
  } finally {
    await server.stop();
  }
  return {
    load_average: [round1(loadBefore), round1(loadavg()[0] ?? 0)],
    reused_dataset: reused,
    load_ms: dataset.load_ms,
    load_events_per_s: dataset.events_per_s,
    refresh_ms: refreshMs,
    cases: results,
    pass: Object.values(results).every((r) => r.pass),
  };
}

async function main(): Promise<void> {
  const out: Record<string, EngineResult> = {};
  for (const engine of ENGINES) out[engine] = await runEngine(engine);
  const summary = {
    bench: 'analytics',
    events: EVENTS,
    people: PEOPLE,
    days: DAYS,
    runs: RUNS,
    budgetMs: BUDGET_MS,
    cpus: availableParallelism(),
    via: 'HTTP to bin/steward.js serve in its own process (routing, auth, report, JSON serialisation, transfer)',
    ...out,
    pass: Object.values(out).every((e) => e.pass),
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
}

await main();
