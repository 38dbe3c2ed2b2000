import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { raciHistory, readRaci, saveRaci } from './raci.repo.js';

describe.each(engines)('RACI repository on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('saves versions with history (actor, time, before/after) per organisation', async () => {
    expect(await readRaci(t.store.db, 'o1')).toBeNull();
    const first = await saveRaci(t.store.db, 'o1', () => ({ v: 1 }), 'ana', 1000);
    expect(first).toEqual({ matrix: { v: 1 }, version: 1, updatedAt: 1000, updatedBy: 'ana' });
    await saveRaci(t.store.db, 'o1', (current) => ({ v: (current as { v: number }).v + 1 }), 'bo', 2000);
    expect(await readRaci(t.store.db, 'o1')).toEqual({
      matrix: { v: 2 },
      version: 2,
      updatedAt: 2000,
      updatedBy: 'bo',
    });
    expect(await readRaci(t.store.db, 'o2')).toBeNull();
    expect(await raciHistory(t.store.db, 'o1')).toEqual([
      { version: 2, at: 2000, actor: 'bo', before: { v: 1 }, after: { v: 2 } },
      { version: 1, at: 1000, actor: 'ana', before: null, after: { v: 1 } },
    ]);
  });

  it('applies concurrent changes one after the other (compare-and-swap on the version)', async () => {
    await saveRaci(t.store.db, 'o1', () => ({ n: 0 }), 'a', 1);
    const bump = (current: unknown) => ({ n: (current as { n: number }).n + 1 });
    await Promise.all([1, 2, 3].map((i) => saveRaci(t.store.db, 'o1', bump, `w${i}`, 10 + i)));
    expect((await readRaci(t.store.db, 'o1'))?.matrix).toEqual({ n: 3 });
    expect((await raciHistory(t.store.db, 'o1')).map((h) => h.version)).toEqual([4, 3, 2, 1]);
  });

  it('saves nothing when the change is refused', async () => {
    await expect(
      saveRaci(
        t.store.db,
        'o1',
        () => {
          throw new Error('invalid');
        },
        'a',
        1,
      ),
    ).rejects.toThrow('invalid');
    expect(await readRaci(t.store.db, 'o1')).toBeNull();
  });
});
