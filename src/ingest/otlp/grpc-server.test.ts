import net from 'node:net';
import { Metadata, status } from '@grpc/grpc-js';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.js';
import { startOtlpGrpcServer, type GrpcListener, type OtlpExportOutcome, type OtlpSignal } from './grpc-server.js';

// Interop with the exporters Claude Code itself embeds (OTel JS 0.208, reference/claude-code-observed.md §3).
type LogExporterConfig = NonNullable<ConstructorParameters<typeof OTLPLogExporter>[0]>;
const GZIP = 'gzip' as NonNullable<LogExporterConfig['compression']>;
const EXPORT_FAILED = 1; // ExportResultCode.FAILED in @opentelemetry/core

interface Received {
  signal: OtlpSignal;
  request: unknown;
  headers: Record<string, string>;
}
interface KeyValue {
  key: string;
  value: { stringValue?: string | null; doubleValue?: number | null };
}
interface LogRecord {
  body: { stringValue?: string | null };
  attributes: KeyValue[];
}

const received: Received[] = [];
let behaviour: () => Promise<OtlpExportOutcome>;
let listener: GrpcListener;
let url: string;

beforeAll(async () => {
  listener = await startOtlpGrpcServer({
    host: '127.0.0.1',
    port: 0,
    maxReceiveMessageBytes: 4 * 1024 * 1024,
    handler: async (signal, request, headers) => {
      received.push({ signal, request, headers });
      return behaviour();
    },
  });
  url = `http://127.0.0.1:${listener.port}`;
});
afterAll(() => listener.close());
beforeEach(() => {
  received.length = 0;
  behaviour = async () => ({ rejected: 0 });
});

function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

function loggerProvider(processor: SimpleLogRecordProcessor): LoggerProvider {
  return new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code' }),
    processors: [processor],
  });
}

const logRecords = (request: unknown): LogRecord[] =>
  (request as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: LogRecord[] }> }> }).resourceLogs.flatMap((rl) =>
    rl.scopeLogs.flatMap((sl) => sl.logRecords),
  );
const attr = (record: LogRecord | undefined, key: string) => record?.attributes.find((kv) => kv.key === key)?.value;

/** A TCP relay that counts the bytes the client sends, to see what actually crosses the wire. */
async function countingProxy(targetPort: number): Promise<{ port: number; sent(): number; close(): Promise<void> }> {
  let sent = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk: Buffer) => (sent += chunk.length));
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    sent: () => sent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('OTLP/gRPC with the real OpenTelemetry exporters', () => {
  it('receives log records and the authorization metadata from OTLPLogExporter', async () => {
    const exporter = new OTLPLogExporter({ url, metadata: bearer('stw_test_logs') });
    const provider = loggerProvider(new SimpleLogRecordProcessor(exporter));
    const logger = provider.getLogger('com.anthropic.claude_code.events', '2.1.329');
    logger.emit({ body: 'claude_code.api_request', attributes: { 'event.name': 'api_request', cost_usd: 0.0017448 } });
    logger.emit({ body: 'claude_code.user_prompt', attributes: { 'event.name': 'user_prompt', prompt_length: '42' } });
    await provider.forceFlush();
    await provider.shutdown();

    // SimpleLogRecordProcessor exports each record on its own call.
    expect(received.map((r) => r.signal)).toEqual(['logs', 'logs']);
    for (const { headers } of received) {
      expect(headers.authorization).toBe('Bearer stw_test_logs');
      expect(headers['user-agent']).toMatch(/OTel-OTLP-Exporter-JavaScript\/0\.208\.0/);
    }
    const records = received.flatMap((r) => logRecords(r.request));
    expect(records.map((r) => r.body.stringValue)).toEqual(['claude_code.api_request', 'claude_code.user_prompt']);
    expect(attr(records[0], 'cost_usd')?.doubleValue).toBe(0.0017448);
    expect(attr(records[1], 'prompt_length')?.stringValue).toBe('42');
  });

  it('accepts gzip-compressed exports (grpc-encoding: gzip) and sees the decompressed records', async () => {
    const proxy = await countingProxy(listener.port);
    try {
      const exporter = new OTLPLogExporter({
        url: `http://127.0.0.1:${proxy.port}`,
        metadata: bearer('stw_test_gzip'),
        compression: GZIP,
      });
      const provider = loggerProvider(new SimpleLogRecordProcessor(exporter));
      const prompt = 'summarise the quarterly close '.repeat(40_000); // ~1.2 MB, highly compressible
      provider
        .getLogger('com.anthropic.claude_code.events')
        .emit({ body: 'claude_code.user_prompt', attributes: { prompt } });
      await provider.forceFlush();
      await provider.shutdown();

      expect(received).toHaveLength(1);
      expect(received[0]?.headers.authorization).toBe('Bearer stw_test_gzip');
      expect(attr(logRecords(received[0]?.request)[0], 'prompt')?.stringValue).toBe(prompt);
      // Only compression explains 1.2 MB of records crossing the wire in well under 100 KB.
      expect(proxy.sent()).toBeLessThan(100_000);
    } finally {
      await proxy.close();
    }
  });

  it('fails the export when the handler rejects the caller with 401', async () => {
    const memory = new InMemoryLogRecordExporter();
    const capture = loggerProvider(new SimpleLogRecordProcessor(memory));
    capture.getLogger('com.anthropic.claude_code.events').emit({ body: 'claude_code.user_prompt' });
    await capture.forceFlush();
    const records = memory.getFinishedLogRecords();
    expect(records).toHaveLength(1);

    behaviour = () => Promise.reject(new AppError('unauthenticated', 'no valid Bearer token'));
    const exporter = new OTLPLogExporter({ url, metadata: bearer('stw_wrong') });
    const result = await new Promise<Parameters<Parameters<typeof exporter.export>[1]>[0]>((resolve) =>
      exporter.export(records, resolve),
    );
    await exporter.shutdown();
    await capture.shutdown();

    expect(result.code).toBe(EXPORT_FAILED);
    expect(result.error).toMatchObject({ code: status.UNAUTHENTICATED, details: 'no valid Bearer token' });
    expect(received[0]?.headers.authorization).toBe('Bearer stw_wrong');
  });

  it('receives gzip-compressed metrics from OTLPMetricExporter via PeriodicExportingMetricReader', async () => {
    const exporter = new OTLPMetricExporter({ url, metadata: bearer('stw_test_metrics'), compression: GZIP });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'claude-code' }),
      readers: [reader],
    });
    const cost = provider
      .getMeter('com.anthropic.claude_code')
      .createCounter('claude_code.cost.usage', { unit: 'USD' });
    cost.add(0.0034896, { model: 'claude-sonnet-4-5', query_source: 'main' });
    await provider.forceFlush();
    await provider.shutdown();

    const metricsCalls = received.filter((r) => r.signal === 'metrics');
    expect(metricsCalls.length).toBeGreaterThanOrEqual(1);
    expect(metricsCalls[0]?.headers.authorization).toBe('Bearer stw_test_metrics');
    type Metric = { name: string; unit: string; sum: { dataPoints: Array<{ asDouble?: number | null }> } };
    const request = metricsCalls[0]?.request as {
      resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Metric[] }> }>;
    };
    const metric = request.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0];
    expect(metric?.name).toBe('claude_code.cost.usage');
    expect(metric?.unit).toBe('USD');
    expect(metric?.sum.dataPoints[0]?.asDouble).toBe(0.0034896);
  });
});
