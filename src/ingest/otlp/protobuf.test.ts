import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import {
  decodeExportResponse,
  decodeLogsRequest,
  decodeMetricsRequest,
  decodeTraceRequest,
  encodeExportResponse,
  type OtlpSignal,
} from './protobuf.js';

// Real Claude Code v2.1.329 captures (reference/claude-code-observed.md §3); the .decoded.json files render
// int64 as decimal strings and ids as hex, so each check below converts the protobufjs value the same way.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureDir = path.resolve(repoRoot, '../shared/fixtures/claude-code/otlp/http-protobuf');
const bin = (name: string): Buffer => readFileSync(path.join(fixtureDir, `${name}.bin`));
const json = <T>(name: string): T =>
  JSON.parse(readFileSync(path.join(fixtureDir, `${name}.decoded.json`), 'utf8')) as T;

interface Long {
  toString(): string;
}
interface AnyValue {
  stringValue?: string | null;
  doubleValue?: number | null;
  intValue?: Long | string | null;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface LogRecord {
  attributes: KeyValue[];
  timeUnixNano: Long | string;
  body: AnyValue;
  traceId?: Uint8Array | string;
}
interface LogsRequest {
  resourceLogs: Array<{ scopeLogs: Array<{ scope: { name: string }; logRecords: LogRecord[] }> }>;
}
interface NumberDataPoint {
  asDouble?: number | null;
  startTimeUnixNano: Long | string;
  attributes: KeyValue[];
}
interface MetricsRequest {
  resourceMetrics: Array<{
    scopeMetrics: Array<{ metrics: Array<{ name: string; unit?: string; sum: { dataPoints: NumberDataPoint[] } }> }>;
  }>;
}
interface Span {
  name: string;
  traceId: Uint8Array | string;
  spanId: Uint8Array | string;
  parentSpanId?: Uint8Array | string;
  startTimeUnixNano: Long | string;
  kind: number;
}
interface TraceRequest {
  resourceSpans: Array<{ scopeSpans: Array<{ spans: Span[] }> }>;
}

const logRecords = (r: LogsRequest) => r.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords));
const attr = (attrs: KeyValue[], key: string): AnyValue | undefined => attrs.find((kv) => kv.key === key)?.value;
const hex = (v: Uint8Array | string | undefined): string =>
  v instanceof Uint8Array ? Buffer.from(v).toString('hex') : (v ?? '');

