/**
 * `npm run bench:ingest` — OTLP ingest throughput, acknowledged durably, against this machine's ceiling.
 *
 * Steward runs as its own process (the built `bin/steward.js serve`, SQLite by default) while this process plays
 * 8 concurrent exporters sending Claude Code-shaped batches (JSON, then protobuf). Side by side, in the same run,
 * the bare SQLite ceiling: the same normalised rows inserted with one prepared statement in 5,000-row
 * transactions and nothing else. Prints one JSON object as its last line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVE_NODE_FLAGS } from '../src/cli/serve-node-flags.js';
import { createApiToken } from '../src/identity/api-tokens.js';
import { EVENT_COLUMNS } from '../src/contracts/event-columns.js';
import { eventValues } from '../src/ingest/prepare-batch.js';
import { normaliseLogs } from '../src/ingest/normalise/normalise-logs.js';
import { openStore } from '../src/store/store.js';
import { claudeCodeBatch, makeBodies, percentile, runLoad } from './otlp-load.js';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 300);
const EVENTS_PER_BATCH = Number(process.env.BENCH_EVENTS_PER_BATCH ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** CPU ticks (1/100 s) per thread name of a Linux process: where the server's time goes, per phase. */
function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${name}#${tid}`, Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** Server CPU µs per acknowledged event between two samples, by thread kind (main, decode workers, the rest). */
function cpuPerEvent(pid: number, before: Map<string, number>, events: number): Record<string, number> {
  const after = threadTicks(pid);
  const byKind: Record<string, number> = {};
  for (const [key, ticks] of after) {
    const tid = Number(key.split('#')[1]);
    const kind = tid === pid ? 'main' : 'other_threads';
    byKind[kind] = (byKind[kind] ?? 0) + ticks - (before.get(key) ?? 0);
  }
  return Object.fromEntries(Object.entries(byKind).map(([k, t]) => [k, Number(((t * 10_000) / events).toFixed(1))]));
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function bareSqliteCeiling(totalEvents: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-bare-'));
  const store = await openStore({ dataDir: dir });
  const raw = store.sqlite!;
  const rows: unknown[][] = [];
  const opts = { capture: 'off' as const, limits: { maxValueBytes: 65536 }, now: Date.now };
  while (rows.length < totalEvents) {
    for (const e of normaliseLogs(claudeCodeBatch(EVENTS_PER_BATCH), opts).events) rows.push(eventValues(e));
  }
  const stmt = raw.prepare(
    `INSERT INTO events (${EVENT_COLUMNS.join(',')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(',')}) ON CONFLICT(org_id, time, dedupe_key) DO NOTHING`,
  );
  const insertMany = raw.transaction((chunk: typeof rows) => {
    for (const r of chunk) stmt.run(r);
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 5000) insertMany(rows.slice(i, i + 5000));
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return rows.length / seconds;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  const setup = await openStore({ dataDir });
  const token = (await createApiToken(setup, 'ingest', 'bench')).token;
  await setup.close();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...SERVE_NODE_FLAGS, // as `npm start` runs it
      // BENCH_INGEST_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under load.
      ...(process.env.BENCH_INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean),
      'bin/steward.js',
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--grpc-port',
      String(await freePort()),
      '--host',
      '127.0.0.1',
    ],
    {
      env: { ...stewardEnv(), PATH: process.env.PATH ?? '', STEWARD_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(url + '/readyz').then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 100) throw new Error('steward did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    process.stderr.write(`preparing ${BATCHES}×${EVENTS_PER_BATCH} events per encoding…\n`);
    const jsonBodies = makeBodies(BATCHES, EVENTS_PER_BATCH, false);
    const protoBodies = makeBodies(BATCHES, EVENTS_PER_BATCH, true);
    await runLoad(url, token, makeBodies(10, EVENTS_PER_BATCH, false), CONCURRENCY); // warm-up
    const t0 = threadTicks(child.pid!);
    const json = await runLoad(url, token, jsonBodies, CONCURRENCY);
    const jsonCpu = cpuPerEvent(child.pid!, t0, json.events);
    const t1 = threadTicks(child.pid!);
    const proto = await runLoad(url, token, protoBodies, CONCURRENCY);
    const protoCpu = cpuPerEvent(child.pid!, t1, proto.events);
    const rss = peakRssMb(child.pid!);
    const bare = await bareSqliteCeiling(BATCHES * EVENTS_PER_BATCH);
    const summary = (r: typeof json, cpu: Record<string, number>) => ({
      acknowledged_events_per_s: Math.round(r.eventsPerSecond),
      p50_ack_ms: Number(percentile(r.latenciesMs, 50).toFixed(1)),
      p99_ack_ms: Number(percentile(r.latenciesMs, 99).toFixed(1)),
      events: r.events,
      non_2xx: r.non2xx,
      ratio_to_bare_sqlite: Number((r.eventsPerSecond / bare).toFixed(3)),
      load_generator_cpu_share: Number(r.clientCpuShare.toFixed(2)),
      server_cpu_us_per_event: cpu,
    });
    const result = {
      bench: 'ingest',
      store: 'sqlite',
      concurrency: CONCURRENCY,
      events_per_batch: EVENTS_PER_BATCH,
      http_json: summary(json, jsonCpu),
      http_protobuf: summary(proto, protoCpu),
      bare_sqlite_insert_rows_per_s: Math.round(bare),
      server_peak_rss_mb: rss,
      budget_events_per_s: 50_000,
      meets_budget: Math.min(json.eventsPerSecond, proto.eventsPerSecond) >= 50_000,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** STEWARD_* settings given to the bench (e.g. STEWARD_INGEST_DECODE_WORKERS=2) reach the server under test. */
function stewardEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('STEWARD_') && e[1] !== undefined),
  );
}

await main();
