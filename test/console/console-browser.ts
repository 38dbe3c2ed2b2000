import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { packageRoot } from '../../src/version.js';

/**
 * Chromium for the console suites (DESIGN §7: playwright-core driving Debian's chromium): launch, one page at
 * 1280 px, every console error, warning, page error and failed request collected, screenshots saved to
 * test-artifacts/console/. Without /usr/bin/chromium the suites are skipped on a workstation, never under CI
 * (.ci/run installs chromium).
 */
export const CHROMIUM = '/usr/bin/chromium';
// The flags this machine needs (no sandbox as root; no background connections to a closed network).
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const ARTIFACTS = join(packageRoot(), 'test-artifacts', 'console');
export const runnable = existsSync(CHROMIUM) || Boolean(process.env.CI);

export interface ConsoleBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and warnings, page errors and failed requests, as they happened. */
  problems: string[];
  /** A full-page screenshot into test-artifacts/console/<name>.png. */
  shot(name: string): Promise<void>;
  /** Signs in through the login page with a token and waits for the console shell. */
  signIn(url: string, token: string): Promise<void>;
  close(): Promise<void>;
}

export async function openConsole(): Promise<ConsoleBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  // ERR_ABORTED is a request the page cancelled itself: a page.goto() while a fetch or the favicon is in flight,
  // or the console aborting a fetch whose answer is no longer wanted. Anything else is a failure.
  page.on('requestfailed', (r) => {
    const reason = r.failure()?.errorText ?? '';
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${reason}`);
  });
  return {
    browser,
    context,
    page,
    problems,
    async shot(name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async signIn(url, token) {
      await page.goto(`${url}/login`);
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('nav[aria-label="Console"]').waitFor();
    },
    async close() {
      await browser.close();
    },
  };
}

/** The text of the value of the stat card labelled `label`. */
export function statValue(page: Page, label: string) {
  return page
    .locator('.stat', { has: page.locator('.stat-label', { hasText: label }) })
    .locator('.stat-value')
    .first();
}
