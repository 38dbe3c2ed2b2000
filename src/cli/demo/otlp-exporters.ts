import { Metadata } from '@grpc/grpc-js';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  DataPointType,
  MetricReader,
  type DataPoint,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/**
 * The real OTLP exporters (the ones Claude Code itself ships: OTel-OTLP-Exporter-JavaScript 0.208), wrapped so
 * that the demo can prove every record was acknowledged. The SDK's batch processor reports export failures only
 * to the global error handler and drops records silently when its queue is full, so the wrapper keeps the
 * exporter's own result code and the count of acknowledged records.
 */

export const DEMO_PROTOCOLS = ['http/json', 'http/protobuf', 'grpc'] as const;
export type DemoProtocol = (typeof DEMO_PROTOCOLS)[number];

/** `ExportResultCode.SUCCESS` from @opentelemetry/core (not a direct dependency; the enum is 0 = SUCCESS, 1 = FAILED). */
const EXPORT_SUCCESS = 0;

export interface ExportTarget {
  readonly protocol: DemoProtocol;
  /** Base URL: `/v1/logs` and `/v1/metrics` are appended for HTTP; gRPC uses it as the collector address. */
  readonly endpoint: string;
  readonly token: string;
  readonly timeoutMillis?: number;
}

/** An export the exporter reported as failed, with its result code (1 = FAILED) and the exporter's error. */
export class DemoExportError extends Error {
  constructor(
    readonly signal: 'logs' | 'metrics',
    readonly resultCode: number,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause ?? 'unknown error');
    super(`OTLP ${signal} export failed (result code ${resultCode}): ${reason}`, { cause });
    this.name = 'DemoExportError';
  }
}

type ExportResultLike = { code: number; error?: Error };
type FlushableLogExporter = LogRecordExporter & { forceFlush(): Promise<void> };

export class TrackingLogExporter implements LogRecordExporter {
  acknowledged = 0;
  failure: DemoExportError | null = null;

  constructor(private readonly inner: FlushableLogExporter) {}

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResultLike) => void): void {
    this.inner.export(records, (result) => {
      if (result.code === EXPORT_SUCCESS) this.acknowledged += records.length;
      else this.failure ??= new DemoExportError('logs', result.code, result.error);
      resultCallback(result);
    });
  }

  /** Waits for exports already in flight (the batch processor's forceFlush only drains its queue). */
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export function createLogExporter(target: ExportTarget): TrackingLogExporter {
  const timeoutMillis = target.timeoutMillis ?? 30_000;
  const base = target.endpoint.replace(/\/+$/, '');
  const headers = { Authorization: `Bearer ${target.token}` };
  switch (target.protocol) {
    case 'http/json':
      return new TrackingLogExporter(new JsonLogExporter({ url: `${base}/v1/logs`, headers, timeoutMillis }));
    case 'http/protobuf':
      return new TrackingLogExporter(new ProtoLogExporter({ url: `${base}/v1/logs`, headers, timeoutMillis }));
    case 'grpc':
      return new TrackingLogExporter(
        new GrpcLogExporter({ url: base, metadata: grpcMetadata(target.token), timeoutMillis }),
      );
  }
}

export function createMetricExporter(target: ExportTarget): PushMetricExporter {
  const timeoutMillis = target.timeoutMillis ?? 30_000;
  const base = target.endpoint.replace(/\/+$/, '');
  const headers = { Authorization: `Bearer ${target.token}` };
  switch (target.protocol) {
    case 'http/json':
      return new JsonMetricExporter({ url: `${base}/v1/metrics`, headers, timeoutMillis });
    case 'http/protobuf':
      return new ProtoMetricExporter({ url: `${base}/v1/metrics`, headers, timeoutMillis });
    case 'grpc':
      return new GrpcMetricExporter({ url: base, metadata: grpcMetadata(target.token), timeoutMillis });
  }
}

function grpcMetadata(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** A session's wall-clock window; its metric points are stamped with it. */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * A pull reader that exports on demand with historic timestamps. The SDK stamps delta points with the collection
 * time, which would put 90 days of sessions at "now"; the client stamps a point with its session's first
 * measurement and its export at exit (fixture metrics.json), so each point gets its session's window, looked up
 * by the `session.id` attribute every Claude Code point carries. Aggregation itself stays the SDK's.
 */
export class HistoricMetricReader extends MetricReader {
  constructor(private readonly exporter: PushMetricExporter) {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.DELTA,
      // One point per session × attribute set per collection; the default limit (2000) would fold a large flush
      // into an `otel.metric.overflow` point.
      cardinalitySelector: () => 1_000_000,
    });
  }

  /** Collects everything recorded since the last call, re-stamps it and exports it; returns the point count. */
  async exportWindowed(windows: ReadonlyMap<string, TimeWindow>): Promise<number> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0) throw new DemoExportError('metrics', 1, errors[0]);
    let points = 0;
    const restamped: ResourceMetrics = {
      resource: resourceMetrics.resource,
      scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
        scope: scope.scope,
        metrics: scope.metrics.map((metric) => {
          if (metric.dataPointType !== DataPointType.SUM) return metric;
          points += metric.dataPoints.length;
          return { ...metric, dataPoints: metric.dataPoints.map((point) => restamp(point, windows)) };
        }),
      })),
    };
    if (points === 0) return 0;
    const result = await new Promise<ExportResultLike>((resolve) => this.exporter.export(restamped, resolve));
    if (result.code !== EXPORT_SUCCESS) throw new DemoExportError('metrics', result.code, result.error);
    return points;
  }

  protected override onForceFlush(): Promise<void> {
    return this.exporter.forceFlush();
  }

  protected override onShutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}

function restamp(point: DataPoint<number>, windows: ReadonlyMap<string, TimeWindow>): DataPoint<number> {
  const sessionId = point.attributes['session.id'];
  const window = typeof sessionId === 'string' ? windows.get(sessionId) : undefined;
  if (window === undefined) return point;
  return { ...point, startTime: toHrTime(window.startMs), endTime: toHrTime(window.endMs) };
}

function toHrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1_000_000)];
}
