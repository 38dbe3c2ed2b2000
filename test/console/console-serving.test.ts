import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsoleRoutes } from '../../src/api/console.routes.js';
import { registerErrorHandler } from '../../src/errors/http-error-handler.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/** How the server hands out the console (src/api/console.routes.ts): files, SPA fallback, and what it never covers. */
describe('console serving (built console)', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('serves index.html at / and for console paths, uncached, with a strict content security policy', async () => {
    for (const path of ['/', '/sessions/abc', '/people?q=x']) {
      const res = await fetch(t.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('<div id="root"></div>');
    }
  });

  it('serves fingerprinted assets with a long cache life', async () => {
    const html = await (await fetch(t.url + '/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const res = await fetch(t.url + script);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('answers a JSON 404 for missing files and for paths of other surfaces, never the console', async () => {
    for (const path of ['/assets/missing.js', '/api/v1/nope', '/v1/nope', '/favicon.ico']) {
      const res = await fetch(t.url + path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  it('never serves a file outside the console build', async () => {
    for (const path of [
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
    ]) {
      const res = await fetch(t.url + path);
      expect([400, 403, 404], path).toContain(res.status);
      expect(await res.text()).not.toContain('"dependencies"');
    }
  });

  it('still requires a token for the API behind it', async () => {
    expect((await fetch(t.url + '/api/v1/status')).status).toBe(401);
  });
});

describe('console serving (console not built)', () => {
  const empty = mkdtempSync(join(tmpdir(), 'steward-console-'));
  const app = Fastify();
  afterAll(async () => {
    await app.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('answers every console path with a page saying how to build it', async () => {
    registerErrorHandler(app);
    registerConsoleRoutes(app, { root: empty });
    for (const url of ['/', '/people']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('npm run build');
    }
    expect((await app.inject({ url: '/api/v1/x' })).statusCode).toBe(404);
  });
});
