import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../../test/support/fixtures.js';
import { readMessagesBody } from './messages-body.js';

/** The structural reader must see what JSON.parse sees: the same fields, the same newest turn. */
function reference(text: string) {
  const o = JSON.parse(text) as { model: string; messages: { role: string }[]; stream?: boolean; max_tokens?: number };
  let start = 0;
  for (let i = o.messages.length - 1; i >= 0; i--) {
    if (o.messages[i]?.role === 'assistant') {
      start = i + 1;
      break;
    }
  }
  return {
    model: o.model,
    stream: o.stream === true,
    maxTokens: o.max_tokens ?? 0,
    turnStart: start,
    turn: o.messages.slice(start),
    messageCount: o.messages.length,
  };
}

function read(text: string) {
  const r = readMessagesBody(Buffer.from(text, 'utf8'));
  if (!r.ok) throw new Error(r.error.message);
  const { model, stream, maxTokens, turnStart, turn, messageCount } = r.body;
  return { model, stream, maxTokens, turnStart, turn, messageCount };
}

describe('readMessagesBody', () => {
  it('reads the real Claude Code requests as JSON.parse does, indented or not', () => {
    for (const file of [
      'turn1-request.json',
      'turn2-request-with-tool_result.json',
      'nonstreaming-fallback-request.json',
    ]) {
      const body = (fixtureJson(`api/${file}`) as { body: unknown }).body;
      for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2)]) {
        expect(read(text), file).toEqual(reference(text));
      }
    }
  });

  it('agrees with JSON.parse on escapes, duplicate keys and odd spacing', () => {
    const text =
      ' {"model":"x","messages":[{"role":"assistant","content":"a \\"}] \\\\"},\n' +
      '{"role":"user","content":[{"type":"text","text":"q\\\\"}]}],' +
      ' "m\\u006fdel" : "claude-sonnet-5" , "stream":true,"max_tokens":12 } ';
    expect(read(text)).toEqual(reference(text));
  });

  it('agrees with JSON.parse on generated conversations', () => {
    const message = fc.record({
      role: fc.constantFrom('user', 'assistant', 'system'),
      content: fc.oneof(fc.string(), fc.array(fc.record({ type: fc.constant('text'), text: fc.string() }))),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), fc.jsonValue(), (messages, extra) => {
        const text = JSON.stringify({ extra, model: 'm', messages, stream: false });
        expect(read(text)).toEqual(reference(text));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('replaces only the newest turn when redacting; every other byte stays', () => {
    const text =
      '{"model":"m",  "messages":[{"role":"user","content":"a"} , {"role":"assistant","content":"b"},{"role":"user","content":"SECRET"}],"z":1}';
    const r = readMessagesBody(Buffer.from(text));
    if (!r.ok) throw new Error();
    const out = r.body.withTurn([{ role: 'user', content: '[REDACTED]' }]).toString();
    expect(out).toBe(text.replace('{"role":"user","content":"SECRET"}', '{"role":"user","content":"[REDACTED]"}'));
  });

  it('refuses what is not a JSON object with model and messages, naming the problem', () => {
    const bad: [string, RegExp][] = [
      ['model=claude', /not valid JSON/],
      ['{"model":"m","messages":[]', /not valid JSON/],
      ['{"model":"m","messages":[]} x', /not valid JSON/],
      ['{"model":"m" "messages":[]}', /not valid JSON/],
      ['[1]', /must be a JSON object/],
      ['{"messages":[]}', /^model: /],
      ['{"model":"m","messages":{}}', /^messages: /],
      ['{"model":"m","messages":[],"stream":"yes"}', /^stream: /],
      ['{"model":"m","messages":[],"max_tokens":-1}', /^max_tokens: /],
    ];
    for (const [text, message] of bad) {
      const r = readMessagesBody(Buffer.from(text));
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.error.message, text).toMatch(message);
    }
  });
});
