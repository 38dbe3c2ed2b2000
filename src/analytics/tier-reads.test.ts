import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { days as generateDays } from '../../test/support/synthetic-org.js';
import { loadTierData, storeBatch, type TierData } from '../../test/support/tier-data.js';
import { DAY_MS, HOUR_MS } from '../contracts/rollup-columns.js';
import * as raw from '../store/discovery-read.repo.js';
import { dimTierPairs, hourlyPairs, type PairQuery, type PairRow } from '../store/tiers-read.repo.js';
import { readCursor } from '../store/tiers.repo.js';
import { dimensionByPerson, mcpTransports, pluginLoads, toolEdges } from './discovery-reads.js';
import { refreshTiers } from './refresher.js';
import { summarise, usesFromFigures, usesFromRollups } from './discovery.js';
import { readSnapshot, rollupPairs } from './tier-reads.js';
import { valueFigures } from './value-figures.js';
import { cover } from './tiers.js';

/**
 * The derived tiers (migration 0005) against the rows they derive from, on both engines: reads that combine tier
 * blocks, rows past the refresher's cursor and partial days equal the same grouping of the hourly rollups or raw
 * events — before the refresher ran, after it, and after late events; day blocks sum their hours, longer blocks
 * their days.
 */
const END = Date.parse('2026-03-02T00:00:00Z');
const H = HOUR_MS;
const D = DAY_MS;

