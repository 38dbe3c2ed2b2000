import { describe, expect, it } from 'vitest';
import { fixtureBytes, fixtureJson } from '../../../test/support/fixtures.js';
import { decodeTraceRequest } from '../otlp/protobuf.js';
import type { NormaliseOptions } from './normalise-logs.js';
import { normaliseTraces } from './normalise-traces.js';

const opts: NormaliseOptions = { capture: 'off', limits: { maxValueBytes: 65536 }, now: () => 0 };

function spanBody(
  service: string,
  spans: { name: string; attrs: Record<string, string | number>; events?: unknown[]; status?: number }[],
) {
  const kv = (o: Record<string, string | number>) =>
    Object.entries(o).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: v } : { stringValue: v } }));
  return {
    resourceSpans: [
      {
        resource: { attributes: kv({ 'service.name': service }) },
        scopeSpans: [
          {
            spans: spans.map((s, i) => ({
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: `b7ad6b71692033${String(i).padStart(2, '0')}`,
              name: s.name,
              startTimeUnixNano: '1790000000000000000',
              endTimeUnixNano: '1790000000250000000',
              attributes: kv(s.attrs),
              events: s.events ?? [],
              status: { code: s.status ?? 0 },
            })),
          },
        ],
      },
    ],
  };
}

describe('normaliseTraces', () => {
  it('keeps Claude Code beta spans as span events without counting their tokens', () => {
    const batch = normaliseTraces(fixtureJson('otlp/http-json/traces.json'), opts);
    expect(batch.rejected).toBe(0);
    const names = new Set(batch.events.map((e) => e.name));
    expect(names).toContain('claude_code.interaction');
    expect(names).toContain('claude_code.llm_request');
    expect(batch.events.every((e) => e.kind === 'span' && e.inputTokens === null)).toBe(true);
    expect(batch.events.find((e) => e.name === 'claude_code.interaction')?.attrs['user_prompt']).toBeUndefined();
  });

  it('decodes the protobuf trace capture to the same spans as its JSON rendering', () => {
    const a = normaliseTraces(decodeTraceRequest(fixtureBytes('otlp/http-protobuf/traces.bin')), opts);
    const b = normaliseTraces(fixtureJson('otlp/http-protobuf/traces.decoded.json'), opts);
    expect(a.events.map((e) => [e.dedupeKey, e.time, e.durationMs])).toEqual(
      b.events.map((e) => [e.dedupeKey, e.time, e.durationMs]),
    );
  });

  it('turns GenAI semconv chat spans into api_request usage, deriving non-cached input (old and new names)', () => {
    const batch = normaliseTraces(
      spanBody('my-agent', [
        {
          name: 'chat claude-sonnet-5',
          attrs: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'claude-sonnet-5',
            'gen_ai.usage.input_tokens': 1000,
            'gen_ai.usage.output_tokens': 50,
            'gen_ai.usage.cache_read.input_tokens': 600,
            'gen_ai.usage.cache_creation.input_tokens': 100,
            'gen_ai.conversation.id': 'conv-1',
          },
        },
        {
          name: 'chat x',
          attrs: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.usage.prompt_tokens': 10,
            'gen_ai.usage.completion_tokens': 3,
            'gen_ai.usage.cache_write.input_tokens': 4,
          },
        },
        {
          name: 'execute_tool search',
          attrs: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'search',
            'gen_ai.tool.call.id': 'call-1',
          },
          status: 2,
        },
      ]),
      opts,
    );
    expect(batch.events[0]).toMatchObject({
      kind: 'api_request',
      surface: 'api',
      sessionId: 'conv-1',
      inputTokens: 300,
      outputTokens: 50,
      cacheReadTokens: 600,
      cacheWriteTokens: 100,
      durationMs: 250,
    });
    expect(batch.events[1]).toMatchObject({ inputTokens: 6, outputTokens: 3, cacheWriteTokens: 4 });
    expect(batch.events[2]).toMatchObject({ kind: 'tool_result', tool: 'search', toolUseId: 'call-1', success: false });
  });

  it('turns Office agent token span events into api_request usage', () => {
    const batch = normaliseTraces(
      spanBody('office-agent', [
        {
          name: 'agent.query',
          attrs: {},
          events: [
            {
              name: 'office_agent.token.usage',
              timeUnixNano: '1790000000100000000',
              attributes: [
                { key: 'token_usage.type', value: { stringValue: 'input' } },
                { key: 'token_usage.model', value: { stringValue: 'claude-opus-5' } },
                { key: 'token_usage.token_count', value: { intValue: 77 } },
              ],
            },
          ],
        },
      ]),
      opts,
    );
    expect(batch.events.map((e) => [e.surface, e.kind])).toEqual([
      ['office', 'span'],
      ['office', 'api_request'],
    ]);
    expect(batch.events[1]).toMatchObject({ model: 'claude-opus-5', inputTokens: 77 });
  });

  it('rejects spans without ids or start time', () => {
    const batch = normaliseTraces({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }, 3] }] }] }, opts);
    expect(batch.rejected).toBe(2);
    expect(batch.events).toHaveLength(0);
  });
});
