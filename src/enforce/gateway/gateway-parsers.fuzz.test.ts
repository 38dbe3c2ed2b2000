import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../../test/support/fixtures.js';
import { readMessagesBody } from './messages-body.js';
import { SseUsageTap } from './sse-usage.js';

/**
 * The gateway's two parsers of untrusted bytes under arbitrary and mutated input: the structural reader of request
 * bodies must answer (ok or a named error) and never throw, never call valid JSON invalid, and read the model JSON.parse
 * reads; the SSE usage tap must never throw and never report negative or non-integer token counts.
 */
const REAL = Buffer.from(JSON.stringify((fixtureJson('api/turn1-request.json') as { body: unknown }).body));

/** A real request with bytes flipped, inserted, removed or the tail cut. */
const mutated = fc
  .array(
    fc.record({
      op: fc.constantFrom('flip', 'insert', 'remove', 'truncate'),
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((ops) => {
    let b = Buffer.from(REAL);
    for (const { op, at, byte } of ops) {
      const i = at % Math.max(1, b.length);
      if (op === 'flip') b[i] = byte;
      else if (op === 'insert') b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
      else if (op === 'remove') b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
      else b = b.subarray(0, i);
    }
    return b;
  });

/**
 * The reader is structural (json-scan.ts): values it skips are not validated, so a body malformed only inside such a
 * value is accepted and left to the upstream's own 400. What must hold: it never throws; valid JSON is never called
 * invalid; and when both accept, they read the same model.
 */
function checkBody(bytes: Buffer): void {
  const r = readMessagesBody(bytes);
  let parsed: { ok: true; value: unknown } | { ok: false } = { ok: false };
  try {
    parsed = { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    // invalid JSON: the reader may refuse it, or accept it when the fault is inside a value it skips
  }
  if (!r.ok) {
    expect(r.error.message.length).toBeGreaterThan(0);
    if (parsed.ok) expect(r.error.message).not.toMatch(/not valid JSON/);
    return;
  }
  if (!parsed.ok) return;
  // Where both accept, the reader reads what JSON.parse reads — also when it skipped a value it had seen before
  // (repeated-values.ts: the mutations leave most of the real request's tools and system blocks as they were).
  const o = parsed.value as { model: unknown; stream?: unknown; max_tokens?: unknown; messages: unknown[] };
  const lastAssistant = o.messages.findLastIndex(
    (m) => typeof m === 'object' && m !== null && !Array.isArray(m) && (m as { role?: unknown }).role === 'assistant',
  );
  expect({
    model: r.body.model,
    stream: r.body.stream,
    maxTokens: r.body.maxTokens,
    messageCount: r.body.messageCount,
    turn: r.body.turn,
  }).toEqual({
    model: o.model,
    stream: o.stream === true,
    maxTokens: typeof o.max_tokens === 'number' ? o.max_tokens : 0,
    messageCount: o.messages.length,
    turn: o.messages.slice(lastAssistant + 1),
  });
}

describe('gateway parsers under hostile input', () => {
  it('the request reader answers every arbitrary body without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }),
          fc.string().map((s) => Buffer.from(s)),
        ),
        (raw) => checkBody(Buffer.from(raw)),
      ),
      { numRuns: 2000 },
    );
  });

  it('the request reader answers every mutation of a real Claude Code request, consistent with JSON.parse', () => {
    expect(readMessagesBody(REAL).ok).toBe(true);
    fc.assert(fc.property(mutated, checkBody), { numRuns: 1500 });
  });

  it('the usage tap survives arbitrary chunks and keeps token counts whole and non-negative', () => {
    const line = fc.oneof(
      fc.constantFrom('event: message_start', 'event: message_delta', 'event: error', 'event: ping', '', 'data: {'),
      fc.string().map((s) => `data: ${s}`),
      fc.json().map((j) => `data: ${j}`),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.array(fc.nat(64), { maxLength: 10 }), (lines, cuts) => {
        const bytes = Buffer.from(lines.join('\n'));
        const tap = new SseUsageTap();
        let at = 0;
        for (const c of cuts) {
          tap.push(bytes.subarray(at, at + c));
          at += c;
        }
        tap.push(bytes.subarray(at));
        for (const v of Object.values(tap.usage)) {
          if (typeof v === 'number') expect(Number.isInteger(v) && v >= 0, JSON.stringify(tap.usage)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
