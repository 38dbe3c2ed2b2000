import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { PriceTable } from './price-table.js';
import { emptyUsage, type Usage } from './usage.js';

/** Prices from the default table (claude-surfaces.md §6.4); USD per MTok × tokens = micro-USD. */
const table = new PriceTable(loadConfig().gateway);
const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u });
const MTOK = { input: 1_000_000 };

describe('PriceTable', () => {
  it('prices each token kind at its own rate', () => {
    const u = usage({ input: 1000, output: 100, cacheRead: 10_000, cacheWrite5m: 200, cacheWrite1h: 300 });
    // Opus 5: 5 / 25 / 0.5 / 6.25 / 10
    expect(table.cost('claude-opus-5', u)).toBe(1000 * 5 + 100 * 25 + 10_000 * 0.5 + 200 * 6.25 + 300 * 10);
    expect(table.cost('claude-opus-5', usage(MTOK))).toBe(5_000_000); // $5 per million
  });

  it('matches dated snapshots and explicit prefixes, never a longer family name', () => {
    expect(table.find('claude-sonnet-4-5-20250929')?.model).toBe('claude-sonnet-4-5');
    expect(table.find('claude-opus-4')?.model).toBe('claude-opus-4');
    expect(table.find('claude-opus-4-1')?.model).toBe('claude-opus-4-1');
    expect(table.find('claude-opus-5-5')).toBeNull(); // not in the table: unknown, not Opus 5
    expect(table.cost('claude-opus-5-5', usage(MTOK))).toBeNull();
    const custom = new PriceTable(
      loadConfig({
        flags: {
          gateway: {
            prices: [{ model: 'acme-*', input: 1, output: 2, cacheWrite5m: 1, cacheWrite1h: 2, cacheRead: 0.1 }],
          },
        },
      }).gateway,
    );
    expect(custom.cost('acme-large-2', usage({ input: 10, output: 10 }))).toBe(30);
  });

  it('applies fast mode (cache prices scale with it), batch and the inference_geo multiplier', () => {
    expect(table.cost('claude-opus-5', usage({ input: 100, output: 10, cacheRead: 1000 }), true)).toBe(
      100 * 10 + 10 * 50 + 1000 * 1,
    );
    expect(table.cost('claude-sonnet-5', usage({ input: 1000, serviceTier: 'batch' }))).toBe(1000);
    expect(table.cost('claude-sonnet-5', usage({ input: 1000, inferenceGeo: 'us' }))).toBe(2200);
    expect(table.cost('claude-haiku-4-5', usage({ input: 1000, inferenceGeo: 'us' }))).toBe(1000); // before 4.6
  });

  it('estimates an unknown model at the highest prices so it never passes a USD budget as free', () => {
    expect(table.estimate('claude-sonnet-5', 1000, 100)).toBe(1000 * 2 + 100 * 10);
    expect(table.estimate('mystery', 1000, 100)).toBe(1000 * 15 + 100 * 75);
  });
});
