import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { kv } from '../../test/support/otlp.js';
import { rebuildRollups } from '../analytics/rollup-rebuild.js';
import { PersonResolver } from '../identity/person-resolver.js';
import { commitBatch } from './commit-batch.js';
import { normaliseLogs, type NormaliseOptions } from './normalise/normalise-logs.js';
import { prepareBatch } from './prepare-batch.js';

const opts: NormaliseOptions = { capture: 'off', limits: { maxValueBytes: 65536 }, now: () => 1_800_000_000_000 };
const T = Date.parse('2026-11-21T05:10:00Z');

/** Claude Code-shaped records of one session; `ids` are the identity attributes each record carries. */
function logs(session: string, ids: Record<string, string>, events: [string, number][]): object {
  return {
    resourceLogs: [
      {
        resource: { attributes: [kv('service.name', 'claude-code'), kv('department', 'finance')] },
        scopeLogs: [
          {
            scope: { name: 'com.anthropic.claude_code.events' },
            logRecords: events.map(([name, seq]) => ({
              timeUnixNano: `${T + seq * 1000}000000`,
              attributes: [
                kv('event.name', name),
                kv('session.id', session),
                kv('event.sequence', seq),
                ...Object.entries(ids).map(([k, v]) => kv(k, v)),
                ...(name === 'api_request'
                  ? [kv('model', 'm'), kv('input_tokens', 10), kv('output_tokens', 5), kv('cost_usd', 0.001)]
                  : []),
              ],
            })),
          },
        ],
      },
    ],
  };
}

describe.each(engines)('rollups across an identity merge on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  async function snapshot() {
    const db = t.store.db;
    const order = (rows: object[]) => rows.map((r) => JSON.stringify(r)).sort();
    return {
      rollups: order(await db.selectFrom('rollups_hourly').selectAll().execute()),
      sessionHours: order(await db.selectFrom('rollup_session_hours').selectAll().execute()),
      personDays: order(await db.selectFrom('rollup_person_days').selectAll().execute()),
    };
  }

  it('moves the merged person’s rollups to the survivor, counting a shared session once', async () => {
    const r = new PersonResolver();
    const commit = (body: object) => commitBatch(t.store, r, prepareBatch(normaliseLogs(body, opts)), Date.now());
    // One session seen first under a device id, then (mid-session) under an email only: two people, one session.
    await commit(
      logs('s1', { 'user.id': 'dev-1' }, [
        ['user_prompt', 0],
        ['api_request', 1],
      ]),
    );
    await commit(logs('s1', { 'user.email': 'ann@example.com' }, [['api_request', 2]]));
    await commit(logs('s2', { 'user.email': 'ann@example.com' }, [['user_prompt', 0]]));
    expect(new Set((await snapshot()).sessionHours.map((x) => JSON.parse(x).person_id)).size).toBe(2);
    // A record carrying both identifiers links them: the email person folds into the device person.
    await commit(logs('s2', { 'user.id': 'dev-1', 'user.email': 'ann@example.com' }, [['api_request', 1]]));
    const people = await t.store.db.selectFrom('people').select('id').where('merged_into', 'is', null).execute();
    expect(people).toHaveLength(1);

    const merged = await snapshot();
    const rows = await t.store.db.selectFrom('rollups_hourly').selectAll().execute();
    expect(rows.every((x) => x.person_id === people[0]!.id)).toBe(true);
    expect(rows.reduce((n, x) => n + Number(x.sessions), 0)).toBe(2); // s1 and s2, each once
    expect(rows.reduce((n, x) => n + Number(x.requests), 0)).toBe(3);
    expect(merged.personDays).toHaveLength(1);
    await rebuildRollups(t.store, T);
    expect(await snapshot()).toEqual(merged);
  });
});
