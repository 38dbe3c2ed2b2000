import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The `export` section: SIEM and incident-response sinks fed from a durable outbox (issue 7, docs/exports.md).
 * `export.sinks` is a list of sinks, each a discriminated union on `type`, each with filters. Secrets (`token`,
 * `secret`, `routingKey`) are never logged, never stored in the outbox and never returned by the API.
 * URLs are checked here only for what needs no network (scheme, literal addresses, cloud-metadata names); hosts are
 * resolved and checked again when the exporter starts and at every connection (src/export/outbound-url.ts).
 */
export const exportSeverities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type ExportSeverity = (typeof exportSeverities)[number];

export const exportSources = ['events', 'audit'] as const;
export type ExportSource = (typeof exportSources)[number];

export const sinkTypes = ['ocsf_http', 'ocsf_file', 'syslog', 'splunk_hec', 'webhook', 'pagerduty', 'slack'] as const;
export type SinkType = (typeof sinkTypes)[number];

/** Host names that are cloud instance-metadata services whatever they resolve to (GCP, Azure's IMDS name, …). */
export const METADATA_HOSTNAMES: ReadonlySet<string> = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);

const filtersSchema = z
  .strictObject({
    sources: z
      .array(z.enum(exportSources))
      .min(1)
      .optional()
      .describe('Which records: activity events, audit entries or both (default both).'),
    kinds: z
      .array(z.string().regex(/^[a-z_]+$/, 'an event kind such as policy_decision'))
      .min(1)
      .optional()
      .describe('Event kinds to export (src/contracts/canonical.ts, e.g. policy_decision, api_request); default all.'),
    actions: z
      .array(z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/, 'an audit action such as auth.login, or auth.*'))
      .min(1)
      .optional()
      .describe(
        'Audit actions to export, exact (auth.login) or by prefix (auth.*); default every action except activity.seal.',
      ),
    minSeverity: z
      .enum(exportSeverities)
      .optional()
      .describe(
        'Lowest severity exported (docs/exports.md "Severity"). Default: high for pagerduty and slack, else info.',
      ),
  })
  .prefault({});

