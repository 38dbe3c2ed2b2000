import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDemo } from '../../src/cli/demo/send.js';
import { engines } from '../support/engines.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * The analytics API over data sent through the real OTLP path: the captured Claude Code exports (exact, known
 * figures) and a small seeded demo organisation (consistency: groups sum to totals, rollups agree with raw events).
 */
const FIXTURE_FROM = Date.parse('2026-11-21T05:00:00Z');
const FIXTURE_TO = Date.parse('2026-11-21T06:00:00Z');
const DEMO_END = Date.parse('2026-11-14T18:00:00Z');
const WINDOW_FROM = Date.parse('2026-11-07T00:00:00Z');
const WINDOW_TO = Date.parse('2026-11-15T00:00:00Z');

interface Usage {
  requests: number;
  tokens: { input: number; output: number; cache_read: number; cache_write: number };
  cost_usd_estimate: number;
  cache_hit_ratio: number | null;
}
interface CostBody {
  cost_note: string;
  totals: Usage;
  groups: (Usage & { key: string | null; share_of_cost: number | null })[];
  top_spenders: { person_id: string; cost_usd_estimate: number }[];
  fastest_growing_spenders: { person_id: string; change_usd_estimate: number }[];
  month_to_date: { month: string; cost_usd_estimate: number; forecast_month_end_usd_estimate: number; method: string };
}
interface AdoptionFigures {
  active_people: number;
  wau: number;
  mau: number;
}
interface AdoptionBody {
  totals: AdoptionFigures & {
    known_people: number;
    active_share: number | null;
    new_people: number;
    returning_people: number;
  };
  daily: { day: string; dau: number; wau: number; mau: number }[];
  groups: (AdoptionFigures & { key: string | null; known_people: number | null })[] | null;
  fastest_growing: (string | null)[] | null;
  stalling: (string | null)[] | null;
}

