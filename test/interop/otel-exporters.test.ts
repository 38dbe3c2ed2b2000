import { randomUUID } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/store/store.js';
import { startTestSteward, waitFor, type TestSteward } from '../support/steward.js';

/**
 * Interop with the stock OpenTelemetry JS exporters — the same 0.208 exporter family Claude Code ships
 * (shared/reference/claude-code-observed.md §3 "Exporter") — over all three OTLP transports. Each case emits one
 * Claude Code-shaped prompt (user_prompt → api_request → tool_decision → tool_result → api_request on a second
 * model) plus the `claude_code.token.usage` counter, then reads everything back through the REST API.
 */

type Protocol = 'http/json' | 'http/protobuf' | 'grpc';

/** `ExportResultCode` from @opentelemetry/core (not a direct dependency): 0 = SUCCESS, 1 = FAILED. */
const SUCCESS = 0;
const FAILED = 1;

interface ExportResultLike {
  code: number;
  error?: Error;
}

/**
 * SimpleLogRecordProcessor.forceFlush does not wait for exports already in flight and reports failures only to the
 * global error handler, so the exporter is wrapped to keep every result and to let the test await them.
 */
class RecordingLogExporter implements LogRecordExporter {
  readonly results: ExportResultLike[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly inner: LogRecordExporter & { forceFlush(): Promise<void> }) {}

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResultLike) => void): void {
    let done!: () => void;
    const settled = new Promise<void>((resolve) => (done = resolve));
    this.pending.add(settled);
    this.inner.export(records, (result) => {
      this.results.push(result);
      this.pending.delete(settled);
      done();
      resultCallback(result);
    });
  }

  /** Resolves once every export started so far has reported its result. */
  async settle(): Promise<ExportResultLike[]> {
    while (this.pending.size) await Promise.all([...this.pending]);
    return this.results;
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** PeriodicExportingMetricReader swallows a failed export into the global error handler; keep the result. */
class RecordingMetricExporter implements PushMetricExporter {
  readonly results: ExportResultLike[] = [];

  constructor(private readonly inner: PushMetricExporter) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResultLike) => void): void {
    this.inner.export(metrics, (result) => {
      this.results.push(result);
      resultCallback(result);
    });
  }

  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    // The reader asks its exporter which temporality to collect; the OTLP exporters answer (cumulative by default).
    return this.inner.selectAggregationTemporality?.(type) ?? AggregationTemporality.CUMULATIVE;
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

