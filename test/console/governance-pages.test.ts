import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { openConsole, runnable, type ConsoleBrowser } from './console-browser.js';
import { syntheticPrompt } from './console-dataset.js';

/**
 * The governance pages (issue 6) in Chromium against a real Steward: objects created through the REST API, an MCP
 * server used in telemetry (sent through the real OTLP pipeline) that no inventory declares, and a cadence whose
 * first occurrence is long past. An admin approves a connector, edits it and marks it reviewed through the UI and
 * sees each change in its history; gives one RACI row two As and sees the check and the server's refusal naming
 * the activity; sees the overdue cadence and the undeclared connector. An analyst sees the same pages without any
 * edit control.
 */
const DAY = 86_400_000;
const UNDECLARED = 'jira-cloud';

/** The synthetic prompt of console-dataset.ts, an hour ago (findings look 90 days back from now), on JIRA's MCP server. */
function recentMcpTelemetry(): unknown {
  const text = JSON.stringify(syntheticPrompt())
    .replaceAll('github', UNDECLARED)
    .replaceAll('console-session-1', 'governance-session-1')
    .replaceAll('console-prompt-1', 'governance-prompt-1');
  const doc = JSON.parse(text) as {
    resourceLogs: { scopeLogs: { logRecords: { timeUnixNano: string; observedTimeUnixNano: string }[] }[] }[];
  };
  const start = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  doc.resourceLogs[0]!.scopeLogs[0]!.logRecords.forEach((r, i) => {
    r.timeUnixNano = r.observedTimeUnixNano = String(start + BigInt(i) * 10_000_000n);
  });
  return doc;
}

const describeIf = runnable ? describe : describe.skip;

