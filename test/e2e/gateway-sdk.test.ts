import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM_USAGE } from '../support/gateway/mock-anthropic-upstream.js';
import { startGatewayHarness, UPSTREAM_KEY, type GatewayHarness } from '../support/gateway/gateway-steward.js';

/**
 * The real Anthropic TS SDK through Steward's gateway to a local Messages API mock: streaming, non-streaming, tool
 * use, count_tokens and models.list work unchanged; each metered request becomes one `api_request` event with source
 * `gateway`, the key's person, the four token kinds apart and the cost from the price table.
 */
let h: GatewayHarness;
let key: string;

beforeAll(async () => {
  h = await startGatewayHarness();
  key = await h.key('person', 'Alice@Example.com');
});

afterAll(async () => {
  await h?.stop();
});

// claude-sonnet-5 at $2 / $2.50 (5m write) / $4 (1h write) / $0.20 (read) / $10 per MTok (claude-surfaces.md §6.4).
const SONNET_5_COST = 1200 * 2 + 600 * 2.5 + 300 * 4 + 30_000 * 0.2 + 250 * 10;

describe('Anthropic SDK through the gateway', () => {
  it('streams a message as it arrives and meters the cumulative usage once', async () => {
    const before = h.upstream.requests.length;
    const stream = h.sdk(key).messages.stream({
      model: 'claude-sonnet-5',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    const message = await stream.finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Hello from the mock upstream. ' });
    expect(message.usage.output_tokens).toBe(250);
    const up = h.upstream.requests[before];
    expect(up?.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(up?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(up?.headers)).not.toContain(key);

    const [event] = await h.events('api_request', 1);
    expect(event).toMatchObject({
      source: 'gateway',
      surface: 'api',
      model: 'claude-sonnet-5',
      request_id: up?.requestId,
      input_tokens: 1200,
      output_tokens: 250,
      cache_read_tokens: 30_000,
      cache_write_tokens: 900,
      cost_micros: SONNET_5_COST,
    });
    const attrs = JSON.parse(event?.attrs as string);
    expect(attrs).toMatchObject({
      cache_write_5m_tokens: 600,
      cache_write_1h_tokens: 300,
      stream: true,
      completed: true,
    });
    const person = await h.t.steward.store.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', event?.person_id as string)
      .executeTakeFirst();
    expect(person?.email).toBe('alice@example.com');
  });

  it('answers non-streaming requests and tool use, metered from the JSON usage', async () => {
    const client = h.sdk(key);
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    const first = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      tools,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    const second = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: (use as { id: string }).id, content: 'Sunny' }] },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    const events = await h.events('api_request', 3);
    const haiku = events.filter((e) => e.model === 'claude-haiku-4-5');
    expect(haiku).toHaveLength(2);
    // Haiku 4.5: $1 / $1.25 / $2 / $0.10 / $5.
    expect(haiku[0]?.cost_micros).toBe(1200 * 1 + 600 * 1.25 + 300 * 2 + 30_000 * 0.1 + 250 * 5);
  });

  it('counts tokens and lists models through the gateway without metering them', async () => {
    const client = h.sdk(key);
    const counted = await client.messages.countTokens({
      model: 'claude-sonnet-5',
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['claude-sonnet-5']);
    const paths = h.upstream.requests.slice(-2).map((r) => r.url);
    expect(paths).toEqual(['/v1/messages/count_tokens', '/v1/models']);
  });

  it('refuses a missing or unknown key with 401 in the Anthropic format, before the upstream', async () => {
    const before = h.upstream.requests.length;
    const err = await h
      .sdk('stw_gw_' + 'x'.repeat(43))
      .messages.create({ model: 'claude-sonnet-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401, error: { type: 'error', error: { type: 'authentication_error' } } });
    // An API token is not a gateway key.
    const res = await fetch(`${h.base}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.t.tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 10, messages: [] }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(h.upstream.requests.length).toBe(before);
  });

  it('answers the HEAD /api/hello probe locally', async () => {
    const res = await fetch(`${h.base}/api/hello`, { method: 'HEAD' });
    expect(res.status).toBe(200);
  });

  it('records an unknown model with no cost (never 0) and counts it', async () => {
    await h.sdk(key).messages.create({
      model: 'claude-unreleased-9',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const rows = await h.events('api_request', 4);
    const unknown = rows.find((r) => r.model === 'claude-unreleased-9');
    expect(unknown).toMatchObject({ cost_micros: null, input_tokens: 1200 });
    expect(JSON.parse(unknown?.attrs as string).cost_unknown).toBeTruthy();
  });

  it('exposes request counts and upstream and added latency on /metrics', async () => {
    const text = await (await h.t.api('/metrics', { role: 'analyst' })).text();
    expect(text).toMatch(/steward_gateway_requests_total\{status="200",model="claude-sonnet-5"\} [1-9]/);
    expect(text).toMatch(/steward_gateway_requests_total\{status="401",model=""\} [1-9]/);
    expect(text).toMatch(/steward_gateway_upstream_seconds_count\{stream="true"\} [1-9]/);
    expect(text).toMatch(/steward_gateway_added_latency_seconds_bucket\{le="0.001",stream="false"\} \d/);
    expect(text).toMatch(/steward_gateway_unpriced_requests_total\{model="other"\} 1/);
  });

  it('usage totals in the store equal the upstream usage per request', async () => {
    const rows = await h.events('api_request', 4);
    for (const r of rows) {
      expect(r.input_tokens).toBe(UPSTREAM_USAGE.input_tokens);
      expect(r.cache_read_tokens).toBe(UPSTREAM_USAGE.cache_read_input_tokens);
    }
  });
});
