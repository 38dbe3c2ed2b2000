import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * POST /hooks/inference as Claude Enterprise calls it (claude-surfaces.md §5.9): requests signed here exactly as the
 * Standard Webhooks spec says (HMAC-SHA256 with the base64-decoded `whsec_` secret over `{id}.{timestamp}.{body}`,
 * `v1,<base64>`), sent over real HTTP with Anthropic's User-Agent.
 */
type Json = Record<string, any>;
/** Fake credentials in real shapes (never real keys; not the vendors' documented example values). */
const FAKE_AWS_KEY_ID = 'AKIAQ3RT5X7ZJ2KMN4PW';
const FAKE_AWS_SECRET = 'wJa9Xk2Lq7Rt5Vb8Nz3Mc6Hd1Fg4Js0Pe2Ty7Ui9';
const SECRET = 'whsec_' + randomBytes(32).toString('base64');
const OTHER = 'whsec_' + randomBytes(32).toString('base64');

function sign(secret: string, id: string, ts: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return 'v1,' + createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
}

function promptBody(text: string, extra: Json = {}): Json {
  return {
    type: 'prompt',
    request_id: `req_${randomBytes(6).toString('hex')}`,
    tenant_id: 'tenant_1',
    actor: { type: 'user', id: 'user_1', email_address: 'Ada@Example.com' },
    source: { application: 'claude-ai' },
    session_id: 'conv_1',
    model: 'claude-opus-5-5',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Earlier question' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Earlier answer' }] },
      { role: 'user', content: [{ type: 'text', text }] },
    ],
    metadata: {},
    ...extra,
  };
}

async function post(
  t: TestSteward,
  body: string,
  h: { id?: string; ts?: number; signature?: string; omit?: string[] } = {},
): Promise<Response> {
  const id = h.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const ts = h.ts ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'anthropic-dlp/1',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': h.signature ?? sign(SECRET, id, ts, body),
  };
  for (const k of h.omit ?? []) delete headers[k];
  return fetch(`${t.url}/hooks/inference`, { method: 'POST', headers, body });
}

