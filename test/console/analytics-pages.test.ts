import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { openConsole, runnable, statValue, type ConsoleBrowser } from './console-browser.js';
import { sendConsoleDataset, WORKSPACE } from './console-dataset.js';

/**
 * Tools & connectors, Discovery and the Access graph in Chromium against a real Steward holding the captures, the
 * two scenario captures, a synthetic prompt and a person with no department (console-dataset.ts). Figures known from
 * those records are asserted as literals; figures that depend on identifiers minted at ingest are read from the API.
 */
const PERIOD = 'from=2026-10-23T00:00:00.000Z&to=2026-11-22T00:00:00.000Z'; // the 30 days to the latest record

interface Graph {
  nodes: { id: string; label: string; type: string }[];
  edges: { source: string; target: string; risk: string | null }[];
}
interface Discovery {
  mcp_servers: { value: string; top_people: { display_name: string | null }[] }[];
}

/** Cytoscape keeps its instance on its container (`_cyreg`): read the canvas's real state through it. */
function cy<T>(page: Page, fn: string): Promise<T> {
  return page.evaluate(
    `(() => { const cy = document.querySelector('.graph-canvas')._cyreg.cy; return (${fn})(cy); })()`,
  ) as Promise<T>;
}

const describeIf = runnable ? describe : describe.skip;

