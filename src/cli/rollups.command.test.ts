import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { fixtureJson } from '../../test/support/fixtures.js';
import { PersonResolver } from '../identity/person-resolver.js';
import { commitBatch } from '../ingest/commit-batch.js';
import { normaliseLogs } from '../ingest/normalise/normalise-logs.js';
import { prepareBatch } from '../ingest/prepare-batch.js';
import { openStore } from '../store/store.js';
import { runCli } from './main.js';

/** `steward rollups rebuild` against the configured store (SQLite here; the rebuild itself is tested on both). */
describe('steward rollups rebuild', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore('sqlite');
    const opts = { capture: 'off' as const, limits: { maxValueBytes: 65536 }, now: () => Date.now() };
    const batch = prepareBatch(normaliseLogs(fixtureJson('otlp/http-json/logs.json'), opts));
    await commitBatch(t.store, new PersonResolver(), batch, Date.now());
    await t.store.close();
  });
  afterEach(async () => {
    await t.cleanup().catch(() => undefined); // the store was already closed above
    rmSync(t.dataDir, { recursive: true, force: true });
  });

  async function rollups(): Promise<string[]> {
    const store = await openStore({ dataDir: t.dataDir });
    try {
      const rows = await store.db.selectFrom('rollups_hourly').selectAll().execute();
      return rows.map((r) => JSON.stringify(r)).sort();
    } finally {
      await store.close();
    }
  }

  it('recomputes lost rollups from the raw events and says what it did', async () => {
    const before = await rollups();
    expect(before.length).toBeGreaterThan(0);
    const store = await openStore({ dataDir: t.dataDir });
    await store.db.deleteFrom('rollups_hourly').execute();
    await store.close();
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await runCli([
        'node',
        'steward',
        'rollups',
        'rebuild',
        '--since',
        '2026-11-21T05:30:00Z',
        '--data-dir',
        t.dataDir,
      ]);
      expect(String(out.mock.calls[0]?.[0])).toMatch(/^rebuilt rollups from 2026-11-21T00:00:00.000Z: \d+ events/);
    } finally {
      out.mockRestore();
    }
    expect(await rollups()).toEqual(before);
  });

  it('refuses a --since that is not a time', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await runCli(['node', 'steward', 'rollups', 'rebuild', '--since', 'yesterday-ish', '--data-dir', t.dataDir]);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/--since must be an ISO 8601 time/);
      expect(process.exitCode).toBe(1);
    } finally {
      err.mockRestore();
      process.exitCode = 0;
    }
  });
});
