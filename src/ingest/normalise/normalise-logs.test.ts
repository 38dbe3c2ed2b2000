import { describe, expect, it } from 'vitest';
import { fixtureBytes, fixtureJson } from '../../../test/support/fixtures.js';
import { decodeLogsRequest } from '../otlp/protobuf.js';
import { normaliseLogs, type NormaliseOptions } from './normalise-logs.js';

const off: NormaliseOptions = { capture: 'off', limits: { maxValueBytes: 65536 }, now: () => 0 };
const full: NormaliseOptions = { ...off, capture: 'full' };

function logsBody(
  records: { body?: string; attrs: Record<string, unknown>; eventName?: string }[],
  resource: Record<string, unknown>,
) {
  const kv = (o: Record<string, unknown>) =>
    Object.entries(o).map(([key, v]) => ({
      key,
      value:
        typeof v === 'number'
          ? { intValue: v }
          : typeof v === 'boolean'
            ? { boolValue: v }
            : { stringValue: String(v) },
    }));
  return {
    resourceLogs: [
      {
        resource: { attributes: kv(resource) },
        scopeLogs: [
          {
            logRecords: records.map((r, i) => ({
              timeUnixNano: `${1_790_000_000_000 + i}000000`,
              ...(r.body ? { body: { stringValue: r.body } } : {}),
              ...(r.eventName ? { eventName: r.eventName } : {}),
              attributes: kv(r.attrs),
            })),
          },
        ],
      },
    ],
  };
}