describeIf('analytics pages in chromium', () => {
  let t: TestSteward;
  let b: ConsoleBrowser;
  let page: Page;
  let graph: Graph;
  const name = (id: string) => graph.nodes.find((n) => n.id === id)?.label;

  beforeAll(async () => {
    t = await startTestSteward();
    await sendConsoleDataset(t);
    graph = await t.getJson<Graph>(`/api/v1/analytics/graph?${PERIOD}`);
    b = await openConsole();
    page = b.page;
    await b.signIn(t.url, t.tokens.analyst);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const nav = (label: string) =>
    page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true });
  const region = (title: string) => page.getByRole('region', { name: title, exact: true });
  const cells = async (row: Locator) =>
    (await row.locator('th, td').allTextContents()).map((x) => x.replace(/\s+/g, ' ').trim());
  const rows = async (table: Locator) => {
    const out: string[][] = [];
    for (const row of await table.locator('tbody tr').all()) out.push(await cells(row));
    return out;
  };
  const panel = () => page.getByRole('region', { name: 'Focused node' });
  /** Waits until Cytoscape's viewport stops moving (a focus animates for 250 ms). */
  const settled = async () => {
    let last = '';
    await expect
      .poll(async () => {
        const now = await cy<string>(page, 'c => JSON.stringify([c.pan(), c.zoom(), c.animated()])');
        const same = now === last;
        last = now;
        return same;
      })
      .toBe(true);
  };

  it('Tools & connectors: built-in tools, MCP servers and their tools, skills, plugins, subagents', async () => {
    await nav('Tools & connectors').click();
    await page.waitForURL(/\/tools$/);
    await expect.poll(() => statValue(page, 'Tool calls').textContent()).toBe('9');
    expect(await statValue(page, 'Error rate').textContent()).toBe('11.1%');
    expect(await statValue(page, 'Latency p50 / p95').textContent()).toBe('21 ms / 250 ms');
    expect(await statValue(page, 'Write-capable tools used').textContent()).toBe('3');

    // Bash: the two captures and the stray copy of the JSON one (21 ms there, 18 ms in the protobuf capture).
    expect(await rows(region('Built-in tools'))).toEqual([
      ['Bash Can write', '3', '0', '0%', '21 ms', '21 ms', '3'],
      ['Edit Can write', '1', '1', '100%', '40 ms', '40 ms', '1'],
      ['Read', '1', '0', '0%', '5 ms', '5 ms', '1'],
      ['WebFetch', '1', '0', '0%', '250 ms', '250 ms', '1'],
    ]);
    const discovery = await t.getJson<Discovery>(`/api/v1/analytics/discovery?${PERIOD}`);
    const githubUser = discovery.mcp_servers.find((m) => m.value === 'github')?.top_people[0]?.display_name;
    expect(githubUser).toMatch(/^device /);
    expect(await rows(region('MCP servers'))).toEqual([
      ['github Can write', '2', '0', '0%', '60 ms', '100 ms', '1', githubUser],
      ['create_issue Can write', '1', '0', '0%', '100 ms', '100 ms', '1', '—'],
      ['get_issue', '1', '0', '0%', '60 ms', '60 ms', '1', '—'],
      // The MCP scenario ran without OTEL_LOG_TOOL_DETAILS: the call is counted under an unnamed server.
      ['Unnamed MCP server', '1', '0', '0%', '11 ms', '11 ms', '1', '—'],
      ['mcp_tool', '1', '0', '0%', '11 ms', '11 ms', '1', '—'],
    ]);
    expect(await region('MCP servers').textContent()).toContain('OTEL_LOG_TOOL_DETAILS=1');
    expect(await rows(region('Skills'))).toEqual([['pdf', '1', '0', '0%', '1', '—']]);
    expect(await rows(region('Subagents'))).toEqual([['Explore', '1', '0', '0%', '500 ms', '500 ms', '1', githubUser]]);
    const plugins = await rows(region('Plugins'));
    expect(plugins.map((r) => r.slice(0, 5))).toEqual([
      ['cc-plugin-agents-md', '5', '0', '0%', '5'],
      ['cc-plugin-plugin-authoring', '5', '0', '0%', '5'],
      ['cc-plugin-privacy', '5', '0', '0%', '5'],
    ]);
    expect(plugins[0]![5]).toMatch(/^device .*, device .* and 3 more$/);
    // Write-capable rows are marked in words, not only by colour.
    expect(await page.locator('tr[data-write="true"]').count()).toBe(4);
    await b.shot('tools');
  });

  it('Discovery: everything seen, what is new, and the person with no department flagged', async () => {
    await nav('Discovery').click();
    await page.waitForURL(/\/discovery$/);
    const counts = page.getByRole('navigation', { name: 'Seen in this period' });
    await expect
      .poll(() => counts.locator('.stat-value').allTextContents())
      .toEqual(['5', '1', '1', '0', '3', '2', '1']);
    const flagged = await rows(region('Unsanctioned candidates'));
    expect(flagged).toHaveLength(1);
    expect(flagged[0]![0]).toBe('device stray-user-w');
    expect(flagged[0]![1]).toBe('Unsanctioned candidate no known department');
    const news = await rows(region('New this week'));
    expect(news).toHaveLength(13);
    expect(
      news
        .map((r) => r[0])
        .slice(0, 3)
        .sort(),
    ).toEqual([WORKSPACE, 'Explore', 'github'].sort());
    expect(await rows(region('Models'))).toEqual([
      ['claude-opus-5-5 New', expect.any(String), expect.any(String), '5', expect.stringMatching(/and 2 more$/)],
    ]);
    expect((await rows(region('MCP servers'))).map((r) => r[0])).toEqual(['custom New', 'github New']);
    expect((await rows(region('Workspace folders'))).map((r) => r[0])).toEqual([`${WORKSPACE} New`]);
    await b.shot('discovery');

    // A discovered connector links to its place in the access graph.
    await region('MCP servers').getByRole('link', { name: 'github' }).click();
    await page.waitForURL(/\/graph\?days=30&focus=mcp_server%3Agithub$/);
    await expect.poll(() => panel().getByRole('heading', { level: 2 }).textContent()).toBe('github');
  });

  it('Access graph: every node and edge of the API, risk marked in colour and line style', async () => {
    await nav('Access graph').click();
    await page.waitForURL(/\/graph$/);
    await page.locator('.graph-canvas canvas').first().waitFor();
    await expect.poll(() => cy<number>(page, 'c => c.nodes().length')).toBe(graph.nodes.length);
    expect(graph.nodes).toHaveLength(19);
    expect(await cy<number>(page, 'c => c.edges().length')).toBe(graph.edges.length);
    const risky = graph.edges.filter((e) => e.risk !== null).length;
    expect(await page.locator('.graph-stage-note').textContent()).toContain(
      `19 nodes · ${graph.edges.length} edges · ${risky} risk-marked`,
    );
    // Write edges: a colour of their own; egress edges: another colour and dashed; plain edges neither.
    const style = await cy<string[][]>(
      page,
      `c => ['[risk = "write"]', '[risk = "egress"]', '[risk = ""]'].map(s => {
        const e = c.edges(s).first(); return [e.style('line-color'), e.style('line-style')]; })`,
    );
    expect(style[0]![1]).toBe('solid');
    expect(style[1]![1]).toBe('dashed');
    expect(style[2]![1]).toBe('solid');
    expect(new Set(style.map((s) => s[0])).size).toBe(3);
    expect(await page.getByRole('group', { name: 'Show' }).textContent()).toContain('Tools 7');
  });

  it('Access graph: clicking a node focuses it, fades the rest and lists its edges', async () => {
    await settled();
    const box = (await page.locator('.graph-canvas').boundingBox())!;
    const at = await cy<{ x: number; y: number }>(page, `c => c.getElementById('tool:Bash').renderedPosition()`);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await page.waitForURL(/focus=tool%3ABash/);
    await expect.poll(() => panel().getByRole('heading', { level: 2 }).textContent()).toBe('Bash');
    const users = graph.edges.filter((e) => e.target === 'tool:Bash').map((e) => name(e.source));
    expect(users).toHaveLength(3);
    const edges = panel().getByRole('list', { name: 'Edges of Bash' }).getByRole('listitem');
    await expect.poll(() => edges.count()).toBe(3);
    for (const item of await edges.all()) {
      expect(await item.textContent()).toMatch(/^←device .*Person1 call · last .*Can write$/);
    }
    expect((await edges.getByRole('button').allTextContents()).sort()).toEqual([...users].sort());
    // The neighbourhood (Bash, three people, three edges) stays; everything else fades.
    const all = graph.nodes.length + graph.edges.length;
    expect(await cy<number>(page, "c => c.elements('.faded').length")).toBe(all - 7);
    expect(await cy<string>(page, "c => c.$('.focused').id()")).toBe('tool:Bash');
    await settled();
    await b.shot('graph-focus');
  });

  it('Access graph: the keyboard way — find a node, Enter focuses it, edges lead on', async () => {
    const find = page.getByLabel('Find a node');
    await find.fill('github');
    await expect.poll(() => page.locator('#graph-find-count').textContent()).toBe('3 of 19 nodes match');
    await find.press('Enter');
    await page.waitForURL(/focus=mcp_server%3Agithub/);
    await expect.poll(() => panel().getByRole('heading', { level: 2 }).textContent()).toBe('github');
    const edges = panel().getByRole('listitem');
    await expect.poll(() => edges.count()).toBe(2);
    expect(await panel().textContent()).toContain('Remote transport');
    const texts = (await edges.allTextContents()).sort();
    expect(texts[0]).toMatch(/^←github\/create_issueTool1 call · last .*Can write$/);
    expect(texts[1]).toMatch(/^←github\/get_issueTool1 call · last .*External egress$/);
    const next = panel().getByRole('button', { name: 'github/create_issue' });
    await next.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => panel().getByRole('heading', { level: 2 }).textContent()).toBe('github/create_issue');
    expect(await page.getByRole('button', { name: /^github\/create_issue/, pressed: true }).count()).toBe(1);
    await page.getByRole('button', { name: 'Clear focus' }).click();
    await expect.poll(() => page.url()).not.toContain('focus=');
    await expect.poll(() => cy<number>(page, "c => c.elements('.faded').length")).toBe(0);
  });

  it('Access graph: filters by kind, team and time window re-draw from the API', async () => {
    await page.getByLabel('Find a node').fill('');
    await page.getByRole('checkbox', { name: /^Plugins/ }).uncheck();
    await expect.poll(() => cy<number>(page, 'c => c.nodes().length')).toBe(16);
    expect(await page.locator('#graph-find-count').textContent()).toBe('16 nodes');
    await page.getByRole('checkbox', { name: /^Plugins/ }).check();

    const close = await t.getJson<Graph>(`/api/v1/analytics/graph?${PERIOD}&team=close`);
    expect(close.nodes.some((n) => n.label === 'device stray-user-w')).toBe(false);
    await page.getByLabel('Team').selectOption('close');
    await page.waitForURL(/team=close/);
    await expect.poll(() => cy<number>(page, 'c => c.nodes().length')).toBe(close.nodes.length);
    expect(await page.getByRole('list', { name: 'Nodes' }).textContent()).not.toContain('stray');
    await page.getByRole('link', { name: '7 days' }).click();
    await page.waitForURL(/days=7/);
    await expect.poll(() => page.locator('.page-subtitle').textContent()).toContain('the 7 days to');
    await expect.poll(() => cy<number>(page, 'c => c.nodes().length')).toBe(close.nodes.length);

    await page.goto(`${t.url}/graph?team=nobody`);
    await expect.poll(() => page.locator('.empty-state h3').textContent()).toBe('Nothing to graph');
  });

  it('Access graph: follows the dark theme, canvas included', async () => {
    await page.goto(`${t.url}/graph?focus=mcp_server%3Agithub`);
    await expect.poll(() => cy<number>(page, 'c => c.nodes().length')).toBe(19);
    const edgeColour = () => cy<string>(page, `c => c.edges('[risk = ""]').first().style('line-color')`);
    const light = await edgeColour();
    await settled();
    await b.shot('graph');
    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(edgeColour).not.toBe(light);
    await settled();
    await b.shot('graph-dark');
    await page.getByLabel('Theme').selectOption('system');
  });

  it('logged no console errors, warnings or failed requests', () => {
    expect(b.problems).toEqual([]);
  });
});