describe.each(engines)('analytics API on %s', (dialect) => {
  let t: TestSteward;
  const get = <T>(path: string): Promise<T> => t.getJson<T>(path);

  beforeAll(async () => {
    t = await startTestSteward({ dialect });
    await t.sendCaptures();
    await sendDemo({
      protocol: 'http/protobuf',
      endpoint: t.url,
      token: t.tokens.ingest,
      people: 10,
      days: 7,
      seed: 42,
      endMs: DEMO_END,
    });
  }, 120_000);
  afterAll(async () => {
    await t.stop();
  });

  it('reports the captured sessions exactly, per person, with cost labelled as an estimate', async () => {
    const body = await get<CostBody>(`/api/v1/analytics/cost?from=${FIXTURE_FROM}&to=${FIXTURE_TO}&group_by=person`);
    expect(body.cost_note).toMatch(/estimate/);
    expect(body.totals.tokens).toEqual({ input: 492, output: 180, cache_read: 356, cache_write: 268 });
    expect(body.totals.requests).toBe(4);
    expect(body.totals.cache_hit_ratio).toBeCloseTo(356 / (492 + 356 + 268), 4);
    expect(body.groups).toHaveLength(2);
    for (const g of body.groups) {
      expect(g.tokens).toEqual({ input: 246, output: 90, cache_read: 178, cache_write: 134 });
      expect(g.cost_usd_estimate).toBeCloseTo(0.00349, 6);
      expect(g.share_of_cost).toBe(0.5);
    }
    expect(body.top_spenders.map((s) => s.person_id).sort()).toEqual(body.groups.map((g) => g.key).sort());
    const byModel = await get<CostBody>(`/api/v1/analytics/cost?from=${FIXTURE_FROM}&to=${FIXTURE_TO}&group_by=model`);
    expect(byModel.groups.map((g) => g.key)).toEqual(['claude-opus-5-5']);
  });

  it('agrees with the raw-event usage summary, and every grouping sums to the totals', async () => {
    const usage = (await (
      await t.api(`/api/v1/usage/summary?from=${WINDOW_FROM}&to=${WINDOW_TO}&group_by=model`)
    ).json()) as { totals: Usage };
    for (const g of ['person', 'team', 'department', 'model', 'agent', 'skill', 'mcp_server', 'surface']) {
      const body = await get<CostBody>(`/api/v1/analytics/cost?from=${WINDOW_FROM}&to=${WINDOW_TO}&group_by=${g}`);
      expect(body.totals.requests).toBe(usage.totals.requests);
      expect(body.totals.tokens).toEqual(usage.totals.tokens);
      expect(body.totals.cost_usd_estimate).toBeCloseTo(usage.totals.cost_usd_estimate, 6);
      const sum = (f: (u: Usage) => number) => body.groups.reduce((n, x) => n + f(x), 0);
      expect(sum((u) => u.requests)).toBe(body.totals.requests);
      expect(sum((u) => u.tokens.input)).toBe(body.totals.tokens.input);
      expect(sum((u) => u.tokens.cache_read)).toBe(body.totals.tokens.cache_read);
      expect(sum((u) => u.cost_usd_estimate)).toBeCloseTo(body.totals.cost_usd_estimate, 6);
    }
    expect(usage.totals.requests).toBeGreaterThan(100);
  });

  it('filters by a dimension, forecasts the month linearly, and ranks spenders', async () => {
    const all = await get<CostBody>(`/api/v1/analytics/cost?from=${WINDOW_FROM}&to=${WINDOW_TO}&group_by=department`);
    const dept = all.groups[0]!.key!;
    const one = await get<CostBody>(
      `/api/v1/analytics/cost?from=${WINDOW_FROM}&to=${WINDOW_TO}&group_by=team&department=${dept}`,
    );
    expect(one.totals.cost_usd_estimate).toBeCloseTo(all.groups[0]!.cost_usd_estimate, 6);
    // Window ends 2026-11-15: month-to-date covers 14 days of November's 30.
    const mtd = one.month_to_date;
    expect(mtd.month).toBe('2026-11');
    expect(mtd.forecast_month_end_usd_estimate).toBeCloseTo((mtd.cost_usd_estimate / 14) * 30, 5);
    expect(mtd.method).toMatch(/estimate/);
    const costs = all.top_spenders.map((s) => s.cost_usd_estimate);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    // The previous window (Oct 30 – Nov 7) holds only the demo's first days, so spend grew.
    expect(all.fastest_growing_spenders.length).toBeGreaterThan(0);
  });

  it('counts adoption: DAU/WAU/MAU, active share, new vs returning, by department and surface', async () => {
    const body = await get<AdoptionBody>(`/api/v1/analytics/adoption?from=${WINDOW_FROM}&to=${WINDOW_TO}`);
    expect(body.daily).toHaveLength(8);
    expect(body.totals.active_people).toBeGreaterThan(0);
    expect(body.totals.active_people).toBeLessThanOrEqual(10);
    // Known = seen before the window's end: the captured fixtures' two people arrive later (Nov 21), so they are not
    // counted, and every demo person seen so far was active.
    expect(body.totals.known_people).toBe(body.totals.active_people);
    expect(body.totals.active_share).toBe(1);
    expect(body.totals.new_people + body.totals.returning_people).toBe(body.totals.active_people);
    const last = body.daily[body.daily.length - 1]!;
    expect(last.mau).toBe(body.totals.mau);
    expect(body.totals.mau).toBe(body.totals.active_people); // everything lies inside 30 days
    for (const d of body.daily) expect(d.dau).toBeLessThanOrEqual(d.wau);
    const byDept = await get<AdoptionBody>(
      `/api/v1/analytics/adoption?from=${WINDOW_FROM}&to=${WINDOW_TO}&group_by=department`,
    );
    // A person belongs to one department: department actives add up to the total.
    expect(byDept.groups!.reduce((n, g) => n + g.active_people, 0)).toBe(body.totals.active_people);
    expect(byDept.fastest_growing).not.toBeNull();
    const bySurface = await get<AdoptionBody>(
      `/api/v1/analytics/adoption?from=${WINDOW_FROM}&to=${WINDOW_TO}&group_by=surface`,
    );
    expect(bySurface.groups!.every((g) => g.known_people === null)).toBe(true);
    const fixtureDay = await get<AdoptionBody>(
      `/api/v1/analytics/adoption?from=${FIXTURE_FROM}&to=${FIXTURE_TO}&group_by=team`,
    );
    expect(fixtureDay.totals.active_people).toBe(2);
    expect(fixtureDay.groups!.map((g) => [g.key, g.active_people])).toEqual([['close', 2]]);
  });

  it('names the bad parameter in a 400 and requires a read role', async () => {
    const bad = await t.api(`/api/v1/analytics/cost?from=${WINDOW_FROM}&to=${WINDOW_TO}&group_by=tool`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/group_by/);
    expect((await t.api(`/api/v1/analytics/adoption?from=${WINDOW_TO}&to=${WINDOW_FROM}`)).status).toBe(400);
    expect((await t.api(`/api/v1/analytics/adoption?to=${WINDOW_TO}`)).status).toBe(400);
    expect((await t.api(`/api/v1/analytics/cost?from=0&to=${WINDOW_TO}`)).status).toBe(400);
    const ingest = await t.api(`/api/v1/analytics/cost?from=${WINDOW_FROM}&to=${WINDOW_TO}`, { role: 'ingest' });
    expect(ingest.status).toBe(403);
  });
});
