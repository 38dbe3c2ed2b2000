import type { ReactNode } from 'react';

/**
 * What to do when there is nothing to show yet. With no telemetry at all, the console explains how to connect
 * Claude Code, with this server's own address filled in (the same settings as README § "Point Claude Code, Cowork
 * and Desktop at Steward").
 */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function ConnectClaudeCode() {
  // OTLP/HTTP is served on the same port as the console.
  const endpoint = window.location.origin;
  const settings = JSON.stringify(
    {
      env: {
        CLAUDE_CODE_ENABLE_TELEMETRY: '1',
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer stw_ingest_…',
        OTEL_RESOURCE_ATTRIBUTES: 'department=finance,team.id=close',
      },
    },
    null,
    2,
  );
  return (
    <EmptyState title="No telemetry has arrived yet">
      <p>
        Steward fills these pages from the OpenTelemetry that Claude Code, Cowork and the Claude apps send. Point them
        at this server with the <strong>ingest token</strong> printed at first start (or create one with{' '}
        <code>steward keys create --role ingest</code>), for example in Claude Code&apos;s managed settings:
      </p>
      <pre className="code-block" tabIndex={0} aria-label="Claude Code managed settings">
        {settings}
      </pre>
      <p>
        Cowork and Claude Desktop take the same endpoint and header. The full instructions are in the README, section{' '}
        <em>Point Claude Code, Cowork and Desktop at Steward</em>. To explore first, <code>steward demo</code> sends a
        labelled synthetic organisation through the same pipeline.
      </p>
    </EmptyState>
  );
}
