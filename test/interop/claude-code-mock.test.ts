import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  MOCK_FINAL_TEXT,
  MOCK_USAGE,
  startMockMessagesApi,
  type MockMessagesApi,
} from '../support/claude-code/mock-messages-api.js';
import { ensureClaudeCode, runClaude } from '../support/claude-code/run-claude.js';
import { claudeTelemetryEnv } from '../support/claude-code/telemetry-env.js';

/**
 * Proves the harness that drives the real Claude Code CLI (2.1.329): the scripted Messages API mock gets the two-turn
 * Bash conversation, and telemetry actually leaves the process. Steward itself is exercised in claude-code-telemetry.test.ts.
 */

const PROMPT = 'please run the hello command';

interface SinkRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Throwaway OTLP/HTTP JSON receiver; answers `{}` (an empty Export*ServiceResponse) to every POST. */
async function startOtlpJsonSink(): Promise<{ url: string; requests: SinkRequest[]; close(): Promise<void> }> {
  const requests: SinkRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = raw.toString('utf8');
      }
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type OtlpAttr = { key: string; value: Record<string, unknown> };
type OtlpLogsBody = {
  resourceLogs?: Array<{ scopeLogs?: Array<{ logRecords?: Array<{ attributes?: OtlpAttr[] }> }> }>;
};

/** Flattens OTLP/JSON log records into plain attribute maps (first value field of each AnyValue). */
function logRecords(body: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const rl of (body as OtlpLogsBody).resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const rec of sl.logRecords ?? []) {
        out.push(Object.fromEntries((rec.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]])));
      }
    }
  }
  return out;
}

describe('real Claude Code CLI against the mock Messages API', () => {
  let api: MockMessagesApi | undefined;

  beforeAll(async () => {
    await ensureClaudeCode();
  }, 600_000);

  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('runs the two-turn Bash conversation with telemetry off', { timeout: 120_000 }, async () => {
    api = await startMockMessagesApi();
    const run = await runClaude({ prompt: PROMPT, env: { ANTHROPIC_BASE_URL: api.url } });

    expect(run.exitCode, run.stderr).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v1/messages?beta=true',
      'POST /v1/messages?beta=true',
    ]);
    const [turn1, turn2] = api.requests;
    expect(turn1?.headers['x-api-key']).toBe('sk-ant-test-000');
    expect(JSON.stringify(turn1?.body?.messages)).toContain(PROMPT);
    const toolResults = (turn2?.body?.messages ?? [])
      .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
      .filter((block) => block.type === 'tool_result');
    expect(toolResults).toHaveLength(1);
    expect(JSON.stringify(toolResults[0]?.content)).toContain('hello-from-steward');
    expect(toolResults[0]?.tool_use_id).toBe('toolu_mock_1');

    const result = run.json as {
      result?: string;
      is_error?: boolean;
      num_turns?: number;
      usage?: Record<string, number>;
    };
    expect(result.is_error).toBe(false);
    expect(result.result).toContain(MOCK_FINAL_TEXT);
    expect(result.num_turns).toBe(2);
    // Two API calls, each reporting the mock's fixed usage.
    expect(result.usage?.input_tokens).toBe(2 * MOCK_USAGE.input_tokens);
    expect(result.usage?.output_tokens).toBe(2 * MOCK_USAGE.output_tokens);
  });

  it('exports OTLP/HTTP JSON logs and metrics with the configured auth header', { timeout: 120_000 }, async () => {
    api = await startMockMessagesApi();
    const sink = await startOtlpJsonSink();
    try {
      const run = await runClaude({
        prompt: PROMPT,
        env: { ANTHROPIC_BASE_URL: api.url, ...claudeTelemetryEnv(sink.url, 'test-token', 'http/json') },
      });
      expect(run.exitCode, run.stderr).toBe(0);

      const logs = sink.requests.filter((r) => r.path === '/v1/logs');
      const metrics = sink.requests.filter((r) => r.path === '/v1/metrics');
      expect(logs.length).toBeGreaterThan(0);
      expect(metrics.length).toBeGreaterThan(0);
      for (const r of sink.requests) {
        expect(r.headers.authorization).toBe('Bearer test-token');
        expect(r.headers['content-type']).toContain('application/json');
      }

      const records = logs.flatMap((r) => logRecords(r.body));
      const names = new Set(records.map((a) => a['event.name']));
      for (const name of ['user_prompt', 'api_request', 'tool_decision', 'tool_result']) expect(names).toContain(name);

      // The mock's request-id and usage come back on api_request (claude-code-observed.md §2 "Correlation", §3.1).
      const apiRequests = records.filter((a) => a['event.name'] === 'api_request');
      expect(apiRequests.map((a) => a.request_id).sort()).toEqual(['req_mock_1', 'req_mock_2']);
      expect(apiRequests[0]).toMatchObject({
        input_tokens: MOCK_USAGE.input_tokens,
        output_tokens: MOCK_USAGE.output_tokens,
        cache_read_tokens: MOCK_USAGE.cache_read_input_tokens,
        cache_creation_tokens: MOCK_USAGE.cache_creation_input_tokens,
        department: 'finance',
        'team.id': 'close',
        cost_center: 'fin-001',
      });
    } finally {
      await sink.close();
    }
  });
});
