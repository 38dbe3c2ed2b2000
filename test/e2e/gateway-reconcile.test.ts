import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildRollups } from '../../src/analytics/rollup-rebuild.js';
import { engines } from '../support/engines.js';
import { startGatewayHarness, type GatewayHarness } from '../support/gateway/gateway-steward.js';
import { kv } from '../support/otlp.js';
import { waitFor } from '../support/steward.js';

/**
 * One request reported twice — by the gateway and by Claude Code's OTel `api_request` event carrying the gateway's
 * `request-id` (claude-code-observed.md §2) — counts once in rollups, session totals and the analytics API, in
 * either order of arrival, on both engines. The first arrival counts; the second is stored as api_request_duplicate.
 */
const GATEWAY_COST = 1200 * 2 + 600 * 2.5 + 300 * 4 + 30_000 * 0.2 + 250 * 10; // claude-sonnet-5, mock usage
const OTEL_COST_USD = 0.5; // Claude Code's own estimate differs: only the first report may count

function otelApiRequest(sessionId: string, requestId: string, sequence: number): object {
  const nanos = `${Date.now()}000000`;
  return {
    resourceLogs: [
      {
        resource: { attributes: [kv('service.name', 'claude-code'), kv('service.version', '2.1.329')] },
        scopeLogs: [
          {
            scope: { name: 'com.anthropic.claude_code.events' },
            logRecords: [
              {
                timeUnixNano: nanos,
                observedTimeUnixNano: nanos,
                body: { stringValue: 'claude_code.api_request' },
                attributes: [
                  kv('session.id', sessionId),
                  kv('user.email', 'rita@example.com'),
                  kv('event.name', 'api_request'),
                  kv('event.sequence', sequence),
                  kv('model', 'claude-sonnet-5'),
                  kv('request_id', requestId),
                  kv('input_tokens', 1200),
                  kv('output_tokens', 250),
                  kv('cache_read_tokens', 30_000),
                  kv('cache_creation_tokens', 900),
                  kv('cost_usd', OTEL_COST_USD),
                  kv('duration_ms', 1234),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

for (const dialect of engines) {
  describe(`gateway and OTel report one request once (${dialect})`, () => {
    let h: GatewayHarness;
    let key: string;

    beforeAll(async () => {
      h = await startGatewayHarness({ dialect });
      key = await h.key('person', 'rita@example.com');
    });
    afterAll(async () => {
      await h?.stop();
    });

    async function viaGateway(sessionId: string): Promise<string> {
      const res = await fetch(`${h.base}/v1/messages?beta=true`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json', 'x-claude-code-session-id': sessionId },
        body: JSON.stringify({
          model: 'claude-sonnet-5',
          max_tokens: 64,
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      expect(res.status).toBe(200);
      await res.text();
      await h.t.steward.app.enforcement.gatewayEvents.settled();
      return res.headers.get('request-id') as string;
    }

    async function viaOtel(sessionId: string, requestId: string, sequence: number): Promise<void> {
      const res = await h.t.postOtlp('logs', otelApiRequest(sessionId, requestId, sequence));
      expect(res.status).toBe(200);
    }

    async function rowsOf(requestId: string, n: number) {
      return waitFor(async () => {
        const rows = await h.t.steward.store.db
          .selectFrom('events')
          .select(['kind', 'source', 'input_tokens', 'cost_micros', 'attrs'])
          .where('request_id', '=', requestId)
          .orderBy('id')
          .execute();
        return rows.length >= n ? rows : undefined;
      });
    }

    it('gateway first: the OTel report is kept as a duplicate with its figures aside', async () => {
      const session = randomUUID();
      const requestId = await viaGateway(session);
      await viaOtel(session, requestId, 1);
      const rows = await rowsOf(requestId, 2);
      expect(rows.map((r) => [r.source, r.kind])).toEqual([
        ['gateway', 'api_request'],
        ['otlp', 'api_request_duplicate'],
      ]);
      expect(rows[0]).toMatchObject({ input_tokens: 1200, cost_micros: GATEWAY_COST });
      expect(rows[1]).toMatchObject({ input_tokens: null, cost_micros: null });
      expect(JSON.parse(rows[1]?.attrs as string).duplicate).toMatchObject({
        input_tokens: 1200,
        cost_micros: 500_000,
      });
    });

    it('OTel first: the gateway report is the duplicate', async () => {
      const session = randomUUID();
      const requestId = `req_up_${h.upstream.requests.length + 1}`; // what the mock upstream will answer next
      await viaOtel(session, requestId, 1);
      await rowsOf(requestId, 1);
      expect(await viaGateway(session)).toBe(requestId);
      const rows = await rowsOf(requestId, 2);
      expect(rows.map((r) => [r.source, r.kind])).toEqual([
        ['otlp', 'api_request'],
        ['gateway', 'api_request_duplicate'],
      ]);
      expect(rows[0]).toMatchObject({ input_tokens: 1200, cost_micros: 500_000 });
    });

    it('rollups, session totals, the analytics API and a rebuild count each request once', async () => {
      const db = h.t.steward.store.db;
      const sums = async () =>
        db
          .selectFrom('rollups_hourly')
          .select((eb) => [
            eb.fn.sum<number>('requests').as('requests'),
            eb.fn.sum<number>('input_tokens').as('input'),
            eb.fn.sum<number>('cache_write_tokens').as('cache_write'),
            eb.fn.sum<number>('cost_micros').as('cost'),
          ])
          .executeTakeFirstOrThrow();
      const expected = { requests: 2, input: 2400, cache_write: 1800, cost: GATEWAY_COST + 500_000 };
      const before = await sums();
      expect({
        requests: Number(before.requests),
        input: Number(before.input),
        cache_write: Number(before.cache_write),
        cost: Number(before.cost),
      }).toEqual(expected);
      const sessions = await db.selectFrom('sessions').select(['api_request_count', 'input_tokens']).execute();
      expect(sessions.map((s) => [Number(s.api_request_count), Number(s.input_tokens)])).toEqual([
        [1, 1200],
        [1, 1200],
      ]);
      const now = Date.now();
      const report = await h.t.getJson<{ totals: { requests: number; tokens: { input: number } } }>(
        `/api/v1/analytics/cost?from=${now - 3 * 3_600_000}&to=${now + 3_600_000}`,
      );
      expect(report.totals).toMatchObject({ requests: 2, tokens: { input: 2400 } });
      await rebuildRollups(h.t.steward.store, now - 86_400_000);
      const after = await sums();
      expect(Number(after.requests)).toBe(2);
      expect(Number(after.cost)).toBe(GATEWAY_COST + 500_000);
    });
  });
}
