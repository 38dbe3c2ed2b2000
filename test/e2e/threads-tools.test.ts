import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

const FROM = Date.parse('2026-11-21T05:00:00Z');
const TO = Date.parse('2026-11-21T06:00:00Z');
/**
 * Threads and tool visibility over the real OTLP path: the http-json and http-protobuf captures (one prompt each:
 * 2 API requests of 123/45/89/67 tokens, one Bash tool_result) and two scenario captures (a hook rejecting Bash,
 * an MCP call without detail flags).
 */

/** The prompts of the captures: http-json, http-protobuf, hook-block-exit2 and mcp-without-detail-flags. */
const PROMPT = '837ac56d-2ed4-415f-b2a0-8a3ff1a4322d';
const PROTO_PROMPT = 'b82e1675-940b-4fc9-bdd9-f9f2f6af567e';
const HOOK_PROMPT = 'adafbe85-c466-43a6-b051-3e5f9ce351e0';
const MCP_PROMPT = 'c5732dcd-cfee-4c0a-beb2-7b84f2d5c16e';

/**
 * A second, synthetic prompt an hour later, built on the captured resource and record shape, for what the captures
 * lack: a failed tool, a user decision, an MCP tool named in full, a skill, a subagent, a compaction, an API error.
 */
const SYN_PROMPT = 'syn-prompt-1';
const SYN_FROM = Date.parse('2026-11-21T07:00:00Z');
const SYN_TO = Date.parse('2026-11-21T08:00:00Z');
type Attr = { key: string; value: Record<string, unknown> };
function synthetic(): unknown {
  const doc = structuredClone(fixtureJson('otlp/http-json/logs.json')) as {
    resourceLogs: { scopeLogs: { logRecords: { attributes: Attr[] }[] }[] }[];
  };
  const scope = doc.resourceLogs[0]!.scopeLogs[0]!;
  const template = scope.logRecords.find((r) => r.attributes.some((a) => a.value.stringValue === 'tool_result'))!;
  const keep = template.attributes.filter((a) =>
    ['department', 'team.id', 'cost_center', 'user.id', 'terminal.type'].includes(a.key),
  );
  const records = [
    ['user_prompt', {}],
    ['tool_decision', { tool_name: 'Edit', decision: 'accept', source: 'user_temporary' }],
    ['tool_result', { tool_name: 'Edit', success: 'false', error: 'file not found', duration_ms: '40' }],
    ['tool_result', { tool_name: 'mcp__github__create_issue', success: 'true', duration_ms: '100' }],
    ['skill_activated', { 'skill.name': 'pdf' }],
    ['subagent_completed', { agent_type: 'Explore', duration_ms: '500' }],
    ['compaction', {}],
    ['api_error', { model: 'claude-opus-5-5', error: 'overloaded', status_code: '529', duration_ms: '7' }],
  ] as const;
  scope.logRecords = records.map(([name, extra], i) => {
    const ns = String(BigInt(SYN_FROM + 1_000 + i * 10) * 1_000_000n);
    return {
      ...template,
      timeUnixNano: ns,
      observedTimeUnixNano: ns,
      body: { stringValue: `claude_code.${name}` },
      attributes: [
        ...keep,
        { key: 'session.id', value: { stringValue: 'syn-session-1' } },
        { key: 'event.name', value: { stringValue: name } },
        { key: 'event.sequence', value: { intValue: i } },
        { key: 'prompt.id', value: { stringValue: SYN_PROMPT } },
        ...Object.entries(extra).map(([key, v]) => ({ key, value: { stringValue: v } })),
      ],
    };
  });
  return doc;
}

