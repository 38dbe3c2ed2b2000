import { afterAll, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';

const open: TestStore[] = [];
afterAll(async () => {
  for (const s of open) await s.cleanup();
});

describe.each(engines)('openStore on %s', (dialect) => {
  it('migrates a fresh database and is idempotent on reopen', async () => {
    const t = await openTestStore(dialect);
    open.push(t);
    const tables = await t.store.db.introspection.getTables();
    const names = tables.map((x) => x.name);
    for (const n of ['people', 'person_aliases', 'sessions', 'events', 'metric_points', 'api_tokens']) {
      expect(names).toContain(n);
    }
  });
});

it('opens a second Postgres store in its own schema while another schema holds migration tables', async () => {
  open.push(await openTestStore('postgres'));
  const second = await openTestStore('postgres');
  open.push(second);
  expect(second.store.schema).toMatch(/^t_/);
});
