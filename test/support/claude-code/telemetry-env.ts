/**
 * Environment that turns on Claude Code's OpenTelemetry export (shared/reference/claude-code-observed.md §3).
 * Logs and metrics need CLAUDE_CODE_ENABLE_TELEMETRY=1 plus the OTEL_*_EXPORTER=otlp pair; traces additionally need
 * CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1 (§3 "Enablement"). A `-p` run exports once per signal, at exit (§3.4).
 */

export type ClaudeOtlpProtocol = 'http/json' | 'http/protobuf' | 'grpc';

/** The resource attributes the interop tests assert on; the CLI copies them onto every record too (§3 "Resource"). */
export const TEST_RESOURCE_ATTRIBUTES = 'department=finance,team.id=close,cost_center=fin-001';

export interface ClaudeTelemetryEnvOptions {
  /** Also export traces (beta). */
  traces?: boolean;
  /** Replaces TEST_RESOURCE_ATTRIBUTES (`k=v,k=v`). */
  resourceAttributes?: string;
}

/**
 * @param endpoint base URL without signal path, e.g. `http://127.0.0.1:4318`; the exporters append `/v1/{logs,metrics,traces}`
 *   (for grpc, the collector's host:port as an http:// URL).
 * @param token sent as `Authorization: Bearer <token>` on every export (HTTP header or gRPC metadata).
 */
export function claudeTelemetryEnv(
  endpoint: string,
  token: string,
  protocol: ClaudeOtlpProtocol,
  opts: ClaudeTelemetryEnvOptions = {},
): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${token}`,
    OTEL_RESOURCE_ATTRIBUTES: opts.resourceAttributes ?? TEST_RESOURCE_ATTRIBUTES,
    ...(opts.traces ? { CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp' } : {}),
  };
}