const sortRows = (rows: readonly PairRow[]) =>
  rows.map((r) => JSON.stringify(r)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

const windows: [string, number, number][] = [
  ['30 whole days', END - 30 * D, END],
  ['partial days at both ends', END - 17 * D + 5 * H, END - 2 * D + 3 * H],
  ['past the data', END - 45 * D, END + 2 * D],
  ['one day', END - 9 * D, END - 8 * D],
  ['inside one day', END - 5 * D + 2 * H, END - 5 * D + 20 * H],
];

const queries: PairQuery[] = [
  { org: 'default', dim: '', groupBy: ['person_id'] },
  { org: 'default', dim: '', groupBy: ['department', 'person_id'], nonEmpty: 'department' },
  { org: 'default', dim: '', groupBy: [] },
  { org: 'default', dim: 'model', groupBy: ['value', 'person_id'] },
  { org: 'default', dim: 'skill', groupBy: ['value'], filters: { team: 'platform' } },
  { org: 'default', dim: 'mcp_server', groupBy: ['value', 'person_id', 'surface'] },
  { org: 'default', dim: 'agent', groupBy: ['value'], values: ['Explore', 'nobody'] },
];

describe.each(engines)('analytics tiers (%s)', (dialect) => {
  let t: TestStore;
  let data: TierData;

  beforeAll(async () => {
    t = await openTestStore(dialect);
    data = await loadTierData(t.store, { people: 24, days: 40, end: END, scale: 0.25, seed: 11 });
  }, 120_000);
  afterAll(async () => {
    await t.cleanup();
  });

  async function expectRollupReadsEqualHourly(): Promise<void> {
    await readSnapshot(t.store, async (s) => {
      for (const [label, from, to] of windows) {
        for (const q of queries) {
          const hourly = await hourlyPairs(s.trx, from, Math.ceil(to / H) * H, q);
          expect(sortRows(await rollupPairs(s, from, to, q)), `${label} ${JSON.stringify(q)}`).toEqual(
            sortRows(hourly),
          );
        }
      }
    });
  }

  async function expectEventReadsEqualRaw(): Promise<void> {
    await readSnapshot(t.store, async (s) => {
      for (const [label, from, to] of windows) {
        const scope = { team: 'platform' };
        const key = (r: object) => JSON.stringify(r);
        const same = <T extends object>(a: T[], b: T[]) => expect(a.map(key).sort(), label).toEqual(b.map(key).sort());
        same(await toolEdges(s, 'default', from, to), await raw.toolUses(s.trx, 'default', from, to));
        same(await toolEdges(s, 'default', from, to, scope), await raw.toolUses(s.trx, 'default', from, to, scope));
        same(await pluginLoads(s, 'default', from, to), await raw.pluginLoads(s.trx, 'default', from, to));
        const transports = (m: Map<string, Set<string>>) =>
          [...m].map(([k, v]) => `${k}:${[...v].sort().join(',')}`).sort();
        const seen = transports(await mcpTransports(s, 'default', from, to));
        expect(seen, label).toEqual(transports(await raw.mcpTransports(s.trx, 'default', from, to, 1_000_000)));
        if (label === '30 whole days') {
          // Several servers, one over several transports: the skip scan steps over keys, not just blocks.
          expect(seen.length, label).toBeGreaterThan(1);
          expect(
            seen.some((t) => t.includes(',')),
            label,
          ).toBe(true);
        }
        const hours = [Math.floor(from / H) * H, Math.ceil(to / H) * H] as const;
        // Discovery's items per value: from the value tiers as from the (value, person) rollup rows.
        const figures = await valueFigures(s, 'default', ...hours, [
          'model',
          'agent',
          'skill',
          'mcp_server',
          'department',
        ]);
        for (const dim of ['model', 'agent', 'skill', 'mcp_server', 'department'] as const) {
          const people = new Map();
          const fromFigures = summarise('model', usesFromFigures(figures.filter((f) => f.dim === dim)), people);
          const fromRows = summarise(
            'model',
            usesFromRollups(await raw.dimensionByPerson(s.trx, 'default', dim, ...hours)),
            people,
          );
          expect(fromFigures, `${label} ${dim}`).toEqual(fromRows);
        }
        for (const dim of ['person_id', 'model', 'department', 'skill'] as const) {
          same(
            await dimensionByPerson(s, 'default', dim, ...hours, scope),
            await raw.dimensionByPerson(s.trx, 'default', dim, ...hours, scope),
          );
        }
      }
    });
  }

  it('reads exactly what the rows hold before the refresher has run', async () => {
    expect((await readCursor(t.store.db)).event_id).toBe(0);
    await expectRollupReadsEqualHourly();
    await expectEventReadsEqualRaw();
  }, 60_000);

  it('reads the same from the tiers once the refresher has folded everything and built longer blocks', async () => {
    const r = await refreshTiers(t.store, { chunk: 1_500, now: () => END - 3 * D + 7 * H });
    expect(r).toMatchObject({ events: data.events, caughtUp: true });
    expect(await readCursor(t.store.db)).toMatchObject({ tiers_through: END - 3 * D });
    await expectRollupReadsEqualHourly();
    await expectEventReadsEqualRaw();
  }, 60_000);

  it('holds in every day block the sum of its hours, in every longer block the sum of its days', async () => {
    const q: PairQuery = { org: 'default', dim: '', groupBy: ['person_id', 'team', 'department', 'surface'] };
    await readSnapshot(t.store, async (s) => {
      for (let day = END - 40 * D; day < END; day += D) {
        const stored = await dimTierPairs(s.trx, [{ span: 1, start: day }], q);
        expect(sortRows(stored), new Date(day).toISOString()).toEqual(
          sortRows(await hourlyPairs(s.trx, day, day + D, q)),
        );
      }
      for (const span of [2, 8, 32]) {
        const start = Math.floor((END - 40 * D) / (span * D)) * span * D + span * D;
        if (start + span * D > END - 3 * D) continue;
        const stored = await dimTierPairs(s.trx, [{ span, start }], q);
        const days = await dimTierPairs(s.trx, cover(start, start + span * D, start), q);
        expect(sortRows(stored), `${span} days`).toEqual(sortRows(days));
        expect(sortRows(stored)).toEqual(sortRows(await hourlyPairs(s.trx, start, start + span * D, q)));
      }
    });
  });

  it('stays exact when events arrive days late, and the tiers catch up on the next run', async () => {
    // A day already in built blocks gets a second, later delivery of other sessions of the same organisation.
    const late = [...generateDays({ ...data.options, seed: 99, only: (d) => d === 20 })][0];
    expect(late?.events.length).toBeGreaterThan(0);
    await storeBatch(t.store, late!);
    await expectRollupReadsEqualHourly();
    await expectEventReadsEqualRaw();
    const r = await refreshTiers(t.store, { now: () => END - 3 * D + 9 * H });
    expect(r.events).toBe(late!.events.length);
    await expectRollupReadsEqualHourly();
    await expectEventReadsEqualRaw();
  }, 60_000);
});
