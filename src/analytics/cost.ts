import {
  DAY_MS,
  ROLLUP_COUNTERS,
  type RollupCounters,
  type RollupDimension,
  type RollupDimensions,
} from '../contracts/rollup-columns.js';
import { knownPeople, type RollupSums } from '../store/rollups-read.repo.js';
import type { Store } from '../store/store.js';
import { COST_COUNTERS, costSums } from './cost-sums.js';
import { hourOf } from './rollup-aggregate.js';
import { inParallel, readSnapshot, type Snapshot } from './tier-reads.js';

/**
 * Cost and tokens from the hourly rollups (issue 3 §3). Costs come from telemetry (`cost_usd` on api_request
 * events, computed by the client from its price table): they are estimates, never billing, and say so.
 */
export const COST_NOTE =
  'Costs are estimates computed by the Claude clients from their price tables (telemetry), not official billing.';

export const costGroups = [
  'person',
  'team',
  'department',
  'model',
  'agent',
  'workflow',
  'skill',
  'mcp_server',
  'surface',
] as const;
export type CostGroup = (typeof costGroups)[number];

export interface CostQuery {
  from: number;
  to: number;
  groupBy: CostGroup;
  filters: Partial<RollupDimensions>;
  /** The current time: month-to-date stops here. */
  now: number;
}

const TOP = 10;

export const dimensionOf = (g: CostGroup | 'department' | 'team' | 'surface'): RollupDimension =>
  g === 'person' ? 'person_id' : g;

/** Cache hit ratio: the share of prompt tokens read from cache (cache reads / all input-side tokens). */
export function cacheHitRatio(s: Pick<RollupSums, 'input_tokens' | 'cache_read_tokens' | 'cache_write_tokens'>) {
  const all = s.input_tokens + s.cache_read_tokens + s.cache_write_tokens;
  return all === 0 ? null : s.cache_read_tokens / all;
}

const usd = (micros: number): number => micros / 1_000_000;
const round4 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10_000) / 10_000);

function usage(s: RollupSums) {
  return {
    requests: s.requests,
    tokens: {
      input: s.input_tokens,
      output: s.output_tokens,
      cache_read: s.cache_read_tokens,
      cache_write: s.cache_write_tokens,
    },
    cost_usd_estimate: usd(s.cost_micros),
    cache_hit_ratio: round4(cacheHitRatio(s)),
  };
}

/**
 * Month-to-date for the calendar month (UTC) containing the end of the window, and a month-end forecast that
 * extends the month's average daily spend so far over the whole month — a linear estimate.
 */
export function monthForecast(asOf: number, mtdMicros: number) {
  const d = new Date(asOf - 1);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const monthEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const elapsedDays = (Math.min(asOf, monthEnd) - monthStart) / DAY_MS;
  const monthDays = (monthEnd - monthStart) / DAY_MS;
  return {
    month: new Date(monthStart).toISOString().slice(0, 7),
    as_of: new Date(Math.min(asOf, monthEnd)).toISOString(),
    cost_usd_estimate: usd(mtdMicros),
    days_elapsed: Math.round(elapsedDays * 100) / 100,
    days_in_month: monthDays,
    forecast_month_end_usd_estimate: elapsedDays > 0 ? usd(Math.round((mtdMicros / elapsedDays) * monthDays)) : 0,
    method: 'linear: month-to-date cost ÷ days elapsed × days in month (an estimate)',
  };
}

/** Spenders ranked by cost, and by growth against the previous window of the same length. */
export function rankSpenders(
  now: readonly RollupSums[],
  before: readonly RollupSums[],
  names: ReadonlyMap<string, string>,
) {
  const prev = new Map(before.map((r) => [r.key, r.cost_micros]));
  const people = now
    .filter((r) => r.key !== '')
    .map((r) => {
      const p = prev.get(r.key) ?? 0;
      return {
        person_id: r.key,
        display_name: names.get(r.key) ?? null,
        cost_usd_estimate: usd(r.cost_micros),
        previous_cost_usd_estimate: usd(p),
        change_usd_estimate: usd(r.cost_micros - p),
        growth: p > 0 ? round4((r.cost_micros - p) / p) : null,
      };
    });
  const top = [...people].sort((a, b) => b.cost_usd_estimate - a.cost_usd_estimate).slice(0, TOP);
  const growing = people
    .filter((p) => p.change_usd_estimate > 0)
    .sort((a, b) => b.change_usd_estimate - a.change_usd_estimate)
    .slice(0, TOP);
  return { top, growing };
}