describe('decoding the real Claude Code captures', () => {
  it('decodes logs.bin to the same records as logs.decoded.json', () => {
    const decoded = decodeLogsRequest(bin('logs')) as LogsRequest;
    const expected = json<LogsRequest>('logs');
    const got = logRecords(decoded);
    const want = logRecords(expected);

    expect(got).toHaveLength(55);
    expect(got).toHaveLength(want.length);
    expect(decoded.resourceLogs[0]?.scopeLogs[0]?.scope.name).toBe('com.anthropic.claude_code.events');
    expect(got.map((r) => attr(r.attributes, 'event.name')?.stringValue)).toEqual(
      want.map((r) => attr(r.attributes, 'event.name')?.stringValue),
    );
    // fixed64 times arrive as Long; compare their decimal rendering with the capture's string.
    expect(got[0]?.timeUnixNano.toString()).toBe(want[0]?.timeUnixNano);
    expect(got[0]?.timeUnixNano.toString()).toBe('1795238149259000000');
    expect(attr(got[0]?.attributes ?? [], 'session.id')?.stringValue).toBe('d2db0fb1-65dd-4141-b3e1-8f6b6dc12856');
    expect(got[0]?.body.stringValue).toBe('claude_code.managed_settings_resolved');

    const apiRequest = got.findIndex((r) => attr(r.attributes, 'event.name')?.stringValue === 'api_request');
    expect(apiRequest).toBeGreaterThan(0);
    const cost = attr(got[apiRequest]?.attributes ?? [], 'cost_usd')?.doubleValue;
    expect(cost).toBe(attr(want[apiRequest]?.attributes ?? [], 'cost_usd')?.doubleValue);
    expect(cost).toBeCloseTo(0.0017448, 10);
    // The tracing-enabled records carry bytes ids; the capture shows them as hex.
    expect(hex(got[apiRequest]?.traceId)).toBe(want[apiRequest]?.traceId);
    const inputTokens = attr(got[apiRequest]?.attributes ?? [], 'input_tokens')?.intValue;
    expect(String(inputTokens)).toBe(String(attr(want[apiRequest]?.attributes ?? [], 'input_tokens')?.intValue));
  });

  it('decodes metrics.bin to the same metrics as metrics.decoded.json', () => {
    const metrics = (r: MetricsRequest) =>
      r.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    const got = metrics(decodeMetricsRequest(bin('metrics')) as MetricsRequest);
    const want = metrics(json<MetricsRequest>('metrics'));

    expect(got.map((m) => m.name)).toEqual([
      'claude_code.session.count',
      'claude_code.cost.usage',
      'claude_code.token.usage',
      'claude_code.active_time.total',
    ]);
    expect(got.map((m) => m.sum.dataPoints.length)).toEqual(want.map((m) => m.sum.dataPoints.length));
    const cost = got[1]?.sum.dataPoints[0];
    expect(cost?.asDouble).toBe(want[1]?.sum.dataPoints[0]?.asDouble);
    expect(cost?.startTimeUnixNano.toString()).toBe(want[1]?.sum.dataPoints[0]?.startTimeUnixNano);
    expect(attr(cost?.attributes ?? [], 'model')?.stringValue).toBe(
      attr(want[1]?.sum.dataPoints[0]?.attributes ?? [], 'model')?.stringValue,
    );
  });

  it('decodes traces.bin to the same spans as traces.decoded.json', () => {
    const spans = (r: TraceRequest) => r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    const got = spans(decodeTraceRequest(bin('traces')) as TraceRequest);
    const want = spans(json<TraceRequest>('traces'));

    expect(got).toHaveLength(6);
    expect(got.map((s) => s.name)).toEqual(want.map((s) => s.name));
    expect(got.map((s) => [hex(s.traceId), hex(s.spanId), hex(s.parentSpanId)])).toEqual(
      want.map((s) => [s.traceId, s.spanId, s.parentSpanId ?? '']),
    );
    expect(got.map((s) => s.startTimeUnixNano.toString())).toEqual(want.map((s) => s.startTimeUnixNano));
    expect(got.every((s) => s.kind === 1)).toBe(true);
  });

  it('accepts an empty body as an empty request, as OTLP allows', () => {
    expect((decodeLogsRequest(new Uint8Array(0)) as LogsRequest).resourceLogs).toEqual([]);
  });
});

describe('export responses', () => {
  const signals: OtlpSignal[] = ['logs', 'metrics', 'traces'];

  it('encodes full success as the empty message, reusing one cached buffer', () => {
    for (const signal of signals) {
      const bytes = encodeExportResponse(signal);
      expect(bytes).toHaveLength(0);
      expect(encodeExportResponse(signal)).toBe(bytes);
      expect(encodeExportResponse(signal, { rejected: 0, errorMessage: '' })).toBe(bytes);
      expect(decodeExportResponse(signal, bytes)).toEqual({});
    }
  });

  it.each(signals)('round-trips a %s partial success', (signal) => {
    const bytes = encodeExportResponse(signal, { rejected: 2, errorMessage: '2 records lacked event.name' });
    expect(decodeExportResponse(signal, bytes)).toEqual({
      partial: { rejected: 2, errorMessage: '2 records lacked event.name' },
    });
  });

  it('carries a warning with zero rejected, as OTLP permits', () => {
    const bytes = encodeExportResponse('logs', { rejected: 0, errorMessage: 'attribute values truncated' });
    expect(decodeExportResponse('logs', bytes)).toEqual({
      partial: { rejected: 0, errorMessage: 'attribute values truncated' },
    });
  });

  it('is read by the OpenTelemetry exporters’ own response deserializers with the per-signal field names', () => {
    const partial = { rejected: 3, errorMessage: 'over quota' };
    const logs = ProtobufLogsSerializer.deserializeResponse(encodeExportResponse('logs', partial));
    const metrics = ProtobufMetricsSerializer.deserializeResponse(encodeExportResponse('metrics', partial));
    const traces = ProtobufTraceSerializer.deserializeResponse(encodeExportResponse('traces', partial));
    expect(Number(logs.partialSuccess?.rejectedLogRecords)).toBe(3);
    expect(Number(metrics.partialSuccess?.rejectedDataPoints)).toBe(3);
    expect(Number(traces.partialSuccess?.rejectedSpans)).toBe(3);
    expect(logs.partialSuccess?.errorMessage).toBe('over quota');
  });
});
