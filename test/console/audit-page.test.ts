import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { openConsole, runnable, type ConsoleBrowser } from './console-browser.js';

/**
 * The audit log page (issue 7) in Chromium against a real Steward: the admin signs in through the login page (a
 * recorded login), an admin action is made (a token created), and the page finds it by action, shows it pending
 * until a checkpoint is signed from the page and verified after, opens the entry's JSON (no token in it) and checks
 * its inclusion proof in the browser; the checkpoint panel shows the signed note and the published key. An analyst
 * searches too but cannot sign.
 */
const describeIf = runnable ? describe : describe.skip;

describeIf('audit log page in chromium', () => {
  let t: TestSteward;
  let b: ConsoleBrowser;
  let page: Page;
  let keyId: string;
  let token: string;

  beforeAll(async () => {
    t = await startTestSteward({ config: { audit: { checkpointIntervalMs: 0 } } });
    b = await openConsole();
    page = b.page;
    await b.signIn(t.url, t.tokens.admin);
    const res = await t.api('/api/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'ingest', name: 'laptop fleet' }),
    });
    expect(res.status).toBe(201);
    ({ id: keyId, token } = (await res.json()) as { id: string; token: string });
    await t.steward.audit.recorder.flush();
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const entries = () => page.getByRole('region', { name: 'Entries', exact: true });
  const row = (index: string) => entries().locator(`tbody tr[data-index="${index}"]`);

  it('finds the admin action by action, pending until a checkpoint is signed, verified after', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/audit$/);
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.getByText('No checkpoint has been signed yet.').waitFor();

    await page.getByLabel('Action').fill('keys.create');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/audit\?action=keys\.create$/);
    const first = entries().locator('tbody tr[data-index]').first();
    await first.waitFor();
    expect(await entries().locator('tbody tr[data-index]').count()).toBe(1);
    const cells = (await first.locator('td').allInnerTexts()).map((c) => c.replace(/\s+/g, ' ').trim());
    expect(cells.slice(1, 5)).toEqual(['bootstrap admin API token · admin', 'keys.create', `${keyId} keys`, 'success']);
    expect(cells[6]).toBe('Pending');
    const index = (await first.getAttribute('data-index')) as string;

    await page.getByRole('button', { name: 'Sign a checkpoint now' }).click();
    await page.getByTestId('checkpoint-size').waitFor();
    await expect.poll(() => row(index).locator('[data-proof]').getAttribute('data-proof')).toBe('verified');
    expect(await row(index).locator('[data-proof]').textContent()).toBe('Verified');

    await row(index)
      .getByRole('button', { name: `Show entry ${index}` })
      .click();
    const json = page.getByLabel(`Entry ${index} as stored (JSON)`);
    const text = (await json.textContent()) ?? '';
    expect(JSON.parse(text)).toMatchObject({
      action: 'keys.create',
      subject: { kind: 'keys', id: keyId },
      after: { role: 'ingest', name: 'laptop fleet' },
    });
    expect(text).not.toContain(token);
    await page.getByRole('button', { name: 'Show inclusion proof' }).click();
    await expect
      .poll(() => page.locator('.audit-proof [role="status"]').textContent())
      .toMatch(/^Checked in this browser: the path leads from this entry's leaf hash to the root/);
    await b.shot('audit-log');
  });

  it('shows the signed note and the published verifier key', async () => {
    const panel = page.getByRole('region', { name: 'Latest checkpoint', exact: true });
    const note = (await panel.getByLabel('Signed checkpoint note').textContent()) ?? '';
    expect(note).toMatch(/^steward\/[0-9a-f]{16}\n\d+\n[A-Za-z0-9+/=]+\n\n\u2014 steward\/[0-9a-f]{16} /);
    const key = (await (await fetch(`${t.url}/api/v1/audit/pubkey`)).text()).trim().split('\n')[0] as string;
    expect(await panel.getByLabel('Verifier keys').textContent()).toContain(key);
  });

  it('records the sign-in, and pages back with Older entries', async () => {
    await page.goto(`${t.url}/audit?action=auth.login`);
    const login = entries().locator('tbody tr[data-index]').first();
    await login.waitFor();
    expect(await login.locator('td').nth(2).textContent()).toBe('auth.login');

    await page.goto(`${t.url}/audit`);
    await entries().locator('tbody tr[data-index]').first().waitFor();
    expect(await page.getByRole('link', { name: 'Older entries' }).count()).toBe(0); // fewer than one page
  });

  it('lets an analyst search, without the sign button', async () => {
    const context = await b.browser.newContext();
    const other = await context.newPage();
    try {
      await other.goto(`${t.url}/login?next=%2Faudit%3Faction%3Dkeys.create`);
      await other.getByLabel('API token').fill(t.tokens.analyst);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
      await other.locator('tbody tr[data-index]').first().waitFor();
      await other.getByRole('region', { name: 'Latest checkpoint', exact: true }).getByText('Verifier keys').waitFor();
      expect(await other.getByRole('button', { name: 'Sign a checkpoint now' }).count()).toBe(0);
    } finally {
      await context.close();
    }
    expect(b.problems).toEqual([]);
  });
});
