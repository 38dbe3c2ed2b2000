import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureJson } from '../support/fixtures.js';
import { startGatewayHarness, UPSTREAM_KEY, type GatewayHarness } from '../support/gateway/gateway-steward.js';
import { waitFor } from '../support/steward.js';

/**
 * The gateway as a wire-level proxy, with the real request Claude Code 2.1.329 sent (fixtures/claude-code/api): the
 * body reaches the upstream byte for byte, `?beta=true` and the anthropic-* / x-claude-code-* / unknown headers
 * arrive verbatim, the SSE stream (ping and unknown events included) reaches the client as sent, upstream errors
 * pass unmodified, a client abort reaches the upstream, and bad input gets a clear 4xx in the Anthropic format.
 */
interface Capture {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}
const capture = fixtureJson('api/turn1-request.json') as Capture;

let h: GatewayHarness;
let key: string;

beforeAll(async () => {
  h = await startGatewayHarness({ config: { gateway: { maxBodyBytes: 200_000 } } });
  key = await h.key('person', 'bob@example.com');
});

afterAll(async () => {
  await h?.stop();
});

/** Claude Code's own headers, with the gateway key where its API key was. */
function claudeCodeHeaders(): Record<string, string> {
  const headers: Record<string, string> = { ...capture.headers };
  for (const name of ['host', 'content-length', 'connection']) delete headers[name];
  return { ...headers, 'x-api-key': key, 'x-probe-unknown-header': 'kept as is' };
}

async function post(path: string, body: string | Buffer, headers: Record<string, string>): Promise<Response> {
  return fetch(`${h.base}${path}`, { method: 'POST', headers, body });
}