function grpcMetadata(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

function exporters(t: TestSteward, protocol: Protocol, token: string) {
  const headers = { Authorization: `Bearer ${token}` };
  const timeoutMillis = 10_000;
  switch (protocol) {
    case 'http/json':
      return {
        logs: new JsonLogExporter({ url: `${t.url}/v1/logs`, headers, timeoutMillis }),
        metrics: new JsonMetricExporter({ url: `${t.url}/v1/metrics`, headers, timeoutMillis }),
      };
    case 'http/protobuf':
      return {
        logs: new ProtoLogExporter({ url: `${t.url}/v1/logs`, headers, timeoutMillis }),
        metrics: new ProtoMetricExporter({ url: `${t.url}/v1/metrics`, headers, timeoutMillis }),
      };
    case 'grpc':
      return {
        logs: new GrpcLogExporter({ url: t.grpcUrl, metadata: grpcMetadata(token), timeoutMillis }),
        metrics: new GrpcMetricExporter({ url: t.grpcUrl, metadata: grpcMetadata(token), timeoutMillis }),
      };
  }
}

const MODEL_A = 'claude-opus-4-8';
const MODEL_B = 'claude-haiku-4-5';

/** One api_request per model; the numbers differ per field so a swapped column shows up. */
const REQUESTS = [
  { model: MODEL_A, input: 1200, output: 340, cacheRead: 5600, cacheCreation: 780, cost: 0.0421 },
  { model: MODEL_B, input: 90, output: 12, cacheRead: 0, cacheCreation: 33, cost: 0.0007 },
] as const;

interface Scenario {
  sessionId: string;
  promptId: string;
  deviceId: string;
  email: string;
  base: number;
}

function scenario(): Scenario {
  const tag = randomUUID().slice(0, 8);
  return {
    sessionId: randomUUID(),
    promptId: randomUUID(),
    // 64-hex, like Claude Code's device id (observed §3 "Common attributes").
    deviceId: (randomUUID() + randomUUID()).replace(/-/g, '').slice(0, 64),
    email: `Ada.${tag}@Example.com`,
    base: Date.now() - 60_000,
  };
}

const RESOURCE = {
  'service.name': 'claude-code',
  'service.version': '2.1.329',
  'os.type': 'linux',
  'host.arch': 'amd64',
  department: 'finance',
  'team.id': 'close',
  cost_center: 'fin-001',
};

/** Emits the prompt's log events and the token counter, flushes both, and returns the exporters' results. */
async function sendClaudeCodeTelemetry(t: TestSteward, protocol: Protocol, token: string, s: Scenario) {
  const { logs, metrics } = exporters(t, protocol, token);
  const logExporter = new RecordingLogExporter(logs);
  const metricExporter = new RecordingMetricExporter(metrics);
  const resource = resourceFromAttributes(RESOURCE);
  const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(logExporter)] });
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 })],
  });
  try {
    const logger = loggerProvider.getLogger('com.anthropic.claude_code.events', '2.1.329');
    const common = {
      'session.id': s.sessionId,
      'user.id': s.deviceId,
      'user.email': s.email,
      'terminal.type': 'non-interactive',
      department: 'finance',
      'team.id': 'close',
      cost_center: 'fin-001',
    };
    let sequence = 0;
    const emit = (name: string, attributes: Record<string, string | number | boolean>) => {
      const time = s.base + sequence * 10;
      logger.emit({
        body: `claude_code.${name}`,
        // A Date, not a number: the SDK reads numbers below performance.timeOrigin as performance-relative times.
        timestamp: new Date(time),
        observedTimestamp: new Date(time),
        attributes: {
          ...common,
          'prompt.id': s.promptId,
          'event.name': name,
          'event.timestamp': new Date(time).toISOString(),
          'event.sequence': sequence++,
          ...attributes,
        },
      });
    };
    const apiRequest = (r: (typeof REQUESTS)[number], n: number) =>
      emit('api_request', {
        model: r.model,
        input_tokens: r.input,
        output_tokens: r.output,
        cache_read_tokens: r.cacheRead,
        cache_creation_tokens: r.cacheCreation,
        cost_usd: r.cost,
        duration_ms: 850,
        request_id: `req_interop_${n}`,
        query_source: 'sdk',
      });

    emit('user_prompt', { prompt_length: '27', prompt: '<REDACTED>' });
    apiRequest(REQUESTS[0], 1);
    emit('tool_decision', {
      decision: 'accept',
      source: 'config',
      tool_name: 'Bash',
      tool_use_id: 'toolu_interop_1',
      tool_source: 'builtin',
      request_id: 'req_interop_1',
    });
    emit('tool_result', {
      tool_name: 'Bash',
      tool_use_id: 'toolu_interop_1',
      success: 'true',
      duration_ms: '12',
      request_id: 'req_interop_1',
    });
    apiRequest(REQUESTS[1], 2);

    const tokens = meterProvider
      .getMeter('com.anthropic.claude_code', '2.1.329')
      .createCounter('claude_code.token.usage', { unit: 'tokens', description: 'Number of tokens used' });
    for (const r of REQUESTS) {
      const attrs = { ...common, model: r.model, query_source: 'main' };
      tokens.add(r.input, { ...attrs, type: 'input' });
      tokens.add(r.output, { ...attrs, type: 'output' });
      tokens.add(r.cacheRead, { ...attrs, type: 'cacheRead' });
      tokens.add(r.cacheCreation, { ...attrs, type: 'cacheCreation' });
    }

    await loggerProvider.forceFlush();
    const logResults = await logExporter.settle();
    await meterProvider.forceFlush();
    return { logResults, metricResults: metricExporter.results, logCount: sequence };
  } finally {
    await Promise.allSettled([loggerProvider.shutdown(), meterProvider.shutdown()]);
  }
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

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${res.url}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function expectDelivered(t: TestSteward, s: Scenario): Promise<void> {
  // People: one person, found by email (stored lower-cased), with the resource's department/team/cost center.
  const people = await json<{ items: Array<Record<string, unknown>> }>(
    await t.api(`/api/v1/people?q=${encodeURIComponent(s.email.toLowerCase())}`, { role: 'analyst' }),
  );
  expect(people.items).toHaveLength(1);
  const person = people.items[0] as { id: string };
  expect(person).toMatchObject({
    email: s.email.toLowerCase(),
    department: 'finance',
    team: 'close',
    cost_center: 'fin-001',
  });
  const byDepartment = await json<{ items: Array<{ id: string }> }>(
    await t.api('/api/v1/people?department=finance&team=close', { role: 'analyst' }),
  );
  expect(byDepartment.items.map((p) => p.id)).toEqual([person.id]);

  const detail = await json<{
    aliases: Array<{ kind: string; value: string }>;
    recent_sessions: Array<{ id: string }>;
  }>(await t.api(`/api/v1/people/${person.id}`, { role: 'analyst' }));
  expect(detail.aliases).toEqual(
    expect.arrayContaining([
      { kind: 'user.email', value: s.email.toLowerCase() },
      { kind: 'user.id', value: s.deviceId },
    ]),
  );
  expect(detail.recent_sessions.map((x) => x.id)).toEqual([s.sessionId]);

  // Session: attributed to the person, with totals summed from the api_request events only.
  const sum = (f: (r: (typeof REQUESTS)[number]) => number) => REQUESTS.reduce((n, r) => n + f(r), 0);
  const totalCost = sum((r) => Math.round(r.cost * 1e6)) / 1e6;
  const { session, timeline } = await json<{
    session: Record<string, unknown>;
    timeline: Array<{ prompt_id: string | null; events: ApiEvent[] }>;
  }>(await t.api(`/api/v1/sessions/${s.sessionId}`, { role: 'analyst' }));
  expect(session).toMatchObject({
    id: s.sessionId,
    person_id: person.id,
    surface: 'claude_code',
    service_name: 'claude-code',
    app_version: '2.1.329',
    terminal_type: 'non-interactive',
    os_type: 'linux',
    department: 'finance',
    team: 'close',
    counts: { events: 5, prompts: 1, api_requests: 2, tool_calls: 1 },
    tokens: {
      input: sum((r) => r.input),
      output: sum((r) => r.output),
      cache_read: sum((r) => r.cacheRead),
      cache_write: sum((r) => r.cacheCreation),
    },
  });
  expect(session.cost_usd_estimate).toBeCloseTo(totalCost, 9);

  // Timeline: one prompt group, events in the client's order, every column lifted out of the attributes.
  expect(timeline).toHaveLength(1);
  const group = timeline[0]!;
  expect(group.prompt_id).toBe(s.promptId);
  expect(group.events.map((e) => [e.sequence, e.kind, e.name])).toEqual([
    [0, 'prompt', 'user_prompt'],
    [1, 'api_request', 'api_request'],
    [2, 'tool_decision', 'tool_decision'],
    [3, 'tool_result', 'tool_result'],
    [4, 'api_request', 'api_request'],
  ]);
  for (const e of group.events) {
    expect(e).toMatchObject({
      person_id: person.id,
      session_id: s.sessionId,
      prompt_id: s.promptId,
      department: 'finance',
      team: 'close',
    });
  }
  const [, req1, decision, result, req2] = group.events as [ApiEvent, ApiEvent, ApiEvent, ApiEvent, ApiEvent];
  REQUESTS.forEach((r, i) => {
    const e = [req1, req2][i]!;
    expect(e).toMatchObject({
      model: r.model,
      request_id: `req_interop_${i + 1}`,
      tokens: { input: r.input, output: r.output, cache_read: r.cacheRead, cache_write: r.cacheCreation },
    });
    expect(e.cost_usd_estimate).toBeCloseTo(r.cost, 9);
  });
  expect(decision).toMatchObject({ tool: 'Bash', decision: 'accept', decision_source: 'config', tokens: null });
  expect(result).toMatchObject({ tool: 'Bash', success: true, tokens: null });

  // Usage summary by model over a window around the data: per model and in total, never conflated.
  const from = new Date(s.base - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const usage = await json<{
    totals: { requests: number; tokens: Record<string, number>; cost_usd_estimate: number };
    groups: Array<{ key: string; requests: number; tokens: Record<string, number>; cost_usd_estimate: number }>;
  }>(
    await t.api(`/api/v1/usage/summary?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&group_by=model`, {
      role: 'analyst',
    }),
  );
  expect(usage.totals).toMatchObject({
    requests: 2,
    tokens: {
      input: sum((r) => r.input),
      output: sum((r) => r.output),
      cache_read: sum((r) => r.cacheRead),
      cache_write: sum((r) => r.cacheCreation),
    },
  });
  expect(usage.totals.cost_usd_estimate).toBeCloseTo(totalCost, 9);
  expect(usage.groups.map((g) => g.key).sort()).toEqual([MODEL_A, MODEL_B].sort());
  for (const r of REQUESTS) {
    const g = usage.groups.find((x) => x.key === r.model)!;
    expect(g).toMatchObject({
      requests: 1,
      tokens: { input: r.input, output: r.output, cache_read: r.cacheRead, cache_write: r.cacheCreation },
    });
    expect(g.cost_usd_estimate).toBeCloseTo(r.cost, 9);
  }

  // The token counter: no REST route serves metric points yet, so read the store. Each (model, type) series
  // arrives once, attributed to the same person and session as the events.
  const points = await t.steward.store.db
    .selectFrom('metric_points')
    .select(['name', 'model', 'type', 'value', 'person_id', 'session_id', 'surface', 'department', 'team'])
    .where('name', '=', 'claude_code.token.usage')
    .execute();
  const expected = REQUESTS.flatMap((r) =>
    (
      [
        ['input', r.input],
        ['output', r.output],
        ['cacheRead', r.cacheRead],
        ['cacheCreation', r.cacheCreation],
      ] as const
    )
      .filter(([, v]) => v > 0)
      .map(([type, value]) => ({ model: r.model, type, value })),
  );
  expect(points.map((p) => ({ model: p.model, type: p.type, value: p.value }))).toEqual(
    expect.arrayContaining(expected),
  );
  // A zero-valued cumulative point adds nothing and may be skipped; nothing else may appear.
  expect(points.filter((p) => p.value !== 0)).toHaveLength(expected.length);
  for (const p of points) {
    expect(p).toMatchObject({
      person_id: person.id,
      session_id: s.sessionId,
      surface: 'claude_code',
      department: 'finance',
      team: 'close',
    });
  }
}

const CASES: Array<{ protocol: Protocol; dialect: Dialect }> = [
  { protocol: 'http/json', dialect: 'sqlite' },
  { protocol: 'http/json', dialect: 'postgres' },
  { protocol: 'http/protobuf', dialect: 'sqlite' },
  { protocol: 'grpc', dialect: 'sqlite' },
];

describe('stock OpenTelemetry JS exporters (0.208) → Steward', () => {
  let t: TestSteward | undefined;

  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  for (const { protocol, dialect } of CASES) {
    describe(`${protocol} on ${dialect}`, () => {
      it('delivers Claude Code-shaped events and token metrics that read back through the REST API', async () => {
        t = await startTestSteward({ dialect });
        const s = scenario();
        const { logResults, metricResults, logCount } = await sendClaudeCodeTelemetry(t, protocol, t.tokens.ingest, s);

        expect(logResults).toHaveLength(logCount);
        for (const r of logResults) expect(r.code, String(r.error)).toBe(SUCCESS);
        expect(metricResults.length).toBeGreaterThan(0);
        for (const r of metricResults) expect(r.code, String(r.error)).toBe(SUCCESS);

        // Exports are acknowledged only after commit, so the data is readable at once; waitFor guards slow CI.
        await waitFor(async () => {
          const res = await t!.api(`/api/v1/sessions/${s.sessionId}`, { role: 'analyst' });
          return (
            res.ok && ((await res.json()) as { session: { counts: { events: number } } }).session.counts.events === 5
          );
        });
        await expectDelivered(t, s);
      });

      it('fails the export (and stores nothing) with an unknown token or a token whose role may not ingest', async () => {
        t = await startTestSteward({ dialect });
        // HTTP: 401/403 surface as OTLPExporterError.code; gRPC: UNAUTHENTICATED (16) / PERMISSION_DENIED (7).
        // None of these is retryable for the exporters, so each export fails at once instead of backing off.
        const cases = [
          { token: 'stw_not_a_real_token', http: 401, grpc: 16 },
          { token: t.tokens.analyst, http: 403, grpc: 7 },
        ];
        for (const { token, http, grpc } of cases) {
          const { logResults, metricResults, logCount } = await sendClaudeCodeTelemetry(t, protocol, token, scenario());
          expect(logResults).toHaveLength(logCount);
          expect(metricResults.length).toBeGreaterThan(0);
          for (const r of [...logResults, ...metricResults]) {
            expect(r.code).toBe(FAILED);
            expect(r.error).toBeInstanceOf(Error);
            expect((r.error as Error & { code?: number }).code).toBe(protocol === 'grpc' ? grpc : http);
          }
        }
        const status = await json<{ people: number; sessions: number; events: number }>(await t.api('/api/v1/status'));
        expect(status).toMatchObject({ people: 0, sessions: 0, events: 0 });
        const points = await t.steward.store.db.selectFrom('metric_points').select('id').execute();
        expect(points).toHaveLength(0);
      });
    });
  }
});
