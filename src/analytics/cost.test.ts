import { describe, expect, it } from 'vitest';
import { ROLLUP_COUNTERS } from '../contracts/rollup-columns.js';
import type { RollupSums } from '../store/rollups-read.repo.js';
import { cacheHitRatio, monthForecast, rankSpenders } from './cost.js';

const sums = (key: string, cost: number): RollupSums =>
  ({ key, keys: [key], ...Object.fromEntries(ROLLUP_COUNTERS.map((c) => [c, 0])), cost_micros: cost }) as RollupSums;

describe('cost', () => {
  it('cache hit ratio is cache reads over all input-side tokens', () => {
    expect(cacheHitRatio({ input_tokens: 246, cache_read_tokens: 178, cache_write_tokens: 134 })).toBeCloseTo(
      178 / 558,
    );
    expect(cacheHitRatio({ input_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 })).toBeNull();
  });

  it('forecasts the month end linearly from the days elapsed', () => {
    const f = monthForecast(Date.parse('2026-11-11T00:00:00Z'), 10_000_000); // $10 in 10 days
    expect(f).toMatchObject({ month: '2026-11', days_elapsed: 10, days_in_month: 30, cost_usd_estimate: 10 });
    expect(f.forecast_month_end_usd_estimate).toBe(30);
    // A window ending exactly at midnight on the 1st belongs to the month before.
    expect(monthForecast(Date.parse('2026-12-01T00:00:00Z'), 1).month).toBe('2026-11');
  });

  it('ranks top spenders by cost and fastest-growing by the increase over the previous window', () => {
    const now = [sums('a', 5_000_000), sums('b', 3_000_000), sums('c', 1_000_000), sums('', 9_000_000)];
    const before = [sums('a', 4_900_000), sums('b', 1_000_000)];
    const r = rankSpenders(now, before, new Map([['a', 'ana@example.com']]));
    expect(r.top.map((p) => p.person_id)).toEqual(['a', 'b', 'c']); // unattributed spend is not a person
    expect(r.top[0]!.display_name).toBe('ana@example.com');
    expect(r.growing.map((p) => [p.person_id, p.growth])).toEqual([
      ['b', 2],
      ['c', null],
      ['a', 0.0204],
    ]);
  });
});