/** Folds finer groups into coarser ones (or one total with `pick` returning ''). */
export function foldSums(rows: readonly RollupSums[], pick: (r: RollupSums) => string): RollupSums[] {
  const out = new Map<string, RollupSums>();
  for (const r of rows) {
    const key = pick(r);
    let acc = out.get(key);
    if (!acc) {
      acc = { ...r, key, keys: [key] };
      out.set(key, acc);
      continue;
    }
    for (const c of COST_COUNTERS) acc[c] += r[c];
  }
  return [...out.values()];
}

export async function costReport(store: Store, q: CostQuery) {
  const org = 'default';
  const from = hourOf(q.from);
  const len = q.to - from;
  const dim = dimensionOf(q.groupBy);
  const asOf = Math.min(q.to, q.now);
  const monthStart = Date.UTC(new Date(asOf - 1).getUTCFullYear(), new Date(asOf - 1).getUTCMonth(), 1);
  // Per window two grouped reads, by the dimension and by person (spenders; the total), in one snapshot: the
  // dimension tiers, the rows past the refresher's cursor and the partial days' hourly rows agree.
  const sums = (s: Snapshot, w: { from: number; to: number }, d: RollupDimension | null) =>
    costSums(s, { org, ...w, dim: d, filters: q.filters });
  const read = await readSnapshot(store, async (s) => {
    const now = { from, to: q.to };
    const before = { from: from - len, to: from };
    const [people, previousPeople, groups, previousGroups, mtd, known] = await inParallel(
      s,
      (l) => sums(l, now, 'person_id'),
      (l) => sums(l, before, 'person_id'),
      (l) => (dim === 'person_id' ? Promise.resolve(null) : sums(l, now, dim)),
      (l) => (dim === 'person_id' ? Promise.resolve(null) : sums(l, before, dim)),
      (l) => sums(l, { from: monthStart, to: asOf }, null),
      (l) => knownPeople(l.trx, org),
    );
    return {
      people,
      previousPeople,
      groups: groups ?? people,
      previousGroups: previousGroups ?? previousPeople,
      mtd,
      known,
    };
  });
  const { mtd, known } = read;
  const total = foldSums(read.people, () => '')[0] ?? zeroSums();
  const groups = read.groups;
  const previousTotal = read.previousGroups.reduce((n, g) => n + g.cost_micros, 0);
  const prevByKey = new Map(read.previousGroups.map((g) => [g.key, g.cost_micros]));
  const names = new Map(known.map((p) => [p.id, p.display_name]));
  const spenders = rankSpenders(read.people, read.previousPeople, names);
  return {
    from: new Date(from).toISOString(),
    to: new Date(q.to).toISOString(),
    group_by: q.groupBy,
    filters: q.filters,
    cost_note: COST_NOTE,
    totals: usage(total),
    previous_window: {
      from: new Date(from - len).toISOString(),
      to: new Date(from).toISOString(),
      cost_usd_estimate: usd(previousTotal),
    },
    groups: groups
      .sort((a, b) => b.cost_micros - a.cost_micros || b.requests - a.requests)
      .map((g) => ({
        key: g.key === '' ? null : g.key,
        ...(q.groupBy === 'person' ? { display_name: names.get(g.key) ?? null } : {}),
        ...usage(g),
        share_of_cost: total.cost_micros > 0 ? round4(g.cost_micros / total.cost_micros) : null,
        previous_cost_usd_estimate: usd(prevByKey.get(g.key) ?? 0),
      })),
    top_spenders: spenders.top,
    fastest_growing_spenders: spenders.growing,
    month_to_date: monthForecast(asOf, mtd[0]?.cost_micros ?? 0),
  };
}

function zeroSums(): RollupSums {
  return { key: '', keys: [], ...(Object.fromEntries(ROLLUP_COUNTERS.map((c) => [c, 0])) as RollupCounters) };
}