describeIf('governance pages in chromium', () => {
  let t: TestSteward;
  let b: ConsoleBrowser;
  let page: Page;
  let connectorId: string;
  let policyId: string;

  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await t.api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path} → ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    t = await startTestSteward();
    const sent = await t.postOtlp('logs', recentMcpTelemetry());
    expect(sent.status).toBe(200);
    connectorId = (
      await post<{ id: string }>('/api/v1/governance/connectors', {
        name: 'github',
        transport: 'http',
        url: 'https://api.githubcopilot.com/mcp/',
        owner: 'it@example.com',
        home: 'https://wiki.example.com/connectors/github',
      })
    ).id;
    policyId = (
      await post<{ id: string }>('/api/v1/governance/policies', {
        name: 'Acceptable use',
        owner: 'legal@example.com',
        status: 'active',
      })
    ).id;
    await post(`/api/v1/governance/policies/${policyId}/versions`, {
      body_md: '# Acceptable use\n\nNo customer data in personal workspaces.',
      effective_date: '2026-11-01',
      approver: 'ciso@example.com',
    });
    await post('/api/v1/governance/connectors', { name: 'slack', transport: 'app', owner: 'it@example.com' });
    await post('/api/v1/governance/workspaces', { name: 'Finance close', folders: ['/srv/finance'] });
    await post('/api/v1/governance/skills', {
      name: 'pdf',
      source: 'project',
      owner: 'ops@example.com',
      last_reviewed_at: '2025-01-15T00:00:00Z',
    });
    await post('/api/v1/governance/cadences', {
      id: 'security-spot-check',
      name: 'Security spot check',
      frequency: 'weekly',
      owner_role: 'security',
      starts_at: new Date(Date.now() - 30 * DAY).toISOString(),
      grace_days: 2,
    });
    b = await openConsole();
    page = b.page;
    await b.signIn(t.url, t.tokens.admin);
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
  const heading = () => page.getByRole('heading', { level: 1 });

  it('Inventory: a tab per kind, each object with owner, status, cadence, review dates and home', async () => {
    await nav('Inventory').click();
    await page.waitForURL(/\/inventory$/);
    const policies = region('Acceptable-use policies');
    await policies.locator('tbody tr').first().waitFor();
    expect(await cells(policies.locator('tbody tr').first())).toEqual([
      'Acceptable use version 1',
      'legal@example.com',
      'active',
      'annual',
      'never',
      expect.any(String),
      'not set',
    ]);
    await page.getByRole('navigation', { name: 'Inventories' }).getByRole('link', { name: 'Workspaces' }).click();
    await page.waitForURL(/\/inventory\?kind=workspaces$/);
    // No owner is shown as such (it is also an ownerless finding).
    await region('Workspaces').locator('tbody tr').first().waitFor();
    expect((await cells(region('Workspaces').locator('tbody tr').first())).slice(0, 3)).toEqual([
      'Finance close',
      'no owner',
      'proposed',
    ]);
    await page.getByRole('navigation', { name: 'Inventories' }).getByRole('link', { name: 'Connectors' }).click();
    await page.waitForURL(/\/inventory\?kind=connectors$/);
    const row = region('Connectors').locator('tbody tr').first();
    await row.waitFor();
    expect((await cells(row)).slice(0, 5)).toEqual(['github', 'it@example.com', 'requested', 'quarterly', 'never']);
    expect(await row.getByRole('link', { name: 'Open the home of github' }).getAttribute('href')).toBe(
      'https://wiki.example.com/connectors/github',
    );
    // A skill last reviewed long ago: its next review is past, marked in words.
    await page.getByRole('navigation', { name: 'Inventories' }).getByRole('link', { name: 'Skills' }).click();
    const skill = region('Skills').locator('tbody tr').first();
    await skill.waitFor();
    expect(await skill.getAttribute('data-overdue')).toBe('true');
    expect((await cells(skill)).slice(4, 6)).toEqual([
      expect.stringContaining('2025'),
      expect.stringMatching(/2025 Overdue$/),
    ]);
    await b.shot('governance-inventory');
    await page.getByRole('navigation', { name: 'Inventories' }).getByRole('link', { name: 'Connectors' }).click();
    await region('Connectors').locator('tbody tr').first().waitFor();
  });

  it('Connector: approved through the UI, and the decision is in its history', async () => {
    await region('Connectors').getByRole('link', { name: 'github', exact: true }).click();
    await page.waitForURL(new RegExp(`/inventory/connectors/${connectorId}$`));
    await expect.poll(() => heading().textContent()).toBe('github');
    const decisions = region('Status decisions');
    await decisions.getByText('No decision yet').waitFor();
    await decisions.getByLabel('Approve').check();
    await decisions.getByLabel('Reason').fill('read-only tools only');
    await decisions.getByLabel(/^Reference/).fill('forum 2026-11');
    await decisions.getByRole('button', { name: 'Approve connector' }).click();

    const decided = decisions.locator('tbody tr').first();
    await decided.waitFor();
    expect((await cells(decided)).filter((_, i) => i !== 2)).toEqual([
      'requested → approved',
      expect.stringMatching(/^bootstrap admin \(token /),
      'read-only tools only',
      'forum 2026-11',
    ]);
    const history = region('History');
    const entry = history.locator('li[data-action="decision"]');
    await entry.waitFor();
    expect(await entry.textContent()).toContain('Reason: read-only tools only (reference: forum 2026-11)');
    expect(await cells(entry.locator('tbody tr'))).toEqual(['Status', 'requested', 'approved']);
    // Approved: only retiring is left.
    await expect.poll(() => decisions.getByRole('button', { name: 'Retire connector' }).count()).toBe(1);
    const api = await t.getJson<{ status: string }>(`/api/v1/governance/connectors/${connectorId}`);
    expect(api.status).toBe('approved');
  });

  it('Connector: edited through the form and marked reviewed, each change in the history', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit github' });
    await form.getByLabel('Publisher').fill('GitHub');
    await form.getByLabel('Risk').selectOption('medium');
    await form.getByRole('button', { name: 'Save changes' }).click();
    const edit = region('History').locator('li[data-action="update"]');
    await edit.waitFor();
    expect((await edit.locator('tbody tr').all()).length).toBe(2);
    expect(await cells(edit.locator('tbody tr').nth(0))).toEqual(['Publisher', 'not set', 'GitHub']);
    expect(await cells(edit.locator('tbody tr').nth(1))).toEqual(['Risk', 'not set', 'medium']);
    expect(await region('Fields').textContent()).toContain('GitHub');

    await page.getByRole('button', { name: 'Mark reviewed now' }).click();
    await region('History').locator('li[data-action="review"]').waitFor();
    await expect.poll(() => page.locator('.stat', { hasText: 'Last reviewed' }).textContent()).not.toContain('never');
    await b.shot('governance-connector');
  });

  it('Policy: its versions and who has not acknowledged the current one', async () => {
    await page.goto(`${t.url}/inventory/policies/${policyId}`);
    const versions = region('Versions');
    await versions.locator('tbody tr').first().waitFor();
    expect((await cells(versions.locator('tbody tr').first())).slice(0, 4)).toEqual([
      '1 current',
      '2026-11-01',
      'legal@example.com',
      'ciso@example.com',
    ]);
    await region('Not yet acknowledged').waitFor();
  });

  it('Inventory: an admin adds a skill through the form and lands on it', async () => {
    await page.goto(`${t.url}/inventory?kind=skills`);
    await page.getByRole('button', { name: 'Add skill' }).click();
    const form = page.getByRole('form', { name: 'Add skill' });
    await form.getByLabel('Name').fill('close-books');
    await form.getByLabel('Owner').fill('Controller@Example.com');
    await form.getByLabel('Intended use').fill('Month-end close checklist');
    await form.getByLabel(/^Inputs/).fill('trial balance\nbank statements');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await page.waitForURL(/\/inventory\/skills\/[0-9a-f-]+$/);
    await expect.poll(() => heading().textContent()).toBe('close-books');
    const fields = await region('Fields').textContent();
    expect(fields).toContain('controller@example.com');
    expect(fields).toContain('trial balance, bank statements');
    await region('History').locator('li[data-action="create"]').waitFor();
  });

  it('RACI: two As in one row are flagged on the row, and the server refuses naming the activity', async () => {
    await nav('RACI').click();
    await page.waitForURL(/\/raci$/);
    const message = "activity 'connector approval' has 2 accountable roles (IT, security); exactly one is required";
    const cell = page.getByLabel('connector approval, IT');
    await expect.poll(() => cell.inputValue()).toBe('R');
    await cell.fill('R/A');
    const row = page.locator('tr', { has: page.getByRole('rowheader', { name: 'connector approval' }) });
    await expect.poll(() => row.getByRole('alert').textContent()).toBe(message);
    expect(await cell.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Save RACI' }).click();
    const refused = page.locator('.error-panel');
    await refused.waitFor();
    expect(await refused.textContent()).toContain(`Not saved. ${message}`);
    const saved = await t.getJson<{ activities: { name: string; cells: Record<string, string> }[] }>(
      '/api/v1/governance/raci',
    );
    expect(saved.activities.find((a) => a.name === 'connector approval')?.cells.IT).toBe('R');
    await b.shot('governance-raci-invalid');

    // Moving the A instead is valid and saved.
    await page.getByLabel('connector approval, security').fill('C');
    await expect.poll(() => row.getByText('OK').count()).toBe(1);
    await page.getByRole('button', { name: 'Save RACI' }).click();
    await expect
      .poll(async () => {
        const raci = await t.getJson<{
          version: number;
          activities: { name: string; cells: Record<string, string> }[];
        }>('/api/v1/governance/raci');
        return raci.activities.find((a) => a.name === 'connector approval')?.cells;
      })
      .toMatchObject({ IT: 'RA', security: 'C' });
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Saved as version \d+\.$/);
    expect(await page.getByRole('button', { name: 'Export CSV' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Export Markdown' }).count()).toBe(1);
  });

  it('RACI: the CSV export downloads with the token', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('raci.csv');
    const path = await download.path();
    expect(readFileSync(path, 'utf8')).toContain('connector approval');
  });

  it('Cadences: the overdue cadence is marked; the forum flag and the calendar feed are shown', async () => {
    await nav('Cadences').click();
    await page.waitForURL(/\/cadences$/);
    const schedules = region('Schedules');
    const late = schedules.locator('tr', { has: page.getByRole('rowheader', { name: /^Security spot check/ }) });
    await late.waitFor();
    expect(await late.getAttribute('data-overdue')).toBe('true');
    expect(await late.textContent()).toContain('Overdue');
    const onTime = schedules.locator('tr', {
      has: page.getByRole('rowheader', { name: /^Quarterly governance review/ }),
    });
    expect(await onTime.textContent()).not.toContain('Overdue');
    expect(await page.locator('.stat', { hasText: 'Governance forum' }).textContent()).toContain('Not required');
    // A subscription URL for a role: issued from the page, fetched without a token as a calendar app would.
    await page.getByLabel(/^Subscription URL for a person/).fill('security');
    await page.getByRole('button', { name: 'Get subscription URL' }).click();
    const subscription = await page.getByLabel(/^Subscribe to this URL/).inputValue();
    expect(subscription).toMatch(new RegExp(`^${t.url}/api/v1/governance/calendar/[\\w-]+\\.[\\w-]+\\.ics$`));
    const feed = await fetch(subscription);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('BEGIN:VCALENDAR');
    await b.shot('governance-cadences');

    // Recording a review brings it back on schedule.
    const form = page.getByRole('form', { name: 'Record a review' });
    await form.getByLabel('Cadence').selectOption('security-spot-check');
    await form.getByLabel(/^Attendees/).fill('ana@example.com, security');
    await form.getByLabel('Notes').fill('Checked connector scopes.');
    await form.getByLabel(/^Decisions/).fill('approve github with read scopes');
    await form.getByRole('button', { name: 'Record review' }).click();
    await form.getByRole('status').waitFor();
    await expect.poll(() => late.getAttribute('data-overdue')).toBeNull();

    // The forum is off until switched on.
    const forum = schedules.locator('tr', { has: page.getByRole('rowheader', { name: /^Monthly governance forum/ }) });
    expect((await cells(forum)).at(-1)).toBe('no switch on');
    await page.getByRole('button', { name: 'Switch Monthly governance forum on' }).click();
    await expect.poll(async () => (await cells(forum)).at(-1)).toBe('yes switch off');
  });

  it('Findings: the undeclared MCP server, linked to discovery; the ownerless workspace, linked to it', async () => {
    await nav('Findings').click();
    await page.waitForURL(/\/findings$/);
    const undeclared = region('Undeclared');
    const row = undeclared.locator('tr', { has: page.getByRole('rowheader', { name: UNDECLARED }) });
    await row.waitFor();
    expect(await cells(row)).toEqual([
      UNDECLARED,
      'MCP server',
      expect.stringContaining(`MCP server "${UNDECLARED}" is used`),
      expect.any(String),
    ]);
    expect(await row.getByRole('link').getAttribute('href')).toBe('/discovery?days=90#seen-mcp_server');
    // The declared connector is not undeclared.
    expect(await undeclared.getByRole('rowheader', { name: 'github', exact: true }).count()).toBe(0);
    const ownerless = region('Without an owner');
    await ownerless.getByRole('link', { name: 'Finance close' }).click();
    await page.waitForURL(/\/inventory\/workspaces\/[0-9a-f-]+$/);
    await expect.poll(() => heading().textContent()).toBe('Finance close');
    await b.shot('governance-findings-workspace');
  });

  it('Forum: the standing agenda, and a meeting whose decision approves a connector', async () => {
    await nav('Forum').click();
    await page.waitForURL(/\/forum$/);
    const agenda = page.getByLabel('Standing agenda (Markdown)');
    await agenda.waitFor();
    expect(await agenda.textContent()).toContain('slack');
    await region('Meetings').getByText('No forum meeting recorded yet').waitFor();
    const form = page.getByRole('form', { name: 'Record a meeting' });
    await form.getByLabel(/^Attendees/).fill('ana@example.com, it@example.com');
    await form.getByLabel('Notes').fill('Connector requests reviewed.');
    await form
      .getByLabel(/^Decisions/)
      .fill('approve connector slack with scopes channels:read\nrevisit skills next month');
    await form.getByRole('button', { name: 'Record meeting' }).click();
    await form.getByRole('status').waitFor();
    const decisions = region('Meetings').getByRole('list', { name: /^Decisions of / });
    await decisions.waitFor();
    expect(await decisions.getByRole('listitem').allTextContents()).toEqual([
      'approve connector slack with scopes channels:read (slack: requested → approved)',
      'revisit skills next month',
    ]);
    await b.shot('governance-forum');
    await decisions.getByRole('link', { name: 'slack' }).click();
    await expect.poll(() => heading().textContent()).toBe('slack');
    await region('History').locator('li[data-action="decision"]').waitFor();
  });

  it('Scorecard: completeness per inventory against last quarter, with Markdown and PDF exports', async () => {
    await nav('Scorecard').click();
    await page.waitForURL(/\/scorecard$/);
    const completeness = region('Inventory completeness');
    const workspaces = completeness.locator('tr', { has: page.getByRole('rowheader', { name: 'Workspaces' }) });
    await workspaces.waitFor();
    // Finance close has no owner; this quarter is its first.
    expect((await cells(workspaces)).slice(0, 3)).toEqual([
      'Workspaces',
      '1 last quarter 0',
      '0 of 1 last quarter 0 of 0',
    ]);
    const connectors = completeness.locator('tr', { has: page.getByRole('rowheader', { name: 'Connectors' }) });
    expect((await cells(connectors)).slice(0, 3)).toEqual([
      'Connectors',
      '2 last quarter 0',
      '2 of 2 last quarter 0 of 0',
    ]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export PDF' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^steward-scorecard-\d{4}-Q[1-4]\.pdf$/);
    expect(readFileSync(await download.path(), 'latin1').startsWith('%PDF')).toBe(true);
    await b.shot('governance-scorecard');
  });

  it('An analyst sees the same pages without edit controls', async () => {
    await page.evaluate('sessionStorage.clear()');
    await b.signIn(t.url, t.tokens.analyst);
    await page.goto(`${t.url}/inventory/connectors/${connectorId}`);
    await region('History').locator('li').first().waitFor();
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Mark reviewed now' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Retire connector' }).count()).toBe(0);
    await page.goto(`${t.url}/raci`);
    await page.getByRole('rowheader', { name: 'connector approval' }).waitFor();
    expect(await page.locator('.raci-table input').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save RACI' }).count()).toBe(0);
    await page.goto(`${t.url}/cadences`);
    await region('Schedules').waitFor();
    expect(await page.getByRole('form', { name: 'Record a review' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Switch / }).count()).toBe(0);
    await page.goto(`${t.url}/inventory?kind=connectors`);
    await region('Connectors').locator('tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: /^Add / }).count()).toBe(0);
    await page.goto(`${t.url}/forum`);
    await region('Meetings').locator('li').first().waitFor();
    expect(await page.getByRole('form', { name: 'Record a meeting' }).count()).toBe(0);
  });

  it('no console errors or failed requests on any page', () => {
    // The refused RACI save is an expected 400: the browser logs failed fetches as console errors.
    expect(b.problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
  });
});
