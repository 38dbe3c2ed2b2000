import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestStore, type TestStore } from '../../../test/support/engines.js';
import { fixtureJson } from '../../../test/support/fixtures.js';
import { setBudget } from '../../budgets/budget-admin.js';
import { openStore } from '../../store/store.js';
import { isDataError } from '../../store/store-errors.js';
import { ThreadCommitter } from '../committer.js';
import { normaliseLogs, type NormaliseOptions } from '../normalise/normalise-logs.js';
import { prepareBatch } from '../prepare-batch.js';
import { toTextBatch } from './rows-text.js';
import { WriterClient } from './writer-client.js';

const opts: NormaliseOptions = { capture: 'off', limits: { maxValueBytes: 65536 }, now: () => 1_800_000_000_000 };
const capture = () => prepareBatch(normaliseLogs(fixtureJson('otlp/http-json/logs.json'), opts));

/** A batch whose session id has been changed so its events are new (no dedupe against the capture). */
function freshCapture(tag: string) {
  const batch = capture();
  for (const row of batch.rows) {
    row[0] = `${String(row[0])}-${tag}`; // dedupe_key
  }
  return batch;
}

describe('the SQLite writer thread', () => {
  let t: TestStore;
  let writer: WriterClient;
  beforeEach(async () => {
    t = await openTestStore('sqlite');
    writer = new WriterClient(t.dataDir);
    await writer.ready();
  });
  afterEach(async () => {
    await writer.close();
    await t.cleanup();
  });

  it('commits a batch handed over under a ticket, one sent inline and one sent as text in one transaction, visible to the main connection', async () => {
    const ticket = writer.newTicket();
    const held = freshCapture('held');
    writer.hold(ticket, held);
    const inline = freshCapture('inline');
    const text = toTextBatch(freshCapture('text'));
    const { result } = await new ThreadCommitter(writer).commit(
      [
        { size: held.rows.length, ticket },
        { size: inline.rows.length, batch: inline },
        { size: text.rowCount, text },
      ],
      Date.now(),
      true,
    );
    const total = held.rows.length + inline.rows.length + text.rowCount;
    expect(result.eventsInserted).toBe(total);
    const stored = await t.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(total);
    const people = await t.store.db.selectFrom('people').selectAll().execute();
    expect(people).toHaveLength(1); // one person, resolved on the writer's connection
  });

  it('a commit that names a ticket waits for the batch, whichever message arrives first', async () => {
    const ticket = writer.newTicket();
    const batch = freshCapture('late');
    const committing = writer.commit([{ ticket }], Date.now(), false);
    writer.hold(ticket, batch);
    expect((await committing).result.eventsInserted).toBe(batch.rows.length);
  });

  it('fails a bad batch with the driver code, so the queue answers 400 for it, and keeps it for a retry only when asked', async () => {
    const bad = freshCapture('bad');
    (bad.rows[0] as unknown[])[1] = null; // time is NOT NULL
    const ticket = writer.newTicket();
    writer.hold(ticket, bad);
    const failure = await writer.commit([{ ticket }], Date.now(), true).catch((e: unknown) => e);
    expect((failure as { code?: string }).code).toMatch(/^SQLITE_CONSTRAINT/);
    expect(isDataError(failure)).toBe(true);
    // keepOnFailure: the one-by-one retry can name the same ticket.
    const again = await writer.commit([{ ticket }], Date.now(), false).catch((e: unknown) => e);
    expect(isDataError(again)).toBe(true);
    // The batch was released after the last failure: the writer does not hold it for ever.
    const good = freshCapture('good');
    const next = writer.newTicket();
    writer.hold(next, good);
    expect((await writer.commit([{ ticket: next }], Date.now(), false)).result.eventsInserted).toBe(good.rows.length);
  });

  it('main-thread write transactions and ingest commits on the writer take turns without SQLITE_BUSY', async () => {
    const commits = Array.from({ length: 20 }, (_, i) => {
      const b = freshCapture(`c${i}`);
      return writer.commit([{ batch: b }], Date.now(), false);
    });
    const writes = Array.from({ length: 20 }, (_, i) =>
      setBudget(
        t.store,
        'default',
        { scope: `team:team-${i}`, window: 'daily', limit_usd: 100, action: 'warn' },
        'test',
      ),
    );
    const results = await Promise.allSettled([...commits, ...writes]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });
});

describe('WAL checkpoints on the writer thread', () => {
  /** The database file's size after three commits, with the store's own checkpointer off. */
  async function fileGrowth(checkpointIntervalMs: number): Promise<{ before: number; after: () => number }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'steward-wal-'));
    const store = await openStore({ dataDir, checkpointer: false });
    const writer = new WriterClient(dataDir, { checkpointIntervalMs });
    const file = join(dataDir, 'steward.db');
    const before = statSync(file).size;
    await writer.ready();
    for (let i = 0; i < 3; i++) {
      await writer.commit([{ batch: freshCapture(`wal${i}`) }], Date.now(), false);
      await new Promise((r) => setTimeout(r, 30));
    }
    let after = 0;
    try {
      await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before), { timeout: 2000 });
    } catch {
      // no growth: reported to the caller
    } finally {
      after = statSync(file).size;
      await writer.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    return { before, after: () => after };
  }

  it('copy committed pages into the database file between commits when the writer is asked to, and not otherwise', async () => {
    const on = await fileGrowth(20);
    expect(on.after()).toBeGreaterThan(on.before);
    const off = await fileGrowth(0);
    expect(off.after()).toBe(off.before);
  });
});
