/**
 * `npx tsx bench/analytics.bench.ts` — dashboard reads over rollups (DESIGN §9: p95 ≤ 150 ms at 10M events).
 *
 * Fills a SQLite store with the rollups of a 300-person organisation over 92 days (a third of people active in
 * each working hour, four model rows per person-hour: the shape ~10M Claude Code events roll up to), then times the
 * cost and adoption reports the console asks for. Every rollup row here carries requests, which is the worst case
 * for the cost report (real prompt/tool-only rows are skipped by its `requests > 0` filter). Prints JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adoptionReport } from '../src/analytics/adoption.js';
import { costReport } from '../src/analytics/cost.js';
import { ROLLUP_COUNTERS, type RollupRow } from '../src/contracts/rollup-columns.js';
import type { RollupPersonDaysTable } from '../src/store/database.js';
import { insertPersonDays, upsertRollups } from '../src/store/rollups.repo.js';
import { openStore } from '../src/store/store.js';

const H = 3_600_000;
const D = 86_400_000;
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 300);
const RUNS = 20;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-analytics-'));
  const store = await openStore({ dataDir: dir });
  const end = Date.parse('2026-11-15T00:00:00Z');
  let rollupRows = 0;
  await store.db.transaction().execute(async (trx) => {
    for (let h = end - 92 * D; h < end; h += H) {
      const hourOfDay = (h / H) % 24;
      if (hourOfDay < 8 || hourOfDay > 18) continue;
      const rows: RollupRow[] = [];
      const days: RollupPersonDaysTable[] = [];
      for (let p = 0; p < PEOPLE; p++) {
        if ((p * 7 + h / H) % 3 !== 0) continue;
        const dims = { person_id: `p${p}`, team: `t${p % 20}`, department: `d${p % 8}`, surface: 'claude_code' };
        for (const model of ['opus', 'sonnet', 'haiku', '']) {
          const counters = Object.fromEntries(ROLLUP_COUNTERS.map((c) => [c, 10])) as Record<string, number>;
          rows.push({
            org_id: 'default',
            hour: h,
            ...dims,
            model,
            agent: '',
            workflow: '',
            skill: '',
            plugin: '',
            mcp_server: '',
            ...counters,
          } as RollupRow);
        }
        days.push({ org_id: 'default', day: Math.floor(h / D) * D, ...dims });
      }
      await upsertRollups(trx, store, rows);
      await insertPersonDays(trx, store, days);
      rollupRows += rows.length;
    }
  });
  const cases: [string, () => Promise<unknown>][] = [
    [
      'cost_30d_by_department',
      () => costReport(store, { from: end - 30 * D, to: end, groupBy: 'department', filters: {}, now: end }),
    ],
    [
      'cost_30d_by_person',
      () => costReport(store, { from: end - 30 * D, to: end, groupBy: 'person', filters: {}, now: end }),
    ],
    [
      'cost_7d_by_model',
      () => costReport(store, { from: end - 7 * D, to: end, groupBy: 'model', filters: {}, now: end }),
    ],
    ['adoption_30d_by_team', () => adoptionReport(store, { from: end - 30 * D, to: end, groupBy: 'team' })],
    ['adoption_90d', () => adoptionReport(store, { from: end - 90 * D, to: end })],
  ];
  const results: Record<string, { p50_ms: number; p95_ms: number }> = {};
  for (const [name, run] of cases) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await run();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 10) / 10;
    results[name] = { p50_ms: at(0.5), p95_ms: at(0.95) };
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({
      bench: 'analytics',
      store: 'sqlite',
      people: PEOPLE,
      rollup_rows: rollupRows,
      budget_p95_ms: 150,
      ...results,
    }) + '\n',
  );
}

await main();
