import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { fixtureJson } from '../../test/support/fixtures.js';
import { PersonResolver } from '../identity/person-resolver.js';
import { InlineCommitter } from './committer.js';
import { normaliseLogs, type NormaliseOptions } from './normalise/normalise-logs.js';
import { prepareBatch } from './prepare-batch.js';
import { TextBatchBuilder } from './writer/rows-text.js';

const opts: NormaliseOptions = { capture: 'off', limits: { maxValueBytes: 65536 }, now: () => 1_800_000_000_000 };

describe.each(engines)('the inline committer on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('commits a batch of values and one whose rows are text (the gateway usage records) in one transaction', async () => {
    const values = normaliseLogs(fixtureJson('otlp/http-json/logs.json'), opts);
    const texts = normaliseLogs(fixtureJson('otlp/http-json/logs.json'), opts);
    const builder = new TextBatchBuilder();
    for (const e of texts.events) builder.add({ ...e, dedupeKey: `${e.dedupeKey}-text` });
    const text = builder.take();
    const committer = new InlineCommitter(t.store, new PersonResolver());
    const { result } = await committer.commit(
      [
        { size: values.events.length, batch: prepareBatch(values) },
        { size: text.rowCount, text },
      ],
      Date.now(),
    );
    expect(result.eventsInserted).toBe(values.events.length + texts.events.length);
    const keys = await t.store.db.selectFrom('events').select('dedupe_key').execute();
    expect(keys.filter((k) => k.dedupe_key.endsWith('-text'))).toHaveLength(texts.events.length);
    // Both batches name the same person through the same identity hints: resolved once.
    expect(await t.store.db.selectFrom('people').selectAll().execute()).toHaveLength(1);
  });

  it('refuses a ticket: a batch held by the writer thread cannot be committed on this connection', async () => {
    const committer = new InlineCommitter(t.store, new PersonResolver());
    await expect(committer.commit([{ size: 1, ticket: 1 }], 0)).rejects.toThrow(/ticket/);
  });
});