export function staticUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be http or https, got ${url.protocol}`;
  if (url.username || url.password) return 'must not carry credentials (use the token or secret key)';
  return staticHostProblem(url.hostname);
}

/** Literal link-local and metadata addresses are refused here too; the full rules run with DNS in outbound-url.ts. */
export function staticHostProblem(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (METADATA_HOSTNAMES.has(host.replace(/\.$/, ''))) return `names a cloud metadata service (${host})`;
  if (isIP(host) === 4 && host.startsWith('169.254.')) return `is a link-local address (${host})`;
  if (isIP(host) === 6 && /^fe[89ab]/.test(host)) return `is a link-local address (${host})`;
  return undefined;
}

const sinkName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and -, at most 63 characters')
  .describe('Unique name of the sink: in metrics labels, the API and the CLI.');

const common = {
  name: sinkName,
  enabled: z.boolean().default(true).describe('false keeps the sink configured but feeds and delivers nothing.'),
  filters: filtersSchema,
  startFrom: z
    .enum(['latest', 'earliest'])
    .default('latest')
    .describe(
      'Where a new sink starts: latest = records from now on; earliest = every stored record (a backfill). Only read the first time the sink is seen.',
    ),
  allowPrivateAddresses: z
    .boolean()
    .default(false)
    .describe('Allow loopback, RFC 1918, CGNAT and unique-local (fc00::/7) destinations (refused by default).'),
  allowLinkLocalAddresses: z
    .boolean()
    .default(false)
    .describe('Allow link-local (169.254.0.0/16, fe80::/10) and cloud metadata destinations. Almost never right.'),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(300_000)
    .default(10_000)
    .describe('Per request or connection: the longest a delivery may take before it counts as failed.'),
};

const ocsfHttpSink = z.strictObject({
  type: z.literal('ocsf_http'),
  ...common,
  url: z.string().url().describe('Endpoint that receives POSTed JSON arrays of OCSF 1.8.0 events.'),
  token: z.string().min(1).max(4096).optional().describe('Sent as Authorization: Bearer <token>. Never logged.'),
});

const ocsfFileSink = z.strictObject({
  type: z.literal('ocsf_file'),
  ...common,
  path: z.string().min(1).describe('File that OCSF 1.8.0 events are appended to, one JSON object per line (fsynced).'),
});

const syslogSink = z
  .strictObject({
    type: z.literal('syslog'),
    ...common,
    host: z.string().min(1).max(253).describe('Syslog receiver host name or address.'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('Receiver port (default 6514 for tls, 514 otherwise).'),
    transport: z
      .enum(['tcp', 'tls', 'udp'])
      .default('tcp')
      .describe(
        'tcp and tls frame messages by octet counting (RFC 5425/6587); udp sends one datagram per message (RFC 5426; no delivery guarantee).',
      ),
    format: z
      .enum(['cef', 'ocsf'])
      .default('cef')
      .describe('The syslog MSG: a CEF line (ArcSight CEF rev. 25) or OCSF 1.8.0 JSON.'),
    facility: z.number().int().min(0).max(23).default(13).describe('Syslog facility (RFC 5424: 13 = log audit).'),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe('tls only: PEM file of the CA that signs the receiver (default: system CAs).'),
    maxMessageBytes: z
      .number()
      .int()
      .min(480)
      .max(1_048_576)
      .optional()
      .describe(
        'Longest message sent; longer ones are cut at a UTF-8 boundary (default 2048 for udp, 65536 otherwise).',
      ),
    confirmMs: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(250)
      .describe(
        'tcp and tls: a batch counts as delivered once written and the connection stayed up this long after (syslog has no acknowledgement).',
      ),
  })
  .superRefine((s, ctx) => {
    if (s.ca !== undefined && s.transport !== 'tls') {
      ctx.addIssue({ code: 'custom', path: ['ca'], message: 'ca is only used with transport tls' });
    }
  });

const splunkHecSink = z.strictObject({
  type: z.literal('splunk_hec'),
  ...common,
  url: z
    .string()
    .url()
    .describe('HEC base URL, e.g. https://splunk.example.com:8088 (/services/collector/event is added).'),
  token: z.string().min(1).max(256).describe('HEC token, sent as Authorization: Splunk <token>. Never logged.'),
  ackEnabled: z
    .boolean()
    .default(false)
    .describe(
      'Use indexer acknowledgement: a batch counts as delivered only when /services/collector/ack confirms it.',
    ),
  ackTimeoutMs: z
    .number()
    .int()
    .min(1_000)
    .max(600_000)
    .default(120_000)
    .describe('How long to poll for an acknowledgement before the batch is sent again.'),
  index: z.string().min(1).max(128).optional().describe('Splunk index (default: the token default index).'),
  source: z.string().min(1).max(256).default('steward').describe('HEC source field.'),
  sourcetype: z.string().min(1).max(256).default('ocsf:steward').describe('HEC sourcetype field.'),
});

const webhookSink = z.strictObject({
  type: z.literal('webhook'),
  ...common,
  url: z.string().url().describe('Endpoint that receives one signed POST per record.'),
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be a Standard Webhooks secret: whsec_ followed by base64')
    .describe('Standard Webhooks signing secret (whsec_…, 24-64 bytes). Never logged.'),
});

const pagerdutySink = z.strictObject({
  type: z.literal('pagerduty'),
  ...common,
  routingKey: z
    .string()
    .regex(/^[A-Za-z0-9]{32}$/, 'a PagerDuty Events API v2 integration key (32 characters)')
    .describe('Events API v2 integration (routing) key. Never logged.'),
  url: z
    .string()
    .url()
    .default('https://events.pagerduty.com/v2/enqueue')
    .describe('Events API v2 endpoint (change only for a proxy or tests).'),
});

const slackSink = z.strictObject({
  type: z.literal('slack'),
  ...common,
  url: z
    .string()
    .url()
    .describe('Slack incoming webhook URL (https://hooks.slack.com/services/…). Treated as a secret.'),
});

export const sinkSchema = z.discriminatedUnion('type', [
  ocsfHttpSink,
  ocsfFileSink,
  syslogSink,
  splunkHecSink,
  webhookSink,
  pagerdutySink,
  slackSink,
]);
export type SinkConfig = z.infer<typeof sinkSchema>;
export type SinkOf<T extends SinkType> = Extract<SinkConfig, { type: T }>;

export const exportSchema = z
  .strictObject({
    sinks: z
      .array(sinkSchema)
      .default([])
      .superRefine((sinks, ctx) => {
        const seen = new Set<string>();
        sinks.forEach((s, i) => {
          if (seen.has(s.name))
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate sink name "${s.name}"` });
          seen.add(s.name);
          const where = 'url' in s ? 'url' : 'host';
          const problem = 'url' in s ? staticUrlProblem(s.url) : 'host' in s ? staticHostProblem(s.host) : undefined;
          if (problem)
            ctx.addIssue({ code: 'custom', path: [i, where], message: `sink "${s.name}": ${where} ${problem}` });
        });
      })
      .describe('SIEM and incident-response sinks (docs/exports.md lists every type and its keys).'),
    pollIntervalMs: z
      .number()
      .int()
      .min(50)
      .max(60_000)
      .default(1_000)
      .describe('How often new events and audit entries are read into the outbox and due deliveries are attempted.'),
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(500)
      .describe(
        'Most records per delivery (HEC, OCSF HTTP and file, syslog); webhooks, PagerDuty and Slack send one per request.',
      ),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(30)
      .describe(
        'Failed deliveries of a record before it becomes a dead letter (steward export dead-letters --requeue).',
      ),
    backoffBaseMs: z
      .number()
      .int()
      .min(10)
      .default(1_000)
      .describe('Delay after the first failure; doubles with each further failure, with jitter.'),
    backoffMaxMs: z
      .number()
      .int()
      .min(10)
      .default(900_000)
      .describe('Longest delay between attempts (default 15 minutes: 30 attempts span about six hours).'),
    deliveredRetentionHours: z
      .number()
      .int()
      .min(0)
      .default(72)
      .describe('Delivered outbox rows are deleted after this many hours (0 = at once); dead letters are kept.'),
  })
  .prefault({})
  .superRefine((e, ctx) => {
    if (e.backoffMaxMs < e.backoffBaseMs) {
      ctx.addIssue({ code: 'custom', path: ['backoffMaxMs'], message: 'must be at least backoffBaseMs' });
    }
  });
export type ExportConfig = z.infer<typeof exportSchema>;
