import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPolicyVersion } from '../../src/store/policies.repo.js';
import { startGatewayHarness, type GatewayHarness } from '../support/gateway/gateway-steward.js';

/**
 * Prompt protection and model policy at the gateway, judged by the same engine as the hooks (point gateway, stage
 * model_request). Every assertion about what leaked is made on the bytes the mock upstream received.
 */
const FAKE_AWS_KEY_ID = 'AKIAQ3RT5X7ZJ2KMN4PW';
const FAKE_AWS_SECRET = 'wJa9Xk2Lq7Rt5Vb8Nz3Mc6Hd1Fg4Js0Pe2Ty7Ui9';
const PROMPT = `deploy with ${FAKE_AWS_KEY_ID} and AWS_SECRET_ACCESS_KEY=${FAKE_AWS_SECRET} please`;

let h: GatewayHarness;
let key: string;
let contractor: string;

beforeAll(async () => {
  h = await startGatewayHarness();
  key = await h.key('person', 'erin@example.com');
  contractor = await h.key('person', 'sam@contractors.example.com');
});

afterAll(async () => {
  await h?.stop();
});

async function activate(yaml: string): Promise<void> {
  const sha256 = createHash('sha256').update(yaml).digest('hex');
  await insertPolicyVersion(h.t.steward.store, { name: 'gateway test', yaml, sha256, author: 'test', activate: true });
  await h.t.steward.app.enforcement.policies.refresh();
}

function send(k: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${h.base}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'x-api-key': k, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 100, stream: true, ...body }),
  });
}

describe('the default policy at the gateway', () => {
  it('blocks a fake AWS key in the newest prompt before the upstream sees it, with the policy message and no retry', async () => {
    const before = h.upstream.requests.length;
    const res = await send(key, { messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }] });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-should-retry')).toBe('false');
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/Steward stopped this because it contains/);
    expect(h.upstream.requests.length).toBe(before);
    const [decision] = await h.events('policy_decision', 1);
    expect(decision).toMatchObject({ source: 'gateway', decision: 'deny', decision_source: 'credentials' });
    const attrs = JSON.parse(decision?.attrs as string);
    expect(attrs).toMatchObject({ point: 'gateway', stage: 'model_request', enforced: 'deny' });
    expect(JSON.stringify(decision)).not.toContain(FAKE_AWS_SECRET);
  });

  it('judges only the newest turn: history already sent is not re-judged, and is forwarded byte-identical', async () => {
    const body = {
      messages: [
        { role: 'user', content: PROMPT },
        { role: 'assistant', content: 'I will not use that key.' },
        { role: 'user', content: 'Thanks, carry on without it.' },
      ],
    };
    const res = await send(key, body);
    expect(res.status).toBe(200);
    await res.text();
    const up = h.upstream.requests.at(-1);
    expect(up?.body.toString('utf8')).toBe(
      JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 100, stream: true, ...body }),
    );
  });
});

describe('a redact policy', () => {
  it('replaces the key in the newest turn before forwarding and leaves the rest of the body as it was', async () => {
    await activate(`version: 1
name: redact credentials at the gateway
defaults: { action: allow, onFailure: open }
rules:
  - id: redact-credentials
    when: { stage: model_request, content: secret }
    action: redact
`);
    const res = await send(key, {
      system: 'You are helpful.',
      messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }],
      metadata: { user_id: '{"device_id":"d","account_uuid":"","session_id":"s"}' },
    });
    expect(res.status).toBe(200);
    await res.text();
    const up = h.upstream.requests.at(-1);
    const text = up?.body.toString('utf8') as string;
    expect(text).not.toContain(FAKE_AWS_KEY_ID);
    expect(text).not.toContain(FAKE_AWS_SECRET);
    const sent = JSON.parse(text) as Record<string, any>;
    expect(sent.messages[0].content[0].text).toMatch(
      /^deploy with \[REDACTED:aws_access_key_id:[0-9a-f]{4}\] and AWS_SECRET_ACCESS_KEY=\[REDACTED:aws_secret_access_key:[0-9a-f]{4}\] please$/,
    );
    expect(sent.system).toBe('You are helpful.');
    expect(sent.metadata).toEqual({ user_id: '{"device_id":"d","account_uuid":"","session_id":"s"}' });
    expect(Number(up?.headers['content-length'])).toBe(up?.body.length);
  });
});

describe('model rules per group', () => {
  it('refuses a model the group may not use, with the rule message, and allows the others', async () => {
    await activate(`version: 1
name: contractors on Sonnet
defaults: { action: allow, onFailure: open }
rules:
  - id: contractors-no-opus
    subjects: { people: "*@contractors.example.com" }
    when: { stage: model_request, models: "claude-opus-*" }
    action: deny
    message: Contractors use Sonnet models; ask your manager if you need Opus.
`);
    const before = h.upstream.requests.length;
    const denied = await send(contractor, { model: 'claude-opus-5', messages: [{ role: 'user', content: 'hi' }] });
    expect(denied.status).toBe(400);
    expect(((await denied.json()) as { error: { message: string } }).error.message).toBe(
      'Contractors use Sonnet models; ask your manager if you need Opus.',
    );
    expect(h.upstream.requests.length).toBe(before);
    const sonnet = await send(contractor, { model: 'claude-sonnet-5', messages: [{ role: 'user', content: 'hi' }] });
    expect(sonnet.status).toBe(200);
    await sonnet.text();
    const employee = await send(key, { model: 'claude-opus-5', messages: [{ role: 'user', content: 'hi' }] });
    expect(employee.status).toBe(200);
    await employee.text();
  });
});