interface Step {
  kind: string;
  sequence: number | null;
  offset_ms: number;
  duration_ms: number | null;
  model?: string | null;
  tokens?: unknown;
  cost_usd_estimate?: number | null;
  tool?: string | null;
}
interface Thread {
  prompt_id: string;
  person_id: string | null;
  session_id: string | null;
  people: string[];
  sessions: string[];
  started: string;
  ended: string;
  totals: { tool_calls: number; api_requests: number } & Record<string, unknown>;
  steps: Step[];
  truncated: boolean;
}
interface ThreadList {
  items: ({ prompt_id: string; person_id: string } & Record<string, unknown>)[];
  next_cursor: string | null;
  content_note: string;
}
interface Stats {
  name: string | null;
  calls: number;
  people: number;
}
interface Tools {
  method: string;
  totals: unknown;
  builtin_tools: unknown[];
  mcp_servers: unknown[];
  skills: Stats[];
  plugins: Stats[];
  subagents: unknown[];
}

describe.each(engines)('threads and tools on %s', (dialect) => {
  let t: TestSteward;
  const get = <T>(path: string): Promise<T> => t.getJson<T>(path);

  beforeAll(async () => {
    t = await startTestSteward({ dialect });
    await t.sendCaptures();
    expect((await t.postOtlp('logs', synthetic())).status).toBe(200);
    for (const f of ['hook-block-exit2-logs', 'mcp-without-detail-flags-logs']) {
      const res = await t.postOtlp('logs', fixtureJson(`otlp/scenarios/${f}.json`));
      expect(res.status).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await t.stop();
  });

  it('shows one prompt as an ordered thread with exact requests, tool decision and result, and totals', async () => {
    const th = await get<Thread>(`/api/v1/threads/${PROMPT}?at=2026-11-21T05:15:33Z`);
    expect(th.prompt_id).toBe(PROMPT);
    expect(th.started).toBe('2026-11-21T05:15:32.765Z');
    expect(th.ended).toBe('2026-11-21T05:15:33.129Z');
    expect(th.totals).toEqual({
      events: 17,
      api_requests: 2,
      tokens: { input: 246, output: 90, cache_read: 178, cache_write: 134 },
      cost_usd_estimate: 0.00349,
      tool_calls: 1,
      errors: 0,
      wall_time_ms: 364,
    });
    expect(th.sessions).toEqual([th.session_id]);
    expect(th.people).toEqual([th.person_id]);
    // In order: time, then sequence (the capture's event.sequence 38…54).
    expect(th.steps.map((s) => s.sequence)).toEqual(Array.from({ length: 17 }, (_, i) => 38 + i));
    expect(th.steps[0]).toMatchObject({ kind: 'prompt', name: 'user_prompt', offset_ms: 0 });
    const requests = th.steps.filter((s) => s.kind === 'api_request');
    expect(requests).toHaveLength(2);
    for (const r of requests) {
      expect(r.model).toBe('claude-opus-5-5');
      expect(r.tokens).toEqual({ input: 123, output: 45, cache_read: 89, cache_write: 67 });
      expect(r.cost_usd_estimate).toBe(0.001745);
    }
    expect(requests.map((r) => r.duration_ms)).toEqual([59, 36]);
    expect(th.steps.filter((s) => s.kind === 'response')).toHaveLength(2);
    expect(th.steps.filter((s) => s.kind === 'tool_decision')).toEqual([
      expect.objectContaining({ tool: 'Bash', decision: 'accept', decision_source: 'config', offset_ms: 186 }),
    ]);
    expect(th.steps.filter((s) => s.kind === 'tool_result')).toEqual([
      expect.objectContaining({ tool: 'Bash', success: true, error: null, duration_ms: 21, offset_ms: 208 }),
    ]);
    expect(th.truncated).toBe(false);
  });

  it('shows a hook rejection and an MCP call with their decision sources', async () => {
    const blocked = await get<Thread>(`/api/v1/threads/${HOOK_PROMPT}?at=${FROM}`);
    expect(blocked.steps.filter((s) => s.kind === 'tool_decision')).toEqual([
      expect.objectContaining({ tool: 'Bash', decision: 'reject', decision_source: 'hook' }),
    ]);
    expect(blocked.totals.tool_calls).toBe(0);
    expect(blocked.totals.api_requests).toBe(2);
    const mcp = await get<Thread>(`/api/v1/threads/${MCP_PROMPT}?at=${TO}`);
    expect(mcp.steps.filter((s) => s.kind === 'tool_result')).toEqual([
      expect.objectContaining({ tool: 'mcp_tool', success: true, duration_ms: 11 }),
    ]);
    expect((await t.api('/api/v1/threads/no-such-prompt', { role: 'analyst' })).status).toBe(404);
    // Found only near `at`: a day later the bounded lookup does not reach it.
    const far = await t.api(`/api/v1/threads/${MCP_PROMPT}?at=${TO + 86_400_000}`, { role: 'analyst' });
    expect(far.status).toBe(404);
  });

  it('searches threads in a window with filters, newest first, keyset paginated', async () => {
    const all = await get<ThreadList>(`/api/v1/threads?from=${FROM}&to=${TO}`);
    expect(all.items.map((i) => i.prompt_id)).toEqual([PROTO_PROMPT, PROMPT, MCP_PROMPT, HOOK_PROMPT]);
    expect(all.next_cursor).toBeNull();
    expect(all.content_note).toMatch(/capture/);
    // Each row links to its thread with the `at` hint that makes the lookup bounded.
    for (const item of all.items) {
      const th = await get<Thread>(item.thread_path as string);
      expect(th.prompt_id).toBe(item.prompt_id);
      expect(th.totals.events).toBe((item.counts as { events: number }).events);
    }
    const one = all.items.find((i) => i.prompt_id === PROMPT)!;
    expect(all.items.every((i) => typeof i.person_name === 'string' && i.person_name.length > 0)).toBe(true);
    expect(one).toMatchObject({
      first_time: '2026-11-21T05:15:32.765Z',
      counts: { events: 17, api_requests: 2, tool_calls: 1, errors: 0 },
      tokens: { input: 246, output: 90, cache_read: 178, cache_write: 134 },
      cost_usd_estimate: 0.00349,
    });
    const ids = async (qs: string) =>
      (await get<ThreadList>(`/api/v1/threads?from=${FROM}&to=${TO}&${qs}`)).items.map((i) => i.prompt_id);
    expect(await ids('tool=Bash')).toEqual([PROTO_PROMPT, PROMPT, HOOK_PROMPT]);
    expect(await ids('tool=mcp_tool')).toEqual([MCP_PROMPT]);
    expect(await ids('model=claude-opus-5-5')).toHaveLength(4);
    expect(await ids('model=other')).toEqual([]);
    expect(await ids(`person_id=${one.person_id}`)).toEqual([PROMPT]);
    // Content is stored redacted by default: the captures' text (nothing in it to redact) is searchable.
    expect(await ids('q=hello-from-probe')).toEqual([PROTO_PROMPT, PROMPT]);
    expect(await ids('q=no-such-words')).toEqual([]);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const p: ThreadList = await get<ThreadList>(
        `/api/v1/threads?from=${FROM}&to=${TO}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      walked.push(...p.items.map((i) => i.prompt_id));
      cursor = p.next_cursor;
    } while (cursor);
    expect(walked).toEqual(all.items.map((i) => i.prompt_id));
    expect((await t.api(`/api/v1/threads?from=0&to=${TO}`, { role: 'analyst' })).status).toBe(400);
    expect((await t.api('/api/v1/threads', { role: 'analyst' })).status).toBe(400);
  });

  it('reports tool use: built-in, MCP, plugins, with latency, people and write-capable marks', async () => {
    const r = await get<Tools>(`/api/v1/analytics/tools?from=${FROM}&to=${TO}`);
    expect(r.totals).toEqual({ calls: 3, errors: 0, error_rate: 0, latency_ms: { p50: 18, p95: 21 }, people: 3 });
    expect(r.builtin_tools).toEqual([
      {
        name: 'Bash',
        calls: 2,
        errors: 0,
        error_rate: 0,
        latency_ms: { p50: 18, p95: 21 },
        people: 2,
        write_capable: true,
      },
    ]);
    // Without OTEL_LOG_TOOL_DETAILS the MCP call names neither server nor tool.
    expect(r.mcp_servers).toEqual([
      expect.objectContaining({
        name: null,
        calls: 1,
        latency_ms: { p50: 11, p95: 11 },
        people: 1,
        tools: [expect.objectContaining({ name: null, calls: 1, write_capable: false })],
      }),
    ]);
    expect(r.plugins.map((p) => [p.name, p.calls, p.people])).toEqual([
      ['cc-plugin-agents-md', 4, 4],
      ['cc-plugin-plugin-authoring', 4, 4],
      ['cc-plugin-privacy', 4, 4],
    ]);
    expect(r.skills).toEqual([]);
    expect(r.subagents).toEqual([]);
    expect(r.method).toMatch(/two significant digits/);
    expect((await t.api(`/api/v1/analytics/tools?from=0&to=${TO}`, { role: 'analyst' })).status).toBe(400);
  });

  it('shows failures, user decisions, subagents, compactions and API errors in a thread', async () => {
    const th = await get<Thread>(`/api/v1/threads/${SYN_PROMPT}?at=${SYN_FROM}`);
    expect(th.steps.map((s) => s.kind)).toEqual([
      'prompt',
      'tool_decision',
      'tool_result',
      'tool_result',
      'skill_activated',
      'subagent',
      'compaction',
      'api_error',
    ]);
    expect(th.steps[1]).toMatchObject({ tool: 'Edit', decision: 'accept', decision_source: 'user_temporary' });
    expect(th.steps[2]).toMatchObject({ tool: 'Edit', success: false, error: 'file not found', duration_ms: 40 });
    expect(th.steps[5]).toMatchObject({ agent: 'Explore', duration_ms: 500 });
    expect(th.steps[7]).toMatchObject({ error: 'overloaded' });
    expect(th.totals).toMatchObject({ tool_calls: 2, errors: 2, api_requests: 0, wall_time_ms: 70 });
    const list = await get<ThreadList>(`/api/v1/threads?from=${SYN_FROM}&to=${SYN_TO}&tool=Edit`);
    expect(list.items.map((i) => [i.prompt_id, i.counts])).toEqual([
      [SYN_PROMPT, { events: 8, api_requests: 0, tool_calls: 2, errors: 2 }],
    ]);
  });

  it('reports error rates, MCP tools named in full, skills and subagents', async () => {
    const r = await get<Tools>(`/api/v1/analytics/tools?from=${SYN_FROM}&to=${SYN_TO}`);
    expect(r.totals).toEqual({ calls: 2, errors: 1, error_rate: 0.5, latency_ms: { p50: 40, p95: 100 }, people: 1 });
    expect(r.builtin_tools).toEqual([
      {
        name: 'Edit',
        calls: 1,
        errors: 1,
        error_rate: 1,
        latency_ms: { p50: 40, p95: 40 },
        people: 1,
        write_capable: true,
      },
    ]);
    expect(r.mcp_servers).toEqual([
      expect.objectContaining({
        name: 'github',
        calls: 1,
        write_capable: true,
        tools: [expect.objectContaining({ name: 'create_issue', calls: 1, write_capable: true })],
      }),
    ]);
    expect(r.skills.map((x) => [x.name, x.calls, x.people])).toEqual([['pdf', 1, 1]]);
    expect(r.subagents).toEqual([
      { name: 'Explore', calls: 1, errors: 0, error_rate: 0, latency_ms: { p50: 500, p95: 500 }, people: 1 },
    ]);
  });
});
