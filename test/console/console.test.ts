import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBytes, fixtureJson } from '../support/fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { ARTIFACTS, CHROMIUM, openConsole, runnable, statValue, type ConsoleBrowser } from './console-browser.js';

/**
 * The console in a real browser (DESIGN §7: playwright-core driving Debian's chromium) against a real Steward
 * loaded with the real Claude Code captures: sign in, open every page, find the known figures, no console errors.
 * Screenshots of each page go to test-artifacts/console/. The analytics pages (Tools & connectors, Discovery, Access
 * graph) have their own suite on a richer dataset (analytics-pages.test.ts).
 *
 * The captures: two people (device 72324ef2cbe1 from the JSON capture, device 0ae0e4792c3b from the protobuf one),
 * department finance, team close; each one prompt with two API requests of 123 in / 45 out / 89 cache read / 67
 * cache write tokens on claude-opus-5-5 ($0.0017 each, $0.00349 a person), one Bash call, three plugins loaded.
 */
if (!runnable) {
  describe('console in chromium', () => {
    it.skip(`skipped: ${CHROMIUM} is missing (apt-get install chromium); under CI this suite always runs`, () => {});
  });
} else {
  describe('console in chromium', () => {
    let t: TestSteward;
    let b: ConsoleBrowser;
    let page: Page;

    beforeAll(async () => {
      t = await startTestSteward();
      const logs = [
        { body: JSON.stringify(fixtureJson('otlp/http-json/logs.json')), type: 'application/json' },
        { body: fixtureBytes('otlp/http-protobuf/logs.bin'), type: 'application/x-protobuf' },
      ];
      for (const { body, type } of logs) {
        const res = await t.api('/v1/logs', {
          method: 'POST',
          role: 'ingest',
          body,
          headers: { 'content-type': type },
        });
        expect(res.status).toBe(200);
      }
      b = await openConsole();
      page = b.page;
    }, 120_000);

    afterAll(async () => {
      await b?.close();
      await t?.stop();
    });

    const shot = (name: string) => b.shot(name);
    const main = () => page.locator('main');
    const stat = (label: string) => statValue(page, label);
    const statDetail = (label: string) =>
      page.locator('.stat', { has: page.locator('.stat-label', { hasText: label }) }).locator('.stat-detail');
    const nav = (name: string) =>
      page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });
    const rowCells = async (row: Locator) =>
      (await row.locator('th, td').allTextContents()).map((x) => x.replace(/\s+/g, ' ').trim());

    it('sends a visitor without a token to the sign-in page', async () => {
      await page.goto(`${t.url}/sessions`);
      await page.waitForURL(/\/login\?next=%2Fsessions$/);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
      await shot('login');
    });

    it('signs in with the admin token and lands where the visitor was going', async () => {
      await page.getByLabel('API token').fill(t.tokens.admin);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/sessions$/);
      await nav('Overview').click();
      await page.waitForURL(`${t.url}/`);
    });

    it('Overview: adoption, estimated cost, top teams and tools, what is new — from the analytics API', async () => {
      // The period the page shows: the 30 whole UTC days up to the latest capture (2026-11-21).
      const period = 'from=2026-10-23T00:00:00.000Z&to=2026-11-22T00:00:00.000Z';
      await expect.poll(() => stat('Active people').textContent()).toBe('2');
      expect(await statDetail('Active people').textContent()).toBe('100% of 2 known');
      expect(await stat('Weekly active').textContent()).toBe('2');
      expect(await stat('Monthly active').textContent()).toBe('2');
      expect(await stat('New people').textContent()).toBe('2');
      // Four requests of $0.0017…: $0.00698 in the period and so far this month; cache reads 356 of 1,116 input-side.
      await expect.poll(() => stat('Estimated cost').textContent()).toBe('$0.0070');
      expect(await stat('Month to date (estimate)').textContent()).toBe('$0.0070');
      expect(await stat('Cache hit ratio').textContent()).toBe('31.9%');
      // The forecast depends on today's date: the API's own figure, as the page formats amounts under $1.
      const cost = await t.getJson<{ month_to_date: { forecast_month_end_usd_estimate: number } }>(
        `/api/v1/analytics/cost?${period}&group_by=team`,
      );
      expect(await stat('Month-end forecast (estimate)').textContent()).toBe(
        `$${cost.month_to_date.forecast_month_end_usd_estimate.toFixed(4)}`,
      );
      expect(await page.locator('.estimate-note').textContent()).toContain('estimates');

      const teams = page.getByRole('region', { name: 'Top teams' });
      await expect.poll(() => teams.locator('tbody tr').count()).toBe(1);
      expect(await rowCells(teams.locator('tbody tr'))).toEqual(['close', '2', '100%', '$0.0070']);
      const tools = page.getByRole('region', { name: 'Top tools' });
      await expect.poll(() => tools.locator('tbody tr').count()).toBe(1);
      expect(await rowCells(tools.locator('tbody tr'))).toEqual(['Bash Can write', '2', '0%', '2']);
      const news = page.getByRole('region', { name: 'What is new' });
      await expect.poll(() => news.locator('tbody tr').count()).toBe(6);
      const newText = await news.textContent();
      for (const x of ['claude-opus-5-5', 'cc-plugin-privacy', 'device 72324ef2cbe1', 'device 0ae0e4792c3b'])
        expect(newText).toContain(x);
      expect(await page.getByRole('region', { name: 'Active people by day' }).locator('canvas').count()).toBe(1);
      await page.waitForTimeout(400); // let the chart's entry animation finish before the screenshot
      await shot('overview');
    });

    it('People: both people, and one person with the identity they were resolved from', async () => {
      await nav('People').click();
      await page.waitForURL(/\/people$/);
      const rows = main().locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      expect(await main().textContent()).toContain('finance');
      await shot('people');
      await rows.first().getByRole('link').click();
      await page.waitForURL(/\/people\/[0-9a-f-]+$/);
      const identities = page.getByRole('region', { name: 'Identities' });
      await expect.poll(() => identities.textContent()).toContain('user.id');
      const sessions = page.getByRole('region', { name: 'Recent sessions' });
      expect(await sessions.locator('tbody tr').count()).toBe(1);
      expect(await sessions.textContent()).toContain('246');
      await shot('person');
    });

    it('Sessions: both sessions, and a readable thread from prompt to response', async () => {
      await nav('Sessions').click();
      await page.waitForURL(/\/sessions$/);
      const rows = main().locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      const text = await main().textContent();
      expect(text).toContain('Claude Code');
      expect(text).toContain('246');
      await shot('sessions');

      await rows.first().getByRole('link').first().click();
      await page.waitForURL(/\/sessions\/[0-9a-f-]+$/);
      const thread = page.getByRole('region', { name: 'Thread' });
      await expect.poll(() => thread.locator('.thread-group-header h3').first().textContent()).toBe('Prompt 1');
      const steps = thread.locator('.thread-group', { hasText: 'Prompt 1' }).locator('.step');
      const kinds = await steps.locator('.step-kind').allTextContents();
      expect(kinds[0]).toBe('Prompt');
      expect(kinds).toEqual([
        'Prompt',
        'API request',
        'Response',
        'Tool decision',
        'Tool result',
        'API request',
        'Response',
      ]);
      const result = steps.filter({ has: page.locator('.step-kind', { hasText: 'Tool result' }) });
      expect(await result.textContent()).toMatch(/Bash.*succeeded.*took 18 ms/);
      const request = steps.filter({ has: page.locator('.step-kind', { hasText: 'API request' }) }).first();
      expect(await request.textContent()).toMatch(/claude-opus-5-5.*in 123 · out 45 · cache read 89 · cache write 67/);
      await shot('session-thread');

      // Hooks are one switch away, in order with the rest.
      await page.getByLabel(/Show hooks/).check();
      await expect.poll(() => steps.locator('.step-kind', { hasText: 'Hook' }).count()).toBeGreaterThan(0);
      await page.getByLabel(/Show hooks/).uncheck();
    });

    it('Cost: every dimension, cache hit ratio, month to date and spenders, labelled as estimates', async () => {
      await nav('Cost').click();
      await page.waitForURL(/\/cost$/);
      await expect.poll(() => page.locator('.estimate-note').textContent()).toContain('estimates');
      expect(await stat('Estimated cost').textContent()).toBe('$0.0070');
      expect(await stat('API requests').textContent()).toBe('4');
      expect(await stat('Cache hit ratio').textContent()).toBe('31.9%');
      const groups = page.locator('.cost-groups table');
      expect(await rowCells(groups.locator('tbody tr'))).toEqual([
        'finance',
        '4',
        '492',
        '180',
        '356',
        '268',
        '31.9%',
        '$0.0070',
        '100%',
        '$0.00',
      ]);
      expect(await page.locator('.cost-groups canvas').count()).toBe(1);
      const spenders = page.getByRole('region', { name: 'Top spenders' });
      expect(await spenders.locator('tbody th').allTextContents()).toEqual([
        'device 0ae0e4792c3b',
        'device 72324ef2cbe1',
      ]);
      expect(await spenders.locator('tbody td').first().textContent()).toBe('$0.0035');
      await shot('cost');
      const keys = () => groups.locator('tbody th').allTextContents();
      for (const [dimension, expected] of [
        ['Model', ['claude-opus-5-5']],
        ['Person', ['device 0ae0e4792c3b', 'device 72324ef2cbe1']],
        ['Team', ['close']],
        ['Surface', ['Claude Code']],
        // No request named an MCP server: one "not set" group.
        ['Connector', ['not set']],
      ] as const) {
        await page.getByRole('navigation', { name: 'Group by' }).getByRole('link', { name: dimension }).click();
        await expect.poll(async () => (await keys()).sort(), { message: dimension }).toEqual(expected);
      }
    });

    it('is keyboard navigable: a skip link first, then the navigation as real links', async () => {
      await page.goto(`${t.url}/`);
      await stat('Active people').waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe(
        'Skip to content',
      );
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Overview');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/people$/);
    });

    it('follows a dark theme choice', async () => {
      await page.goto(`${t.url}/`);
      await page.getByLabel('Theme').selectOption('dark');
      expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
      await stat('Active people').waitFor();
      await page.waitForTimeout(400);
      await shot('overview-dark');
      await page.getByLabel('Theme').selectOption('system');
      expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    });

    it('answers deep links and unknown console paths with the console', async () => {
      await page.goto(`${t.url}/no-such-page`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    });

    it('logged no console errors, warnings or failed requests on any page', () => {
      expect(b.problems).toEqual([]);
    });

    it('with no telemetry yet, every page explains how to connect Claude Code', async () => {
      const fresh = await startTestSteward();
      const context = await b.browser.newContext({ viewport: { width: 1280, height: 860 } });
      const other = await context.newPage();
      const errors: string[] = [];
      other.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      try {
        await other.goto(`${fresh.url}/login`);
        await other.getByLabel('API token').fill(fresh.tokens.analyst);
        await other.getByRole('button', { name: 'Sign in' }).click();
        for (const name of [
          'Overview',
          'People',
          'Sessions',
          'Tools & connectors',
          'Discovery',
          'Access graph',
          'Cost',
        ]) {
          await other.getByRole('link', { name, exact: true }).click();
          const empty = other.locator('.empty-state', { hasText: 'No telemetry has arrived yet' });
          await expect.poll(() => empty.count(), { message: name }).toBe(1);
          const text = await empty.textContent();
          expect(text).toContain(`"OTEL_EXPORTER_OTLP_ENDPOINT": "${fresh.url}"`);
          expect(text).toContain('Point Claude Code, Cowork and Desktop at Steward');
        }
        await other.screenshot({ path: join(ARTIFACTS, 'empty-cost.png'), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await context.close();
        await fresh.stop();
      }
    });

    it('rejects a wrong token with an explanation', async () => {
      const context = await b.browser.newContext();
      const other = await context.newPage();
      await other.goto(`${t.url}/login`);
      await other.getByLabel('API token').fill('stw_admin_not-a-real-token');
      await other.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => other.getByRole('alert').textContent()).toMatch(/not accepted/);
      await other.getByLabel('API token').fill(t.tokens.ingest);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => other.getByRole('alert').textContent()).toMatch(/cannot read the console.*"ingest"/);
      await context.close();
    });
  });
}
