import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_USAGE, startMockMessagesApi, type MockMessagesApi } from '../support/claude-code/mock-messages-api.js';
import {
  CLAUDE_CODE_VERSION,
  ensureClaudeCode,
  runClaude,
  type RunClaudeResult,
} from '../support/claude-code/run-claude.js';
import { claudeTelemetryEnv, type ClaudeOtlpProtocol } from '../support/claude-code/telemetry-env.js';
import { startTestSteward, waitFor, type TestSteward } from '../support/steward.js';

/**
 * The real Claude Code CLI (2.1.329) → Steward, end to end: the CLI talks to the scripted Messages API mock (one
 * Bash tool call, two API requests) and exports its telemetry to a real Steward over each OTLP transport, with
 * OTEL_RESOURCE_ATTRIBUTES=department=finance,team.id=close,cost_center=fin-001 (claude-code-observed.md §3).
 * Everything is asserted through the REST API, as an operator would see it.
 */

const PROMPT = 'please run the hello command';
/**
 * A collector answering 503 delays the CLI's exit by a retry and then drops the data (observed §3.4). Rather than
 * time the run (these machines are shared; timing belongs in bench/), each run checks that Steward refused no
 * export: `steward_ingest_rejects_total` has no sample.
 */
async function ingestRejects(steward: TestSteward): Promise<string[]> {
  const res = await steward.api('/metrics');
  expect(res.status).toBe(200);
  return (await res.text()).split('\n').filter((l) => l.startsWith('steward_ingest_rejects_total{'));
}

interface ApiEvent {
  kind: string;
  name: string;
  sequence: number | null;
  prompt_id: string | null;
  person_id: string | null;
  session_id: string | null;
  model: string | null;
  tool: string | null;
  decision: string | null;
  decision_source: string | null;
  success: boolean | null;
  request_id: string | null;
  tokens: { input: number; output: number; cache_read: number; cache_write: number } | null;
  cost_usd_estimate: number | null;
  department: string | null;
  team: string | null;
}

interface ApiSession {
  id: string;
  person_id: string | null;
  surface: string;
  service_name: string | null;
  app_version: string | null;
  department: string | null;
  team: string | null;
  counts: { events: number; prompts: number; api_requests: number; tool_calls: number };
  tokens: { input: number; output: number; cache_read: number; cache_write: number };
  cost_usd_estimate: number | null;
}

interface ApiPerson {
  id: string;
  email: string | null;
  department: string | null;
  team: string | null;
  cost_center: string | null;
}

interface SessionDetail {
  session: ApiSession;
  timeline: Array<{ prompt_id: string | null; events: ApiEvent[] }>;
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${res.url}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The device id Claude Code keeps in $HOME/.claude.json and reports as OTel `user.id` (observed §3). */
async function deviceId(home: string): Promise<string> {
  const state = JSON.parse(await readFile(join(home, '.claude.json'), 'utf8')) as { userID?: unknown };
  expect(state.userID).toMatch(/^[0-9a-f]{64}$/);
  return state.userID as string;
}

/** The `session_id` of the `--output-format json` result object. */
function runSessionId(result: RunClaudeResult): string {
  const id = (result.json as { session_id?: unknown } | undefined)?.session_id;
  expect(id, result.stdout).toMatch(/^[0-9a-f-]{36}$/);
  return id as string;
}

/** The prompt ids in the session's transcript ($HOME/.claude/projects/<cwd>/<session>.jsonl): an independent
 *  record of the `prompt.id` the CLI put on its telemetry. */
async function transcriptPromptIds(home: string, sessionId: string): Promise<string[]> {
  const files = (await readdir(join(home, '.claude', 'projects'), { recursive: true })).filter((f) =>
    f.endsWith(`${sessionId}.jsonl`),
  );
  expect(files).toHaveLength(1);
  const text = await readFile(join(home, '.claude', 'projects', files[0]!), 'utf8');
  const ids = text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { promptId?: unknown }).promptId)
    .filter((id): id is string => typeof id === 'string');
  return [...new Set(ids)];
}

