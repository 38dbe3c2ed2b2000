/**
 * The text printed on first start: where the console and API are, how to log in, and the exact settings to
 * paste into Claude Code (managed settings `env` or shell) and Cowork's admin OTLP settings
 * (reference/claude-surfaces.md §1.1, §1.3, §2.2; observed §3 for what the CLI honours).
 */
export interface SetupInfo {
  baseUrl: string;
  grpcUrl: string;
  adminToken: string | null;
  ingestToken: string | null;
}

export function claudeCodeEnv(baseUrl: string, ingestToken: string): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: baseUrl,
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${ingestToken}`,
    OTEL_RESOURCE_ATTRIBUTES: 'department=<department>,team.id=<team>,cost_center=<cost-centre>',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
}

export function setupInstructions(info: SetupInfo): string {
  const token = info.ingestToken ?? '<an ingest token: steward keys create --role ingest>';
  const env = claudeCodeEnv(info.baseUrl, token);
  const lines = [
    '',
    '  Steward is running.',
    '',
    `  Console and REST API   ${info.baseUrl}/   (OpenAPI: ${info.baseUrl}/api/v1/openapi.json)`,
    `  OTLP/HTTP              ${info.baseUrl}/v1/logs  /v1/metrics  /v1/traces`,
    `  OTLP/gRPC              ${info.grpcUrl}`,
    '',
  ];
  if (info.adminToken) {
    lines.push(
      '  First start: credentials were created. They are shown ONCE — store them in your password manager.',
      '',
      `  Admin token (log in to the console, call the API):`,
      `    ${info.adminToken}`,
      `    e.g. curl -H "Authorization: Bearer ${info.adminToken}" ${info.baseUrl}/api/v1/status`,
      '',
      `  Ingest token (for Claude Code, Cowork and Desktop telemetry):`,
      `    ${token}`,
      '',
    );
  } else {
    lines.push('  Log in with an admin token. Lost it? Create another: steward keys create --role admin', '');
  }
  lines.push(
    '  Claude Code — put this in managed settings (/etc/claude-code/managed-settings.json) under "env",',
    '  or export it in the shell; set department/team per group of people:',
    '',
    '    {',
    '      "env": {',
    ...Object.entries(env).map(
      ([k, v], i, all) => `        ${JSON.stringify(k)}: ${JSON.stringify(v)}${i < all.length - 1 ? ',' : ''}`,
    ),
    '      }',
    '    }',
    '',
    '  Claude Cowork — Admin settings › Cowork › OpenTelemetry:',
    `    OTLP endpoint   ${info.baseUrl}`,
    '    Protocol        http/protobuf',
    `    Headers         Authorization=Bearer ${token}`,
    '',
    '  Claude Desktop (third-party providers) — managed keys:',
    `    otlpEndpoint = ${info.baseUrl}   otlpProtocol = http/protobuf   otlpHeaders = {"Authorization":"Bearer ${token}"}`,
    '',
    '  Check arrivals with: steward status',
    '',
  );
  return lines.join('\n');
}
