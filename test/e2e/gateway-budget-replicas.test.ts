import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBudget } from '../../src/budgets/budget-admin.js';
import type { StewardBudgetGate } from '../../src/budgets/budget-gate.js';
import { createGatewayKey } from '../../src/identity/gateway-keys.js';
import { dropSchema, uniqueSchema } from '../support/engines.js';
import { UPSTREAM_KEY } from '../support/gateway/gateway-steward.js';
import { startMockUpstream, type MockUpstream } from '../support/gateway/mock-anthropic-upstream.js';
import { startTestSteward, waitFor, type TestSteward } from '../support/steward.js';

/**
 * Issue 5's concurrency proof through the gateway itself: 500 parallel requests spread over three Steward replicas
 * that share one PostgreSQL schema and one Redis, against one person's small daily budget. Every request reserves
 * its estimate before it is forwarded (body bytes / 4 + max_tokens at the model's price) and settles what the
 * upstream reported; the mock's usage is below the estimate for this body, as it is for real traffic whose history
 * the body carries. Whatever the interleaving, the settled spend never passes the limit, every refused request
 * stays away from the upstream, and nothing stays reserved.
 */
const REPLICAS = 3;
const REQUESTS = 500;
const LIMIT_USD = 0.25;
/** One mock request on claude-sonnet-5 (input 1,200 × $2, cache writes 600 × $2.50 + 300 × $4, reads 30,000 × $0.20, output 250 × $10 per MTok). */
const COST_MICROS = 1200 * 2 + 600 * 2.5 + 300 * 4 + 30_000 * 0.2 + 250 * 10;
const EMAIL = 'rita@example.com';

/** A conversation whose history carries the cached context (≈ 130 KB, so its estimate covers the 32,100 input tokens). */
const BODY = JSON.stringify({
  model: 'claude-sonnet-5',
  max_tokens: 256,
  stream: true,
  messages: [
    {
      role: 'user',
      content: 'Here is the contract to review:\n' + 'The parties agree to the terms below. '.repeat(3500),
    },
    { role: 'assistant', content: 'I have read it. What would you like to know?' },
    { role: 'user', content: 'Summarise the termination clause.' },
  ],
});

let schema: string;
let upstream: MockUpstream;
const replicas: TestSteward[] = [];
let key: string;
let budgetId: string;

beforeAll(async () => {
  schema = uniqueSchema();
  upstream = await startMockUpstream();
  const config = {
    redisUrl: 'redis://127.0.0.1:6379',
    gateway: { upstream: upstream.url, upstreamApiKey: UPSTREAM_KEY },
  };
  // The first replica creates the schema (migrations); the others join it.
  replicas.push(await startTestSteward({ dialect: 'postgres', sharedPgSchema: schema, config }));
  for (let i = 1; i < REPLICAS; i++) {
    replicas.push(await startTestSteward({ dialect: 'postgres', sharedPgSchema: schema, config }));
  }
  const store = replicas[0]!.steward.store;
  key = (await createGatewayKey(store, 'person', EMAIL)).key;
  const gate = replicas[0]!.steward.app.budgets as StewardBudgetGate;
  const { record } = await setBudget(
    store,
    gate.orgId,
    { scope: `person:${EMAIL}`, window: 'daily', limit_usd: LIMIT_USD, action: 'block' },
    'test',
  );
  budgetId = record.id;
  for (const r of replicas) await (r.steward.app.budgets as StewardBudgetGate).definitionsChanged();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(replicas.map((r) => r.stop()));
  await upstream?.close();
  if (schema) await dropSchema(schema);
});

async function send(replica: TestSteward): Promise<number> {
  const res = await fetch(`${replica.url}/gateway/anthropic/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: BODY,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('budgets across three gateway replicas (PostgreSQL + Redis)', () => {
  it('never settles more than the limit under 500 parallel requests, and refused requests never reach the upstream', async () => {
    const statuses = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => send(replicas[i % REPLICAS]!)));
    const ok = statuses.filter((s) => s === 200).length;
    const refused = statuses.filter((s) => s === 429).length;
    expect(ok + refused, `statuses other than 200/429: ${statuses.filter((s) => s !== 200 && s !== 429)}`).toBe(
      REQUESTS,
    );
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(upstream.requests.length).toBe(ok);

    // Settled spend as every replica's gate sees it (shared through Redis), and nothing left reserved.
    const limitMicros = LIMIT_USD * 1_000_000;
    for (const r of replicas) {
      const gate = r.steward.app.budgets as StewardBudgetGate;
      const state = await waitFor(async () => {
        const s = (await gate.listStates()).find((x) => x.budget.id === budgetId);
        return s && s.reserved === 0 && s.spent === ok * COST_MICROS ? s : undefined;
      });
      expect(state.spent).toBeLessThanOrEqual(limitMicros);
    }

    // The metered events agree: one gateway api_request per forwarded request, their cost summed ≤ the limit.
    const store = replicas[0]!.steward.store;
    const rows = await waitFor(async () => {
      for (const r of replicas) await r.steward.app.enforcement.gatewayEvents.settled();
      const got = await store.db
        .selectFrom('events')
        .select(['cost_micros'])
        .where('source', '=', 'gateway')
        .where('kind', '=', 'api_request')
        .execute();
      return got.length === ok ? got : undefined;
    });
    const metered = rows.reduce((sum, r) => sum + Number(r.cost_micros), 0);
    expect(metered).toBe(ok * COST_MICROS);
    expect(metered).toBeLessThanOrEqual(limitMicros);
  }, 120_000);
});
