import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDemo } from '../../src/cli/demo/send.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { openConsole, runnable, statValue, type ConsoleBrowser } from './console-browser.js';

/**
 * The console at the size of a real organisation: `steward demo` (24 people, 30 days, a fixed seed) sent through the
 * real OpenTelemetry exporters. Every page opens without a console error, its headline figures match the API, the
 * access graph draws ~100 nodes and focuses one, and the screenshots (light and dark) are the README's.
 */
const DAY = 86_400_000;
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

const describeIf = runnable ? describe : describe.skip;

describeIf('the console on a demo organisation', () => {
  let t: TestSteward;
  let b: ConsoleBrowser;
  let page: Page;
  let period: string;

  beforeAll(async () => {
    t = await startTestSteward();
    await sendDemo({
      protocol: 'http/protobuf',
      endpoint: t.url,
      token: t.tokens.ingest,
      people: 24,
      days: 30,
      seed: 7,
      endMs: Date.now(),
    });
    // The period every page shows by default: the 30 whole UTC days up to the latest telemetry.
    const status = await t.getJson<{ last_event_at: string }>('/api/v1/status');
    const to = (Math.floor(Date.parse(status.last_event_at) / DAY) + 1) * DAY;
    period = `from=${new Date(to - 30 * DAY).toISOString()}&to=${new Date(to).toISOString()}`;
    b = await openConsole();
    page = b.page;
    await b.signIn(t.url, t.tokens.analyst);
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const nav = (label: string) =>
    page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true });
  const cy = <T>(fn: string) =>
    page.evaluate(
      `(() => { const cy = document.querySelector('.graph-canvas')._cyreg.cy; return (${fn})(cy); })()`,
    ) as Promise<T>;

  it('Overview: the organisation’s adoption, cost and top team, as the API reports them', async () => {
    const adoption = await t.getJson<{ totals: { active_people: number; wau: number }; groups: { key: string }[] }>(
      `/api/v1/analytics/adoption?${period}&group_by=team`,
    );
    const cost = await t.getJson<{ totals: { cost_usd_estimate: number } }>(
      `/api/v1/analytics/cost?${period}&group_by=team`,
    );
    expect(adoption.totals.active_people).toBeGreaterThan(10);
    await expect.poll(() => statValue(page, 'Active people').textContent()).toBe(String(adoption.totals.active_people));
    expect(await statValue(page, 'Weekly active').textContent()).toBe(String(adoption.totals.wau));
    await expect
      .poll(() => statValue(page, 'Estimated cost').textContent())
      .toBe(usd.format(cost.totals.cost_usd_estimate));
    const teams = page.getByRole('region', { name: 'Top teams' });
    await expect.poll(() => teams.locator('tbody th').first().textContent()).toBe(adoption.groups[0]!.key);
    await expect.poll(() => page.getByRole('region', { name: 'Top tools' }).locator('tbody tr').count()).toBe(6);
    await page.waitForTimeout(500); // the charts' entry animation
    await b.shot('demo-overview');
    await page.getByLabel('Theme').selectOption('dark');
    await page.waitForTimeout(500);
    await b.shot('demo-overview-dark');
    await page.getByLabel('Theme').selectOption('system');
  });

  it('Tools, Discovery and Cost open with the API’s figures', async () => {
    const tools = await t.getJson<{
      builtin_tools: { name: string; write_capable: boolean }[];
      mcp_servers: { name: string }[];
    }>(`/api/v1/analytics/tools?${period}`);
    await nav('Tools & connectors').click();
    const builtin = page.getByRole('region', { name: 'Built-in tools' });
    await expect
      .poll(() => builtin.locator('tbody th').allTextContents())
      .toEqual(tools.builtin_tools.map((x) => x.name + (x.write_capable ? ' Can write' : '')));
    expect(await page.getByRole('region', { name: 'MCP servers' }).locator('tbody tr strong').count()).toBe(
      tools.mcp_servers.length,
    );
    await b.shot('demo-tools');
    await nav('Discovery').click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Workspace folders' }).locator('tbody tr').count())
      .toBeGreaterThan(10);
    await b.shot('demo-discovery');
    await nav('Cost').click();
    await expect.poll(() => page.locator('.cost-groups tbody tr').count()).toBeGreaterThan(3);
    await page.waitForTimeout(500);
    await b.shot('demo-cost');
  });

  it('Access graph: draws the whole organisation and focuses the busiest person from the keyboard', async () => {
    const graph = await t.getJson<{
      nodes: { id: string; type: string; label: string; calls: number }[];
      capped: boolean;
    }>(`/api/v1/analytics/graph?${period}`);
    expect(graph.capped).toBe(false);
    expect(graph.nodes.length).toBeGreaterThan(60);
    await nav('Access graph').click();
    await expect.poll(() => cy<number>('c => c.nodes().length')).toBe(graph.nodes.length);
    await page.waitForTimeout(500);
    await b.shot('demo-graph');
    const busiest = graph.nodes
      .filter((n) => n.type === 'person')
      .sort((a, c) => c.calls - a.calls || a.label.localeCompare(c.label))[0]!;
    await page.getByLabel('Find a node').fill(busiest.label);
    await page.getByLabel('Find a node').press('Enter');
    await expect
      .poll(() => page.getByRole('region', { name: 'Focused node' }).getByRole('heading', { level: 2 }).textContent())
      .toBe(busiest.label);
    await expect.poll(() => cy<string>("c => c.$('.focused').id()")).toBe(busiest.id);
    await page.getByLabel('Theme').selectOption('dark');
    await page.waitForTimeout(500);
    await b.shot('demo-graph-focus-dark');
    await page.getByLabel('Theme').selectOption('system');
  });

  it('logged no console errors, warnings or failed requests', () => {
    expect(b.problems).toEqual([]);
  });
});
