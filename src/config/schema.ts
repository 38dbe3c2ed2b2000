import { z } from 'zod';
import { auditSchema } from './audit.schema.js';
import { exportSchema } from './export.schema.js';
import { gatewaySchema } from './gateway.schema.js';

/**
 * The one configuration schema. Every key has a default and a description; `docs/configuration.md` is generated
 * from this file (`npm run docs`). Precedence: config file < environment (STEWARD_*) < command-line flags.
 * Unknown keys are rejected (strict objects) so a typo never silently falls back to a default.
 */
export const contentCaptureModes = ['off', 'redacted', 'full'] as const;
export type ContentCaptureMode = (typeof contentCaptureModes)[number];

const ingestSchema = z
  .strictObject({
    maxRequestBytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024)
      .describe(
        'Largest OTLP request body accepted on the wire (compressed), in bytes; larger answers 413. 20 MiB matches the OpenTelemetry Collector default.',
      ),
    maxDecompressedBytes: z
      .number()
      .int()
      .positive()
      .default(32 * 1024 * 1024)
      .describe(
        'Largest OTLP body after gzip decompression, in bytes; larger answers 413 (gzip-bomb guard). Decoded bodies take ~10x their size in memory.',
      ),
    maxAttributeBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024)
      .describe('Longest single attribute value kept; longer string values are truncated and marked.'),
    maxQueueEvents: z
      .number()
      .int()
      .positive()
      .default(200_000)
      .describe('Events waiting for commit before new exports are refused with 503 + Retry-After (bounds memory).'),
    groupCommitMaxEvents: z
      .number()
      .int()
      .positive()
      .default(20_000)
      .describe('Most events written in one database transaction (group commit).'),
    groupCommitMinEvents: z
      .number()
      .int()
      .min(0)
      .default(4_000)
      .describe(
        'While bodies are still being decoded, the writer waits (up to groupCommitLingerMs) until this many events can share one transaction; 0 disables lingering.',
      ),
    groupCommitLingerMs: z
      .number()
      .int()
      .min(0)
      .max(1_000)
      .default(10)
      .describe(
        'Longest the writer waits for a fuller group (adds at most this much to acknowledgement latency under load).',
      ),
    decodeWorkers: z
      .number()
      .int()
      .min(0)
      .max(16)
      .default(1)
      .describe(
        'Worker threads that decompress, decode and normalise OTLP/HTTP bodies while the main thread commits; 0 = decode on the main thread.',
      ),
    writerThread: z
      .boolean()
      .default(true)
      .describe(
        'SQLite: commit ingest (telemetry, gateway usage, decision records) on a writer thread with its own connection, so no transaction ever blocks the event loop; decode workers hand batches to it directly. Ignored on PostgreSQL, whose commits are asynchronous I/O.',
      ),
    retryAfterSeconds: z
      .number()
      .int()
      .positive()
      .default(2)
      .describe('Retry-After value sent with 429/503 when overloaded.'),
  })
  .prefault({});

const contentSchema = z
  .strictObject({
    capture: z
      .enum(contentCaptureModes)
      .default('redacted')
      .describe(
        'What happens to prompt, response and tool-input text that sources send: off = metadata only (lengths, names); ' +
          'redacted = store it after the detectors replace secrets, personal and financial data with typed placeholders; ' +
          'full = store as received.',
      ),
  })
  .prefault({});

const enforceSchema = z
  .strictObject({
    mode: z
      .enum(['enforce', 'shadow'])
      .default('enforce')
      .describe(
        'enforce = hooks answer with the policy decision; shadow = every enforcement point decides and records but always allows (also per policy: defaults.shadow).',
      ),
    promptRedact: z
      .enum(['warn', 'deny'])
      .default('warn')
      .describe(
        'What a redact decision on a prompt becomes: Claude Code hooks and inference hooks cannot rewrite a prompt, so it is either allowed with a warning or blocked.',
      ),
    preToolUseAllow: z
      .enum(['defer', 'grant'])
      .default('defer')
      .describe(
        'When a policy rule explicitly allows a tool call: defer = no hook output (Claude Code permission rules still apply); grant = permissionDecision "allow", which skips the permission prompt.',
      ),
    maxHookBodyBytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024)
      .describe(
        'Largest Claude Code hook body (POST /hooks/claude-code, steward hook stdin); larger is refused (413), or blocked when the policy fails closed.',
      ),
    inferenceHookSecret: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be a Standard Webhooks secret: whsec_ followed by base64')
      .optional()
      .describe(
        'Signing secret of the Claude Enterprise inference hook (whsec_…); POST /hooks/inference is disabled without it. Never logged or returned.',
      ),
    inferenceMaxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024)
      .describe('Largest inference-hook request accepted (Anthropic sends at most 10 MB); larger answers 413.'),
    inferenceToleranceSeconds: z
      .number()
      .int()
      .positive()
      .max(3600)
      .default(300)
      .describe('Largest clock difference accepted on webhook-timestamp (Standard Webhooks replay guard).'),
    policyRefreshMs: z
      .number()
      .int()
      .positive()
      .default(5_000)
      .describe('How often enforcement points re-read the active policy version from the store.'),
  })
  .prefault({});

const analyticsSchema = z
  .strictObject({
    refreshIntervalMs: z
      .number()
      .int()
      .min(0)
      .default(30_000)
      .describe(
        'How often the analytics refresher folds new events into the derived tiers dashboards read (it steps aside while ingest has batches queued); 0 = never (dashboards stay exact, only slower).',
      ),
  })
  .prefault({});

export const configSchema = z.strictObject({
  host: z.string().min(1).default('0.0.0.0').describe('Interface the HTTP and gRPC listeners bind to.'),
  port: z.number().int().min(0).max(65535).default(4318).describe('HTTP port: OTLP/HTTP, REST API, console, metrics.'),
  grpcPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(4317)
    .describe('OTLP/gRPC port (logs, metrics and traces services).'),
  dataDir: z.string().min(1).default('./data').describe('Directory for the embedded SQLite database and state.'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .describe('PostgreSQL connection URL. When set, PostgreSQL is used instead of the embedded SQLite database.'),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional()
    .describe('Redis URL for shared counters when running several replicas (optional).'),
  publicUrl: z
    .string()
    .url()
    .optional()
    .describe('URL people and agents use to reach Steward; used in printed setup instructions. Default: derived.'),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level.'),
  shutdownGraceMs: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('On SIGTERM, how long to keep draining queued batches before exiting.'),
  ingest: ingestSchema,
  content: contentSchema,
  enforce: enforceSchema,
  analytics: analyticsSchema,
  gateway: gatewaySchema,
  audit: auditSchema,
  export: exportSchema,
});

export type Config = Readonly<z.infer<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;
