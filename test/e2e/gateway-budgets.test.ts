import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseBudget, setBudget, type BudgetSpec } from '../../src/budgets/budget-admin.js';
import type { StewardBudgetGate } from '../../src/budgets/budget-gate.js';
import { startGatewayHarness, type GatewayHarness } from '../support/gateway/gateway-steward.js';
import { waitFor } from '../support/steward.js';

/**
 * The gateway against the real budget gate (src/budgets, in-process counters here; Redis and replicas are the gate's
 * own tests): reserve before forwarding, settle what the upstream reported, release when nothing was used, refuse
 * with 429 rate_limit_error + x-should-retry: false and the budget's message once it is spent.
 */
const COST = 1200 * 2 + 600 * 2.5 + 300 * 4 + 30_000 * 0.2 + 250 * 10; // one mock request on claude-sonnet-5
const MESSAGE = 'Your daily AI budget is used up. It resets at midnight UTC; ask your manager to raise it.';

let h: GatewayHarness;
let gate: StewardBudgetGate;

beforeAll(async () => {
  h = await startGatewayHarness();
  gate = h.t.steward.app.budgets as StewardBudgetGate;
});

afterAll(async () => {
  await h?.stop();
});

async function budget(spec: BudgetSpec): Promise<string> {
  const { record } = await setBudget(h.t.steward.store, gate.orgId, spec, 'test');
  await gate.definitionsChanged();
  return record.id;
}

function send(key: string, extra: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${h.base}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'claude-sonnet-5',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
      ...extra,
    }),
  });
}

async function state(id: string) {
  const s = (await gate.listStates()).find((x) => x.budget.id === id);
  if (!s) throw new Error(`no budget ${id}`);
  return s;
}

describe('budgets at the gateway', () => {
  it('settles the real cost, then refuses with the education message and no retry once the budget is spent', async () => {
    const key = await h.key('person', 'Uma@example.com');
    const id = await budget({
      scope: 'person:uma@example.com',
      window: 'daily',
      limit_usd: 0.01,
      action: 'block',
      message: MESSAGE,
    });
    const first = await send(key);
    expect(first.status).toBe(200);
    await first.text();
    await waitFor(async () => ((await state(id)).spent === COST ? true : undefined));
    expect((await state(id)).reserved).toBe(0);

    const before = h.upstream.requests.length;
    const second = await send(key);
    expect(second.status).toBe(429);
    expect(second.headers.get('x-should-retry')).toBe('false');
    expect(await second.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: MESSAGE } });
    expect(h.upstream.requests.length).toBe(before);
    const decisions = await h.events('policy_decision', 1);
    expect(decisions.at(-1)).toMatchObject({ source: 'gateway', decision: 'deny', decision_source: `budget:${id}` });
    const metrics = await (await h.t.api('/metrics', { role: 'analyst' })).text();
    expect(metrics).toMatch(/steward_budget_rejections_total\{action="block"\} 1/);
  });

  it('applies agent budgets to agent keys and pauses an agent with the kill switch', async () => {
    const key = await h.key('agent', 'release-bot');
    const id = await budget({
      scope: 'agent:release-bot',
      window: 'monthly',
      limit_tokens: 1_000_000,
      action: 'block',
    });
    const ok = await send(key);
    expect(ok.status).toBe(200);
    await ok.text();
    await pauseBudget(h.t.steward.store, gate.orgId, id, true, 'test');
    await gate.definitionsChanged();
    const paused = await send(key);
    expect(paused.status).toBe(429);
    expect(paused.headers.get('x-should-retry')).toBe('false');
    expect(((await paused.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
  });

  it('warns with a header past the warning threshold', async () => {
    const key = await h.key('person', 'vic@example.com');
    await budget({ scope: 'person:vic@example.com', window: 'daily', limit_usd: 0.02, action: 'warn', warn_at: 0.5 });
    const first = await send(key);
    await first.text();
    expect(first.headers.get('x-steward-budget-warning')).toBeNull();
    await waitFor(async () => ((await gate.listStates()).some((s) => s.spent === COST) ? true : undefined));
    const second = await send(key);
    await second.text();
    expect(second.status).toBe(200);
    expect(second.headers.get('x-steward-budget-warning')).toMatch(/^person:vic@example.com daily budget at \d+%/);
  });

  it('releases the reservation when the upstream fails without usage', async () => {
    const key = await h.key('person', 'wes@example.com');
    const id = await budget({ scope: 'person:wes@example.com', window: 'daily', limit_usd: 5, action: 'block' });
    h.upstream.next.push({
      kind: 'error',
      status: 500,
      body: '{"type":"error","error":{"type":"api_error","message":"boom"}}',
    });
    const res = await send(key);
    expect(res.status).toBe(500);
    await res.text();
    await waitFor(async () => ((await state(id)).reserved === 0 ? true : undefined));
    expect((await state(id)).spent).toBe(0);
  });

  it('settles the usage already reported when the client aborts a stream (spend is never dropped)', async () => {
    const key = await h.key('person', 'xia@example.com');
    const id = await budget({ scope: 'person:xia@example.com', window: 'daily', limit_usd: 5, action: 'block' });
    h.upstream.next.push({ kind: 'hold' });
    await h.abortAfterFirstChunk(
      '/v1/messages',
      { 'x-api-key': key, 'content-type': 'application/json' },
      JSON.stringify({
        model: 'claude-sonnet-5',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    // message_start reported input, cache and 1 output token before the abort.
    const partial = 1200 * 2 + 600 * 2.5 + 300 * 4 + 30_000 * 0.2 + 1 * 10;
    await waitFor(async () => ((await state(id)).spent === partial ? true : undefined));
    expect((await state(id)).reserved).toBe(0);
  });
});
