/**
 * `npx tsx bench/prompt-index.bench.ts` — what an events (prompt_id, time) index would cost at insert (it was
 * measured for threads and rejected: ARCHITECTURE.md),
 * isolated from HTTP and decoding: the same normalised Claude Code rows inserted into SQLite in 5,000-row
 * transactions, alternately with and without the index, ROUNDS times each. Prints one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_COLUMNS } from '../src/contracts/event-columns.js';
import { eventValues } from '../src/ingest/prepare-batch.js';
import { normaliseLogs } from '../src/ingest/normalise/normalise-logs.js';
import { openStore } from '../src/store/store.js';
import { claudeCodeBatch } from './otlp-load.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 150_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function rows(): unknown[][] {
  const out: unknown[][] = [];
  const opts = { capture: 'off' as const, limits: { maxValueBytes: 65536 }, now: Date.now };
  while (out.length < EVENTS)
    for (const e of normaliseLogs(claudeCodeBatch(500), opts).events) out.push(eventValues(e));
  return out;
}

async function insertRate(data: unknown[][], withIndex: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-idx-'));
  const store = await openStore({ dataDir: dir });
  const raw = store.sqlite;
  if (!raw) throw new Error('SQLite only');
  if (withIndex) raw.exec('CREATE INDEX events_prompt ON events (prompt_id, time)');
  const stmt = raw.prepare(
    `INSERT INTO events (${EVENT_COLUMNS.join(',')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(',')}) ON CONFLICT(org_id, time, dedupe_key) DO NOTHING`,
  );
  const insertMany = raw.transaction((chunk: unknown[][]) => {
    for (const r of chunk) stmt.run(r);
  });
  const t0 = performance.now();
  for (let i = 0; i < data.length; i += 5000) insertMany(data.slice(i, i + 5000));
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return data.length / seconds;
}

const data = rows();
const withIdx: number[] = [];
const without: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  without.push(await insertRate(data, false));
  withIdx.push(await insertRate(data, true));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  JSON.stringify({
    bench: 'prompt-index',
    events: data.length,
    without_index_rows_per_s: without.map(Math.round),
    with_index_rows_per_s: withIdx.map(Math.round),
    median_cost: Number((1 - median(withIdx) / median(without)).toFixed(3)),
  }),
);
