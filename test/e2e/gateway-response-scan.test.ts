import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from '../support/gateway/gateway-steward.js';

/**
 * Response scanning (`gateway.scanResponses`, issue 5 "optional scanning of responses"): the model's text, streamed or
 * not, is judged at stage `model_response` once delivered. The default policy's `credentials-in-model-output` rule
 * records a warning; the client gets the answer unchanged (it already has the bytes).
 */
const FAKE_KEY = 'AKIAQ3RT5X7ZJ2KMN4PW'; // shaped like an AWS access key id, valid for nothing

let h: GatewayHarness;
let key: string;

beforeAll(async () => {
  h = await startGatewayHarness({ config: { gateway: { scanResponses: 100_000 } } });
  key = await h.key('person', 'riley@example.com');
});

afterAll(async () => {
  await h?.stop();
});

function send(stream: boolean): Promise<Response> {
  return fetch(`${h.base}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model: 'claude-sonnet-5',
      max_tokens: 100,
      stream,
      messages: [{ role: 'user', content: 'what key did we use?' }],
    }),
  });
}

describe('response scanning at the gateway', () => {
  it('records a credential in a streamed answer and in a JSON answer, and delivers both unchanged', async () => {
    h.upstream.next.push({ kind: 'text', text: `The key was ${FAKE_KEY} last week.` });
    const streamed = await send(true);
    expect(streamed.status).toBe(200);
    const sse = await streamed.text();
    expect(sse).toContain(FAKE_KEY.slice(0, 4)); // the words reach the client as the upstream sent them
    expect(sse).toContain('message_stop');

    h.upstream.next.push({ kind: 'text', text: `Use ${FAKE_KEY} for the deploy.` });
    const json = await send(false);
    expect(json.status).toBe(200);
    const message = (await json.json()) as { content: { type: string; text: string }[] };
    expect(message.content[0]?.text).toContain(FAKE_KEY);

    const decisions = await h.events('policy_decision', 2);
    const responses = decisions.filter((d) => JSON.parse(d.attrs as string).stage === 'model_response');
    expect(responses).toHaveLength(2);
    for (const d of responses) {
      expect(d).toMatchObject({ source: 'gateway', decision: 'warn', decision_source: 'credentials-in-model-output' });
      expect(JSON.parse(d.attrs as string)).toMatchObject({ point: 'gateway', enforced: 'allow' });
      expect(JSON.stringify(d)).not.toContain(FAKE_KEY); // the finding is recorded by type, never the value
    }
  });

  it('records nothing for an answer with nothing in it', async () => {
    const before = (await h.events('policy_decision', 0)).length;
    h.upstream.next.push({ kind: 'text', text: 'Nothing sensitive here at all.' });
    await (await send(true)).text();
    await h.events('api_request', 3);
    expect((await h.events('policy_decision', 0)).length).toBe(before);
  });
});
