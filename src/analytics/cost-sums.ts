import {
  ROLLUP_COUNTERS,
  type RollupCounter,
  type RollupDimension,
  type RollupDimensions,
} from '../contracts/rollup-columns.js';
import { sumRollups, type RollupSums } from '../store/rollups-read.repo.js';
import { SESSION_COLUMNS, type PairColumn, type PairRow, type SessionColumn } from '../store/tiers-read.repo.js';
import { rollupPairs, type Snapshot } from './tier-reads.js';

/**
 * Cost sums per dimension value over whole hours — what `sumRollups` over the hourly rows returns with
 * `requestsOnly` and the cost counters — read from the dimension tiers. A dimension's '' group (rows where it was
 * absent) is not stored in the tiers; it is the session-level base minus the dimension's named values: tokens, cost
 * and requests only ever come with a request, so those sums are additive and exact. Filters on a dimension other
 * than person, team, department or surface fall back to the hourly rows.
 */
export const COST_COUNTERS = [
  'requests',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_micros',
] as const satisfies readonly RollupCounter[];

export interface CostSumsQuery {
  org: string;
  from: number;
  to: number;
  /** Group by this one dimension (null: one row of totals). */
  dim: RollupDimension | null;
  filters: Partial<RollupDimensions>;
}

const isSession = (d: string): d is SessionColumn => (SESSION_COLUMNS as readonly string[]).includes(d);

function sums(keys: string[], r: Pick<PairRow, (typeof COST_COUNTERS)[number]>): RollupSums {
  const out = { key: keys[0] ?? '', keys } as RollupSums;
  for (const c of ROLLUP_COUNTERS) out[c] = 0;
  for (const c of COST_COUNTERS) out[c] = r[c];
  return out;
}

const ZERO = {
  requests: 0,
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cost_micros: 0,
};

/** What `sumRollups` returns for `groupBy: [dim]` (or none), `requestsOnly` and the cost counters. */
export async function costSums(s: Snapshot, q: CostSumsQuery): Promise<RollupSums[]> {
  const filterDims = Object.entries(q.filters).filter(([, v]) => v !== undefined);
  if (filterDims.some(([d]) => !isSession(d))) {
    return sumRollups(s.trx, {
      org: q.org,
      from: q.from,
      to: q.to,
      groupBy: q.dim === null ? [] : [q.dim],
      filters: q.filters,
      counters: COST_COUNTERS,
      requestsOnly: true,
    });
  }
  const filters = Object.fromEntries(filterDims) as Partial<Record<SessionColumn, string>>;
  const base = (groupBy: PairColumn[]) => rollupPairs(s, q.from, q.to, { org: q.org, dim: '', groupBy, filters });
  if (q.dim === null) {
    // Like one SQL aggregate without GROUP BY: always one row, zeros when nothing matched.
    return [sums([], (await base([])).find((r) => r.requests > 0) ?? ZERO)];
  }
  if (isSession(q.dim)) return (await base([q.dim])).filter((r) => r.requests > 0).map((r) => sums(r.keys, r));
  const byValue = await rollupPairs(s, q.from, q.to, { org: q.org, dim: q.dim, groupBy: ['value'], filters });
  const out = byValue.filter((r) => r.requests > 0).map((r) => sums(r.keys, r));
  // The '' group: the base total minus every named value.
  const rest = { ...((await base([]))[0] ?? ZERO) };
  for (const r of byValue) for (const c of COST_COUNTERS) rest[c] -= r[c];
  if (rest.requests > 0) out.push(sums([''], rest));
  return out;
}