describe('pass-through', () => {
  it('forwards Claude Code’s body byte-identical, with ?beta=true and its headers, and streams the SSE back as sent', async () => {
    // Indented JSON: a re-serialising proxy would change these bytes.
    const bytes = Buffer.from(JSON.stringify(capture.body, null, 1), 'utf8');
    const res = await post('/v1/messages?beta=true', bytes, claudeCodeHeaders());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    const up = h.upstream.requests.at(-1);
    expect(up?.url).toBe('/v1/messages?beta=true');
    expect(Buffer.compare(up?.body as Buffer, bytes)).toBe(0);
    for (const name of [
      'anthropic-beta',
      'anthropic-version',
      'anthropic-dangerous-direct-browser-access',
      'x-claude-code-session-id',
      'x-stainless-package-version',
      'x-app',
      'user-agent',
    ]) {
      expect(up?.headers[name], name).toBe(capture.headers[name]);
    }
    expect(up?.headers['x-probe-unknown-header']).toBe('kept as is');
    expect(up?.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(res.headers.get('request-id')).toBe(up?.requestId);
    expect(text).toContain('event: ping\n');
    expect(text).toContain('event: steward_unknown_future_event\n');
    expect(text.indexOf('event: message_start')).toBe(0);
    expect(text.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);

    const [event] = (await h.events('api_request', 1)).filter((e) => e.request_id === up?.requestId);
    expect(event).toMatchObject({ surface: 'claude_code', session_id: capture.headers['x-claude-code-session-id'] });
  });

  it('forwards upstream errors unmodified: status, body and headers', async () => {
    const body = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded (mock wording)"}}';
    h.upstream.next.push({
      kind: 'error',
      status: 529,
      body,
      headers: { 'x-should-retry': 'true', 'retry-after': '7' },
    });
    const res = await post('/v1/messages?beta=true', JSON.stringify(capture.body), claudeCodeHeaders());
    expect(res.status).toBe(529);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-should-retry')).toBe('true');
    expect(await res.text()).toBe(body);
    h.upstream.next.push({ kind: 'error', status: 400, body: 'not even json' });
    const bad = await post('/v1/messages', JSON.stringify(capture.body), claudeCodeHeaders());
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('not even json');
    const errors = await h.events('api_error', 2);
    expect(errors.map((e) => JSON.parse(e.attrs as string).status_code)).toEqual(expect.arrayContaining([529, 400]));
  });

  it('sets a request-id when the upstream sends none', async () => {
    h.upstream.next.push({ kind: 'no-request-id' });
    const res = await post('/v1/messages', JSON.stringify({ ...capture.body, stream: false }), claudeCodeHeaders());
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(res.headers.get('request-id')).toMatch(/^req_stw_[0-9a-f]{24}$/);
  });

  it('aborts the upstream request when the client goes away, and meters the usage already reported', async () => {
    h.upstream.next.push({ kind: 'hold' });
    await h.abortAfterFirstChunk('/v1/messages?beta=true', claudeCodeHeaders(), JSON.stringify(capture.body));
    const up = h.upstream.requests.at(-1);
    await expect(up?.closed).resolves.toEqual({ aborted: true });
    const aborted = await waitFor(async () => {
      await h.t.steward.app.enforcement.gatewayEvents.settled();
      const rows = await h.t.steward.store.db
        .selectFrom('events')
        .selectAll()
        .where('request_id', '=', up?.requestId as string)
        .execute();
      return rows.length > 0 ? rows : undefined;
    });
    expect(aborted[0]).toMatchObject({ kind: 'api_request', input_tokens: 1200, success: 0 });
    expect(JSON.parse(aborted[0]?.attrs as string)).toMatchObject({ aborted: true, completed: false });
  });

  it('cuts the client stream when the upstream drops mid-response, and meters the usage already reported', async () => {
    h.upstream.next.push({ kind: 'cut' });
    const res = await post('/v1/messages?beta=true', JSON.stringify(capture.body), claudeCodeHeaders());
    expect(res.status).toBe(200);
    // The client sees a broken stream, as it would from the upstream itself (Claude Code retries, then falls back).
    await expect(res.text()).rejects.toThrow();
    const requestId = res.headers.get('request-id') as string;
    const rows = await waitFor(async () => {
      await h.t.steward.app.enforcement.gatewayEvents.settled();
      const found = await h.t.steward.store.db
        .selectFrom('events')
        .selectAll()
        .where('request_id', '=', requestId)
        .execute();
      return found.length > 0 ? found : undefined;
    });
    expect(rows[0]).toMatchObject({ kind: 'api_request', input_tokens: 1200, success: 0 });
    expect(JSON.parse(rows[0]?.attrs as string)).toMatchObject({
      completed: false,
      error_type: 'upstream_disconnected',
    });
  });

  it('answers 502 in the Anthropic format when the upstream cannot be reached, and records the failure', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const down = await startGatewayHarness({ config: { gateway: { upstream: `http://127.0.0.1:${closed}` } } });
    try {
      const k = await down.key('agent', 'unreachable-probe');
      const res = await fetch(`${down.base}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': k, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(502);
      expect(res.headers.get('request-id')).toMatch(/^req_stw_/);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      const [event] = await down.events('api_error');
      expect(JSON.parse(event?.attrs as string)).toMatchObject({
        error_type: 'upstream_unreachable',
        status_code: 502,
      });
    } finally {
      await down.stop();
    }
  });

  it('gives up on a silent upstream after gateway.idleTimeoutMs with 504 in the Anthropic format', async () => {
    const slow = await startGatewayHarness({ config: { gateway: { idleTimeoutMs: 300 } } });
    try {
      const k = await slow.key('agent', 'timeout-probe');
      // A first request opens the pooled connection; the timeout must also hold on a reused one.
      const ok = await fetch(`${slow.base}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': k, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(ok.status).toBe(200);
      await ok.text();
      slow.upstream.next.push({ kind: 'silent' });
      const started = Date.now();
      const res = await fetch(`${slow.base}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': k, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await slow.stop();
    }
  });

  it('answers a 404 in the Anthropic format for paths it does not serve', async () => {
    const res = await post('/v1/complete', '{}', { 'x-api-key': key, 'content-type': 'application/json' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});

describe('bad input gets a clear 4xx in the Anthropic format, and never reaches the upstream', () => {
  const cases: [string, string | Buffer, number, string, RegExp][] = [
    ['non-JSON body', 'model=claude', 400, 'invalid_request_error', /not valid JSON/],
    ['empty body', '', 400, 'invalid_request_error', /empty/],
    ['missing model', JSON.stringify({ max_tokens: 5, messages: [] }), 400, 'invalid_request_error', /^model: /],
    ['missing messages', JSON.stringify({ model: 'claude-sonnet-5' }), 400, 'invalid_request_error', /^messages: /],
    ['a JSON array', '[1,2]', 400, 'invalid_request_error', /JSON object/],
    ['oversized body', Buffer.alloc(300_000, 0x20), 413, 'request_too_large', /maximum size/],
  ];
  for (const [name, body, status, type, message] of cases) {
    it(name, async () => {
      const before = h.upstream.requests.length;
      const res = await post('/v1/messages', body, { 'x-api-key': key, 'content-type': 'application/json' });
      expect(res.status).toBe(status);
      const json = (await res.json()) as { type: string; error: { type: string; message: string } };
      expect(json.type).toBe('error');
      expect(json.error.type).toBe(type);
      expect(json.error.message).toMatch(message);
      expect(h.upstream.requests.length).toBe(before);
    });
  }
});
