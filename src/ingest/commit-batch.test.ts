import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { fixtureJson } from '../../test/support/fixtures.js';
import { PersonResolver } from '../identity/person-resolver.js';
import { commitBatch } from './commit-batch.js';
import { prepareBatch } from './prepare-batch.js';
import { normaliseLogs, type NormaliseOptions } from './normalise/normalise-logs.js';
import { normaliseMetrics } from './normalise/normalise-metrics.js';

const opts: NormaliseOptions = { capture: 'off', limits: { maxValueBytes: 65536 }, now: () => 1_800_000_000_000 };

describe.each(engines)('commitBatch on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('stores the real Claude Code log capture with person, session and totals', async () => {
    const batch = normaliseLogs(fixtureJson('otlp/http-json/logs.json'), opts);
    const res = await commitBatch(t.store, new PersonResolver(), prepareBatch(batch), Date.now());
    expect(res.eventsInserted).toBe(batch.events.length);
    const sessions = await t.store.db.selectFrom('sessions').selectAll().execute();
    expect(sessions).toHaveLength(1);
    const s = sessions[0]!;
    expect(s).toMatchObject({
      surface: 'claude_code',
      app_version: '2.1.329',
      department: 'finance',
      team: 'close',
      prompt_count: 1,
      api_request_count: 2,
      tool_call_count: 1,
      input_tokens: 246,
      output_tokens: 90,
      cache_read_tokens: 178,
      cache_write_tokens: 134,
    });
    expect(s.cost_micros).toBeGreaterThan(0);
    const people = await t.store.db.selectFrom('people').selectAll().execute();
    expect(people).toHaveLength(1);
    expect(people[0]).toMatchObject({ department: 'finance', team: 'close', cost_center: 'fin-001' });
    expect(s.person_id).toBe(people[0]!.id);
    // A person's seen-times are event times, not the time the export arrived.
    expect(people[0]!.first_seen).toBe(s.first_seen);
    expect(people[0]!.last_seen).toBe(s.last_seen);
  });

  it('counts a retried export once (dedupe keys), including session totals', async () => {
    const resolver = new PersonResolver();
    const body = fixtureJson('otlp/http-json/logs.json');
    await commitBatch(t.store, resolver, prepareBatch(normaliseLogs(body, opts)), Date.now());
    const again = await commitBatch(t.store, resolver, prepareBatch(normaliseLogs(body, opts)), Date.now());
    expect(again.eventsInserted).toBe(0);
    const s = await t.store.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    expect(s.api_request_count).toBe(2);
    expect(s.input_tokens).toBe(246);
  });

  it('folds cumulative metric points into deltas without double counting', async () => {
    const resolver = new PersonResolver();
    const point = (value: number, timeMs: number) => ({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'claude_code.token.usage',
                  unit: 'tokens',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [
                      {
                        startTimeUnixNano: '1700000000000000000',
                        timeUnixNano: `${timeMs}000000`,
                        asDouble: value,
                        attributes: [
                          { key: 'type', value: { stringValue: 'input' } },
                          { key: 'session.id', value: { stringValue: 's-1' } },
                          { key: 'user.id', value: { stringValue: 'dev-1' } },
                        ],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    await commitBatch(t.store, resolver, prepareBatch(normaliseMetrics(point(100, 1700000001000), opts)), 1);
    await commitBatch(t.store, resolver, prepareBatch(normaliseMetrics(point(250, 1700000002000), opts)), 2);
    await commitBatch(t.store, resolver, prepareBatch(normaliseMetrics(point(250, 1700000002000), opts)), 3); // replay
    await commitBatch(t.store, resolver, prepareBatch(normaliseMetrics(point(40, 1700000003000), opts)), 4); // reset → 40
    const rows = await t.store.db
      .selectFrom('metric_points')
      .select(['value', 'type', 'person_id'])
      .orderBy('time')
      .execute();
    expect(rows.map((r) => r.value)).toEqual([100, 150, 40]);
    expect(rows.every((r) => r.type === 'input' && r.person_id !== null)).toBe(true);
  });

  it('stores delta metrics from the real capture attributed to the person', async () => {
    const resolver = new PersonResolver();
    await commitBatch(t.store, resolver, prepareBatch(normaliseLogs(fixtureJson('otlp/http-json/logs.json'), opts)), 1);
    const m = normaliseMetrics(fixtureJson('otlp/http-json/metrics.json'), opts);
    expect(m.metrics.length).toBeGreaterThan(0);
    await commitBatch(t.store, resolver, prepareBatch(m), 2);
    const tokens = await t.store.db
      .selectFrom('metric_points')
      .select(['type', 'value', 'person_id'])
      .where('name', '=', 'claude_code.token.usage')
      .execute();
    const byType = Object.fromEntries(tokens.map((r) => [r.type, r.value]));
    expect(byType).toMatchObject({ input: 246, output: 90, cacheRead: 178, cacheCreation: 134 });
    const person = await t.store.db.selectFrom('people').select('id').executeTakeFirstOrThrow();
    expect(tokens.every((r) => r.person_id === person.id)).toBe(true);
  });
});