describe('real Claude Code CLI telemetry → Steward', () => {
  let t: TestSteward | undefined;
  let api: MockMessagesApi | undefined;
  const homes: string[] = [];

  beforeAll(ensureClaudeCode, 600_000);
  // One untimed run with telemetry off first: a cold start (page cache, first-run setup) can take seconds, and the
  // per-run budget below is meant to catch slow or retried exports to Steward (observed §3.4), not a cold disk.
  beforeAll(async () => {
    const mock = await startMockMessagesApi();
    try {
      await runClaude({ prompt: PROMPT, env: { ANTHROPIC_BASE_URL: mock.url } });
    } finally {
      await mock.close();
    }
  }, 120_000);

  afterEach(async () => {
    await Promise.allSettled([api?.close(), t?.stop()]);
    await Promise.all(homes.splice(0).map((h) => rm(h, { recursive: true, force: true })));
    api = undefined;
    t = undefined;
  });

  async function setup(): Promise<{ t: TestSteward; api: MockMessagesApi }> {
    t = await startTestSteward();
    api = await startMockMessagesApi();
    return { t, api };
  }

  async function newHome(): Promise<string> {
    const home = await mkdtemp(join(tmpdir(), 'steward-cc-home-'));
    homes.push(home);
    return home;
  }

  async function run(
    steward: TestSteward,
    mock: MockMessagesApi,
    protocol: ClaudeOtlpProtocol,
    home: string,
    opts: { traces?: boolean } = {},
  ): Promise<RunClaudeResult> {
    const endpoint = protocol === 'grpc' ? steward.grpcUrl : steward.url;
    const result = await runClaude({
      prompt: PROMPT,
      home,
      env: { ANTHROPIC_BASE_URL: mock.url, ...claudeTelemetryEnv(endpoint, steward.tokens.ingest, protocol, opts) },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await ingestRejects(steward), 'OTLP exports Steward refused during the run').toEqual([]);
    return result;
  }

  /** The CLI exports once at exit and Steward acknowledges only after commit; waitFor covers scheduling slack. */
  async function sessions(steward: TestSteward, count: number): Promise<ApiSession[]> {
    return waitFor(async () => {
      const page = await json<{ items: ApiSession[] }>(await steward.api('/api/v1/sessions', { role: 'analyst' }));
      const done = page.items.length === count && page.items.every((s) => s.counts.api_requests === 2);
      return done ? page.items : undefined;
    });
  }

  async function sessionDetail(steward: TestSteward, id: string): Promise<SessionDetail> {
    return json<SessionDetail>(await steward.api(`/api/v1/sessions/${id}`, { role: 'analyst' }));
  }

  /** The one prompt group of a `-p` run, checked event by event against the mock's script. */
  function expectPromptGroup(detail: SessionDetail, personId: string, mock: MockMessagesApi): void {
    const groups = detail.timeline.filter((g) => g.prompt_id !== null);
    expect(groups).toHaveLength(1);
    const group = groups[0]!;
    const events = group.events;

    // Startup events (managed_settings_resolved, plugin_loaded) carry no prompt.id and sit in the null group.
    const startup = detail.timeline.find((g) => g.prompt_id === null);
    for (const e of startup?.events ?? []) expect(['settings', 'plugin', 'span']).toContain(e.kind);

    // Kinds, as a multiset, then the order constraints that follow from the conversation.
    expect(events.map((e) => e.kind).sort()).toEqual(
      ['prompt', 'api_request', 'api_request', 'tool_decision', 'tool_result', 'response'].sort(),
    );
    const kinds = events.map((e) => e.kind);
    expect(kinds[0]).toBe('prompt');
    expect(kinds.at(-1)).toBe('response');
    expect(kinds.indexOf('tool_decision')).toBeLessThan(kinds.indexOf('tool_result'));
    expect(kinds.lastIndexOf('api_request')).toBeGreaterThan(kinds.indexOf('tool_result'));
    // The timeline follows the CLI's own event.sequence, strictly increasing.
    const seqs = events.map((e) => e.sequence);
    for (const s of seqs) expect(typeof s).toBe('number');
    expect([...seqs].sort((a, b) => a! - b!)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);

    for (const e of events) {
      expect(e).toMatchObject({
        prompt_id: group.prompt_id,
        session_id: detail.session.id,
        person_id: personId,
        department: 'finance',
        team: 'close',
      });
    }

    const requests = events.filter((e) => e.kind === 'api_request');
    expect(requests.map((e) => e.request_id)).toEqual(mock.requests.map((r) => r.requestId));
    expect(requests.map((e) => e.request_id)).toEqual(['req_mock_1', 'req_mock_2']);
    for (const e of requests) {
      expect(e.tokens).toEqual({
        input: MOCK_USAGE.input_tokens,
        output: MOCK_USAGE.output_tokens,
        cache_read: MOCK_USAGE.cache_read_input_tokens,
        cache_write: MOCK_USAGE.cache_creation_input_tokens,
      });
      expect(e.cost_usd_estimate).toBeGreaterThan(0);
      expect(e.model).toBeTruthy();
    }
    expect(events.find((e) => e.kind === 'tool_decision')).toMatchObject({
      tool: 'Bash',
      decision: 'accept',
      decision_source: 'config',
      request_id: 'req_mock_1',
    });
    expect(events.find((e) => e.kind === 'tool_result')).toMatchObject({ tool: 'Bash', success: true });
    expect(events.find((e) => e.kind === 'response')).toMatchObject({ request_id: 'req_mock_2' });
  }

  for (const protocol of ['http/json', 'http/protobuf', 'grpc'] as const) {
    it(`${protocol}: one person, one session, and the prompt's full timeline`, { timeout: 60_000 }, async () => {
      const { t: steward, api: mock } = await setup();
      const home = await newHome();
      const result = await run(steward, mock, protocol, home);
      const device = await deviceId(home);
      const sessionId = runSessionId(result);

      const [session] = await sessions(steward, 1);
      expect(session!.id).toBe(sessionId);
      const people = await json<{ items: ApiPerson[] }>(await steward.api('/api/v1/people', { role: 'analyst' }));
      expect(people.items).toHaveLength(1);
      const person = people.items[0]!;
      // No user.email without a login (API-key auth); the resource attributes give department/team/cost center.
      expect(person).toMatchObject({ department: 'finance', team: 'close', cost_center: 'fin-001' });
      const filtered = await json<{ items: ApiPerson[] }>(
        await steward.api('/api/v1/people?department=finance&team=close', { role: 'analyst' }),
      );
      expect(filtered.items.map((p) => p.id)).toEqual([person.id]);

      expect(session).toMatchObject({
        person_id: person.id,
        surface: 'claude_code',
        service_name: 'claude-code',
        app_version: CLAUDE_CODE_VERSION,
        department: 'finance',
        team: 'close',
        counts: { prompts: 1, api_requests: 2, tool_calls: 1 },
        tokens: {
          input: 2 * MOCK_USAGE.input_tokens,
          output: 2 * MOCK_USAGE.output_tokens,
          cache_read: 2 * MOCK_USAGE.cache_read_input_tokens,
          cache_write: 2 * MOCK_USAGE.cache_creation_input_tokens,
        },
      });
      // The CLI's own cost figure for the run (its result object) is what the session adds up to.
      const cliCost = (result.json as { total_cost_usd: number }).total_cost_usd;
      expect(session!.cost_usd_estimate).toBeGreaterThan(0);
      expect(session!.cost_usd_estimate).toBeCloseTo(cliCost, 5);

      const detail = await sessionDetail(steward, session!.id);
      expectPromptGroup(detail, person.id, mock);
      const group = detail.timeline.find((g) => g.prompt_id !== null)!;
      expect([group.prompt_id]).toEqual(await transcriptPromptIds(home, sessionId));

      const full = await json<{ aliases: Array<{ kind: string; value: string }> }>(
        await steward.api(`/api/v1/people/${person.id}`, { role: 'analyst' }),
      );
      expect(full.aliases).toContainEqual({ kind: 'user.id', value: device });
    });
  }

  it('with traces on: span events arrive and do not double the session tokens', { timeout: 60_000 }, async () => {
    const { t: steward, api: mock } = await setup();
    const result = await run(steward, mock, 'http/json', await newHome(), { traces: true });

    const [session] = await sessions(steward, 1);
    expect(session!.id).toBe(runSessionId(result));
    const detail = await sessionDetail(steward, session!.id);
    const all = detail.timeline.flatMap((g) => g.events);
    const spans = all.filter((e) => e.kind === 'span');
    const names = spans.map((e) => e.name);
    expect(names).toContain('claude_code.interaction');
    // One llm_request span per API call (observed §3.3), itself carrying the tokens Steward must not count again.
    expect(names.filter((n) => n === 'claude_code.llm_request')).toHaveLength(2);
    for (const s of spans) {
      expect(s.session_id).toBe(session!.id);
      expect(s.tokens).toBeNull();
    }

    // Neither the llm_request spans nor the execute_tool span count as API requests or tool calls again.
    expect(session!.counts).toMatchObject({ prompts: 1, api_requests: 2, tool_calls: 1 });
    expect(session!.tokens.input).toBe(2 * MOCK_USAGE.input_tokens);
    expect(session!.tokens).toEqual({
      input: 246,
      output: 2 * MOCK_USAGE.output_tokens,
      cache_read: 2 * MOCK_USAGE.cache_read_input_tokens,
      cache_write: 2 * MOCK_USAGE.cache_creation_input_tokens,
    });
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const usage = await json<{ totals: { requests: number; tokens: { input: number } } }>(
      await steward.api(`/api/v1/usage/summary?from=${from}&to=${to}&group_by=model`, { role: 'analyst' }),
    );
    expect(usage.totals).toMatchObject({ requests: 2, tokens: { input: 246 } });
    // The log events are all still there and grouped as without traces.
    expectPromptGroup(detail, session!.person_id!, mock);
  });

  it('two runs in the same HOME (same device id): one person with two sessions', { timeout: 60_000 }, async () => {
    const { t: steward, api: mock } = await setup();
    const home = await newHome();
    const run1 = await run(steward, mock, 'http/json', home);
    const first = await deviceId(home);
    const run2 = await run(steward, mock, 'http/json', home);
    expect(await deviceId(home)).toBe(first);
    const ids = [runSessionId(run1), runSessionId(run2)];
    expect(ids[0]).not.toBe(ids[1]);

    const both = await sessions(steward, 2);
    expect(both.map((s) => s.id).sort()).toEqual([...ids].sort());
    const people = await json<{ items: ApiPerson[] }>(await steward.api('/api/v1/people', { role: 'analyst' }));
    expect(people.items).toHaveLength(1);
    const person = people.items[0]!;
    for (const s of both) expect(s.person_id).toBe(person.id);

    const full = await json<{
      aliases: Array<{ kind: string; value: string }>;
      recent_sessions: Array<{ id: string }>;
    }>(await steward.api(`/api/v1/people/${person.id}`, { role: 'analyst' }));
    expect(full.aliases).toContainEqual({ kind: 'user.id', value: first });
    expect(full.recent_sessions.map((s) => s.id).sort()).toEqual(both.map((s) => s.id).sort());
    const status = await json<{ people: number; sessions: number }>(
      await steward.api('/api/v1/status', { role: 'analyst' }),
    );
    expect(status).toMatchObject({ people: 1, sessions: 2 });
  });
});