describe('POST /hooks/inference', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward({
      config: { enforce: { inferenceHookSecret: SECRET, inferenceMaxBodyBytes: 256 * 1024 } },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function decisions(): Promise<Json[]> {
    await t.steward.app.enforcement.recorder.settled();
    const now = Date.now();
    const q = new URLSearchParams({ kind: 'policy_decision', from: String(now - 3_600_000), to: String(now + 60_000) });
    return (await t.getJson<{ items: Json[] }>(`/api/v1/events?${q}`)).items;
  }

  it('allows an ordinary prompt', async () => {
    const res = await post(t, JSON.stringify(promptBody('Summarise the quarterly plan')));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ action: 'allow' });
  });

  it('denies a prompt holding an AWS key with a reason ≤ 500 and a reference ≤ 50, and records it for the person', async () => {
    const body = promptBody(`use ${FAKE_AWS_KEY_ID} / ${FAKE_AWS_SECRET} for the upload`);
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const res = await post(t, JSON.stringify(body), { id });
    expect(res.status).toBe(200);
    const a = (await res.json()) as Json;
    expect(a).toEqual({
      action: 'deny',
      deny_reason: expect.stringContaining('AWS'),
      reference_id: expect.any(String),
    });
    expect(a.deny_reason.length).toBeLessThanOrEqual(500);
    expect(a.reference_id.length).toBeLessThanOrEqual(50);
    const d = (await decisions()).find((e) => e.request_id === body.request_id)!;
    expect(d).toMatchObject({
      source: 'inference_hook',
      surface: 'claude_ai',
      session_id: 'conv_1',
      model: 'claude-opus-5-5',
      decision: 'deny',
      decision_source: 'credentials',
      attributes: {
        point: 'inference_hook',
        stage: 'prompt',
        reference_id: a.reference_id,
        tenant_id: 'tenant_1',
        application: 'claude-ai',
      },
    });
    expect(JSON.stringify(d)).not.toContain(FAKE_AWS_SECRET);
    const person = await t.getJson<Json>(`/api/v1/people/${d.person_id}`);
    expect(person.email).toBe('ada@example.com');
  });

  it('scans tool_use inputs and tool_result content too', async () => {
    const body = promptBody('continue', {});
    body.messages.push({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_1',
          content: [{ type: 'text', text: `AWS_SECRET_ACCESS_KEY=${FAKE_AWS_SECRET}` }],
        },
      ],
    });
    expect(((await (await post(t, JSON.stringify(body))).json()) as Json).action).toBe('deny');
  });

  it('rejects missing, wrong, tampered and stale signatures with 401', async () => {
    const body = JSON.stringify(promptBody('hello'));
    const ts = Math.floor(Date.now() / 1000);
    const cases: [string, Parameters<typeof post>[2], string?][] = [
      ['no webhook-signature', { omit: ['webhook-signature'] }],
      ['no webhook-id', { omit: ['webhook-id'] }],
      ['no webhook-timestamp', { omit: ['webhook-timestamp'] }],
      ['another secret', { id: 'msg_x', ts, signature: sign(OTHER, 'msg_x', ts, body) }],
      [
        'tampered body',
        { id: 'msg_x', ts, signature: sign(SECRET, 'msg_x', ts, body) },
        body.replace('hello', 'hullo'),
      ],
      ['stale', { id: 'msg_x', ts: ts - 600, signature: sign(SECRET, 'msg_x', ts - 600, body) }],
      ['future', { id: 'msg_x', ts: ts + 600, signature: sign(SECRET, 'msg_x', ts + 600, body) }],
    ];
    for (const [name, h, sent] of cases) {
      const res = await post(t, sent ?? body, h);
      expect(res.status, name).toBe(401);
      expect(((await res.json()) as Json).error.code, name).toBe('unauthenticated');
    }
  });

  it('accepts a rotation list where one of several signatures is valid', async () => {
    const body = JSON.stringify(promptBody('hello'));
    const ts = Math.floor(Date.now() / 1000);
    const sigs = [sign(OTHER, 'msg_r', ts, body), sign(SECRET, 'msg_r', ts, body)].join(' ');
    const res = await post(t, body, { id: 'msg_r', ts, signature: sigs });
    expect(res.status).toBe(200);
  });

  it('refuses a signed but malformed body with 400 naming the problem', async () => {
    const notJson = await post(t, '{nope');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as Json).error.code).toBe('invalid_json');
    const noMessages = await post(t, JSON.stringify({ type: 'prompt', request_id: 'r' }));
    expect(noMessages.status).toBe(400);
    expect(((await noMessages.json()) as Json).error.message).toMatch(/messages/);
  });

  it('refuses bodies over the limit with 413 before reading them', async () => {
    const res = await post(t, JSON.stringify(promptBody('x'.repeat(300 * 1024))));
    expect(res.status).toBe(413);
  });

  it('never echoes or logs the secret', async () => {
    const res = await post(t, '{}', { omit: ['webhook-signature'] });
    expect(await res.text()).not.toContain(SECRET.slice(6));
  });
});

describe('POST /hooks/inference in shadow mode', () => {
  it('decides and records, but always allows', async () => {
    const t = await startTestSteward({ config: { enforce: { inferenceHookSecret: SECRET, mode: 'shadow' } } });
    try {
      const body = promptBody(`key ${FAKE_AWS_KEY_ID} ${FAKE_AWS_SECRET}`);
      const res = await post(t, JSON.stringify(body));
      expect(await res.json()).toEqual({ action: 'allow' });
      await t.steward.app.enforcement.recorder.settled();
      const now = Date.now();
      const page = await t.getJson<{ items: Json[] }>(
        `/api/v1/events?kind=policy_decision&from=${now - 60_000}&to=${now + 60_000}`,
      );
      expect(page.items[0]).toMatchObject({
        decision: 'deny',
        attributes: { shadow: true, enforced: 'allow', rule_id: 'credentials' },
      });
    } finally {
      await t.stop();
    }
  });

  it('is disabled (404) until a secret is configured', async () => {
    const t = await startTestSteward();
    try {
      const res = await post(t, JSON.stringify(promptBody('hello')));
      expect(res.status).toBe(404);
    } finally {
      await t.stop();
    }
  });
});
