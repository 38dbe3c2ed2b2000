import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kv } from '../support/otlp.js';
import { startGatewayHarness, type GatewayHarness } from '../support/gateway/gateway-steward.js';
import { waitFor } from '../support/steward.js';

/**
 * Claude Code's `metadata.user_id` (claude-code-observed.md §2: `{"device_id","account_uuid","session_id"}`, where
 * `device_id` is the `user.id` of its telemetry) ties a person key's requests to the install, so the install's
 * telemetry — which carries no email for API-key users — lands on the same person; an install someone else already
 * holds is never merged; agent keys are attributed to the person behind the install.
 */
let h: GatewayHarness;

beforeAll(async () => {
  h = await startGatewayHarness();
});

afterAll(async () => {
  await h?.stop();
});

const device = () => randomBytes(32).toString('hex');

async function send(key: string, deviceId: string, sessionId: string): Promise<void> {
  const res = await fetch(`${h.base}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model: 'claude-sonnet-5',
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
      metadata: { user_id: JSON.stringify({ device_id: deviceId, account_uuid: '', session_id: sessionId }) },
    }),
  });
  expect(res.status).toBe(200);
  await res.text();
}

/** One Claude Code event from an install, identified only by its install id (no email), or with an email too. */
async function telemetry(deviceId: string, sessionId: string, email?: string): Promise<void> {
  const nanos = `${Date.now()}000000`;
  const res = await h.t.postOtlp('logs', {
    resourceLogs: [
      {
        resource: { attributes: [kv('service.name', 'claude-code')] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: nanos,
                body: { stringValue: 'claude_code.user_prompt' },
                attributes: [
                  kv('session.id', sessionId),
                  kv('user.id', deviceId),
                  ...(email ? [kv('user.email', email)] : []),
                  kv('event.name', 'user_prompt'),
                  kv('event.sequence', 0),
                ],
              },
            ],
          },
        ],
      },
    ],
  });
  expect(res.status).toBe(200);
}

async function personOfSession(sessionId: string): Promise<string> {
  return waitFor(async () => {
    const row = await h.t.steward.store.db
      .selectFrom('events')
      .select('person_id')
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return row?.person_id ?? undefined;
  });
}

async function personOfEmail(email: string): Promise<string> {
  return waitFor(async () => {
    const row = await h.t.steward.store.db
      .selectFrom('people')
      .select('id')
      .where('email', '=', email)
      .where('merged_into', 'is', null)
      .executeTakeFirst();
    return row?.id;
  });
}

describe('Claude Code install ids at the gateway', () => {
  it("links a person key's install to the person, so the install's email-less telemetry lands on them", async () => {
    const key = await h.key('person', 'ana@example.com');
    const d = device();
    const gatewaySession = randomUUID();
    await send(key, d, gatewaySession);
    const ana = await personOfSession(gatewaySession);
    expect(ana).toBe(await personOfEmail('ana@example.com'));

    const laterSession = randomUUID();
    await telemetry(d, laterSession);
    expect(await personOfSession(laterSession)).toBe(ana);
  });

  it('never merges two people over a shared install: the install stays with the person who had it', async () => {
    const d = device();
    const first = randomUUID();
    await telemetry(d, first, 'bo@example.com');
    const bo = await personOfSession(first);
    const key = await h.key('person', 'cy@example.com');
    const gatewaySession = randomUUID();
    await send(key, d, gatewaySession);
    const cy = await personOfSession(gatewaySession);
    expect(cy).not.toBe(bo);
    expect(cy).toBe(await personOfEmail('cy@example.com'));
    expect(await personOfEmail('bo@example.com')).toBe(bo); // bo was not merged away
  });

  it("attributes an agent key's request to the person behind the install", async () => {
    const personKey = await h.key('person', 'dee@example.com');
    const d = device();
    const deeSession = randomUUID();
    await send(personKey, d, deeSession);
    const dee = await personOfSession(deeSession); // committed: the install is now dee's alias
    expect(dee).toBe(await personOfEmail('dee@example.com'));
    const agentKey = await h.key('agent', 'nightly-triage');
    const agentSession = randomUUID();
    await send(agentKey, d, agentSession);
    expect(await personOfSession(agentSession)).toBe(dee);
  });
});
