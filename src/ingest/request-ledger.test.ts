import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { kv } from '../../test/support/otlp.js';
import { PersonResolver } from '../identity/person-resolver.js';
import { commitBatch } from './commit-batch.js';
import { normaliseLogs, type NormaliseOptions } from './normalise/normalise-logs.js';
import { prepareBatch } from './prepare-batch.js';

/** The request ledger inside the commit transaction: one request id counts once, whatever reports it and when. */
const opts: NormaliseOptions = { capture: 'off', limits: { maxValueBytes: 65536 }, now: () => 1_800_000_000_000 };

function apiRequest(sessionId: string, sequence: number, requestId: string): object {
  const nanos = `${1_800_000_000_000 + sequence}000000`;
  return {
    timeUnixNano: nanos,
    body: { stringValue: 'claude_code.api_request' },
    attributes: [
      kv('session.id', sessionId),
      kv('user.email', 'lee@example.com'),
      kv('event.name', 'api_request'),
      kv('event.sequence', sequence),
      kv('model', 'claude-haiku-4-5'),
      kv('request_id', requestId),
      kv('input_tokens', 10),
      kv('output_tokens', 5),
      kv('cost_usd', 0.001),
    ],
  };
}

function logs(records: object[]): object {
  return {
    resourceLogs: [
      {
        resource: { attributes: [kv('service.name', 'claude-code')] },
        scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: records }],
      },
    ],
  };
}

describe.each(engines)('request ledger on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const normalised = (records: object[]) => normaliseLogs(logs(records), opts);
  const commit = (records: object[]) =>
    commitBatch(t.store, new PersonResolver(), prepareBatch(normalised(records)), Date.now());

  const kinds = async () =>
    (
      await t.store.db
        .selectFrom('events')
        .select(['kind', 'source', 'session_id', 'input_tokens'])
        .orderBy('id')
        .execute()
    ).map((r) => [r.kind, r.source, r.session_id, r.input_tokens]);

  it('counts a request once when two sources report it in one commit group: the first in arrival order', async () => {
    const batch = normalised([apiRequest('s1', 1, 'req_a'), apiRequest('s1', 2, 'req_b')]);
    const otel = batch.events[0]!;
    // The same request as the gateway reports it (its own dedupe key, source gateway).
    batch.events.splice(1, 0, { ...otel, source: 'gateway', dedupeKey: otel.dedupeKey + '-gw', attrs: {} });
    await commitBatch(t.store, new PersonResolver(), prepareBatch(batch), Date.now());
    expect(await kinds()).toEqual([
      ['api_request', 'otlp', 's1', 10],
      ['api_request_duplicate', 'gateway', 's1', null],
      ['api_request', 'otlp', 's1', 10],
    ]);
    const totals = await t.store.db.selectFrom('rollups_hourly').select(['requests', 'input_tokens']).execute();
    expect(totals.reduce((n, r) => n + Number(r.requests), 0)).toBe(2);
    expect(totals.reduce((n, r) => n + Number(r.input_tokens), 0)).toBe(20);
  });

  it('leaves repeats from one source alone: request ids are unique per upstream only (mocks reuse them)', async () => {
    await commit([apiRequest('s1', 1, 'req_mock_1')]);
    await commit([apiRequest('s2', 1, 'req_mock_1')]);
    expect((await kinds()).map((k) => k[0])).toEqual(['api_request', 'api_request']);
  });

  it('a retried export is a dedupe duplicate, not a second request report', async () => {
    await commit([apiRequest('s1', 1, 'req_c')]);
    const again = await commit([apiRequest('s1', 1, 'req_c')]);
    expect(again).toMatchObject({ eventsInserted: 0, eventsDuplicate: 1 });
    expect(await kinds()).toEqual([['api_request', 'otlp', 's1', 10]]);
  });

  it('leaves events without a request id alone', async () => {
    const record = apiRequest('s3', 1, 'x') as { attributes: { key: string }[] };
    record.attributes = record.attributes.filter((a) => a.key !== 'request_id');
    await commit([record, { ...record, timeUnixNano: '1800000000005000000' }]);
    expect((await kinds()).map((k) => k[0])).toEqual(['api_request', 'api_request']);
  });
});