describe('normaliseLogs', () => {
  it('maps every event of the real capture, none dropped, in sequence order', () => {
    const batch = normaliseLogs(fixtureJson('otlp/http-json/logs.json'), off);
    expect(batch.rejected).toBe(0);
    const kinds = batch.events.map((e) => e.kind);
    for (const k of [
      'prompt',
      'api_request',
      'response',
      'tool_decision',
      'tool_result',
      'hook',
      'plugin',
      'settings',
    ]) {
      expect(kinds).toContain(k);
    }
    const seq = batch.events.map((e) => e.sequence ?? -1);
    expect([...seq].sort((a, b) => a - b)).toEqual(seq);
    const api = batch.events.find((e) => e.kind === 'api_request')!;
    expect(api).toMatchObject({
      surface: 'claude_code',
      model: 'claude-opus-5-5',
      inputTokens: 123,
      outputTokens: 45,
      cacheReadTokens: 89,
      cacheWriteTokens: 67,
      department: 'finance',
      team: 'close',
    });
    expect(api.costMicros).toBeGreaterThan(0);
    expect(api.promptId).toMatch(/^[0-9a-f-]{36}$/);
    const result = batch.events.find((e) => e.kind === 'tool_result')!;
    expect(result).toMatchObject({ tool: 'Bash', success: true });
    expect(typeof result.durationMs).toBe('number'); // sent as a string by the CLI
    expect(new Set(batch.events.map((e) => e.dedupeKey)).size).toBe(batch.events.length);
  });

  it('produces identical events from the protobuf encoding of a capture and its JSON rendering', () => {
    const fromProto = normaliseLogs(decodeLogsRequest(fixtureBytes('otlp/http-protobuf/logs.bin')), off);
    const fromJson = normaliseLogs(fixtureJson('otlp/http-protobuf/logs.decoded.json'), off);
    expect(fromProto.events.length).toBeGreaterThan(10);
    expect(fromProto.events.map((e) => e.dedupeKey)).toEqual(fromJson.events.map((e) => e.dedupeKey));
    expect(fromProto.events.map((e) => [e.kind, e.time, e.inputTokens, e.costMicros, e.tool])).toEqual(
      fromJson.events.map((e) => [e.kind, e.time, e.inputTokens, e.costMicros, e.tool]),
    );
  });

  it('keeps prompt text out of storage unless capture is full', () => {
    const body = logsBody(
      [
        {
          body: 'claude_code.user_prompt',
          attrs: {
            'event.name': 'user_prompt',
            prompt: 'my secret plan',
            prompt_length: '14',
            'session.id': 's',
            'event.sequence': 1,
          },
        },
      ],
      { 'service.name': 'claude-code' },
    );
    const [meta] = normaliseLogs(body, off).events;
    expect(meta!.content).toBeNull();
    expect(JSON.stringify(meta!.attrs)).not.toContain('secret');
    expect(meta!.attrs['prompt_length']).toBe('14');
    const [kept] = normaliseLogs(body, full).events;
    expect(kept!.content).toBe('my secret plan');
  });

  it('recognises Cowork by service name or claude_cowork. prefix, and keeps unknown events as other', () => {
    const batch = normaliseLogs(
      logsBody(
        [
          {
            body: 'claude_cowork.user_prompt',
            attrs: { 'event.name': 'user_prompt', 'user.email': 'A@B.example', 'workspace.host_paths': 'x' },
          },
          {
            body: 'claude_code.tool_result',
            attrs: { 'event.name': 'claude_code.tool_result', tool_name: 'Read', success: 'false' },
          },
          { eventName: 'brand_new_event', attrs: { foo: 'bar' } },
        ],
        { 'service.name': 'cowork', 'enduser.id': 'u-1', 'process.owner': 'ann' },
      ),
      off,
    );
    expect(batch.events.map((e) => [e.surface, e.kind, e.name])).toEqual([
      ['cowork', 'prompt', 'user_prompt'],
      ['cowork', 'tool_result', 'tool_result'],
      ['cowork', 'other', 'brand_new_event'],
    ]);
    expect(batch.events[0]!.identity.email).toBe('a@b.example');
    expect(batch.events[0]!.identity.aliases.map((a) => a.kind)).toEqual(['user.email', 'enduser.id', 'process.owner']);
    expect(batch.events[1]!.success).toBe(false);
    expect(batch.events[2]!.attrs['foo']).toBe('bar');
  });

  it('reads MCP server and tool names from tool_parameters when tool details are logged', () => {
    const batch = normaliseLogs(
      logsBody(
        [
          {
            body: 'claude_code.tool_result',
            attrs: {
              'event.name': 'tool_result',
              tool_name: 'mcp_tool',
              tool_parameters: JSON.stringify({ mcp_server_name: 'probe', mcp_tool_name: 'shout' }),
            },
          },
        ],
        { 'service.name': 'claude-code' },
      ),
      off,
    );
    expect(batch.events[0]).toMatchObject({ tool: 'mcp_tool', mcpServer: 'probe', mcpTool: 'shout' });
    expect(batch.events[0]!.attrs['tool_parameters']).toBeUndefined();
  });

  it('accepts the real scenario captures (hook block, prompt block, MCP, API error)', () => {
    for (const name of [
      'hook-block-exit2-logs',
      'prompt-block-logs',
      'mcp-without-detail-flags-logs',
      'api-error-403-logs',
    ]) {
      const batch = normaliseLogs(fixtureJson(`otlp/scenarios/${name}.json`), off);
      expect(batch.rejected).toBe(0);
      expect(batch.events.length).toBeGreaterThan(0);
    }
    const err = normaliseLogs(fixtureJson('otlp/scenarios/api-error-403-logs.json'), off).events.find(
      (e) => e.kind === 'api_error',
    );
    expect(err?.attrs['status_code']).toBe(403);
    const hook = normaliseLogs(fixtureJson('otlp/scenarios/hook-block-exit2-logs.json'), off).events.find(
      (e) => e.kind === 'tool_decision',
    );
    expect(hook).toMatchObject({ decision: 'reject', decisionSource: 'hook' });
  });

  it('rejects non-object records with a partial-success count instead of failing the batch', () => {
    const batch = normaliseLogs(
      { resourceLogs: [{ scopeLogs: [{ logRecords: [null, 5, { attributes: [] }] }] }] },
      off,
    );
    expect(batch.rejected).toBe(2);
    expect(batch.events).toHaveLength(1);
    expect(batch.errors[0]).toContain('logRecords[0]');
  });
});

describe('normaliseLogs consuming its request (the decode worker)', () => {
  it('gives the same events and drops each record once read', () => {
    const request = fixtureJson('otlp/http-json/logs.json') as {
      resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[];
    };
    const expected = normaliseLogs(structuredClone(request), full);
    const consumed = normaliseLogs(request, { ...full, consume: true });
    expect(consumed).toEqual(expected);
    expect(expected.events.length).toBeGreaterThan(0);
    expect(request.resourceLogs[0]?.scopeLogs[0]?.logRecords.every((r) => r === undefined)).toBe(true);
  });
});
