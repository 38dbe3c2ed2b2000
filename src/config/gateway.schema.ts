import { z } from 'zod';

/**
 * The `gateway` section of the configuration (the Anthropic Messages API gateway, DESIGN §5, issue 5). Kept in its
 * own file because the price table is long; `schema.ts` holds it under `gateway`. Prices are USD per million tokens
 * as Anthropic publishes them (shared/reference/claude-surfaces.md §6.4, snapshot 2026-08); operators replace the
 * table in the config file or with `STEWARD_GATEWAY_PRICES` (a JSON array) when prices change — no code change.
 */
const usdPerMTok = z.number().min(0).max(100_000);

export const gatewayPriceSchema = z.strictObject({
  model: z
    .string()
    .min(1)
    .describe(
      'Model id this price applies to. Matches the id itself and its dated snapshots (claude-sonnet-4-5 matches claude-sonnet-4-5-20250929); end it with * to match a prefix. The longest match wins.',
    ),
  input: usdPerMTok.describe('USD per million input tokens (tokens after the last cache breakpoint).'),
  output: usdPerMTok.describe('USD per million output tokens.'),
  cacheWrite5m: usdPerMTok.describe('USD per million tokens written to the 5-minute cache.'),
  cacheWrite1h: usdPerMTok.describe('USD per million tokens written to the 1-hour cache.'),
  cacheRead: usdPerMTok.describe('USD per million tokens read from the cache.'),
  fastInput: usdPerMTok
    .optional()
    .describe('Fast mode input price; cache prices scale with it (the multipliers stack). Absent: no fast mode.'),
  fastOutput: usdPerMTok.optional().describe('Fast mode output price.'),
  geo: z
    .boolean()
    .default(true)
    .describe('Whether the inference_geo multipliers apply to this model (Anthropic: models 4.6 and later).'),
});
export type GatewayPrice = z.infer<typeof gatewayPriceSchema>;

type PriceRow = [model: string, input: number, w5m: number, w1h: number, read: number, output: number, geo: boolean];
/** claude-surfaces.md §6.4: input, 5 m cache write, 1 h cache write, cache read, output. */
const TABLE: readonly PriceRow[] = [
  ['claude-fable-5', 10, 12.5, 20, 1, 50, true],
  ['claude-mythos-5', 10, 12.5, 20, 1, 50, true],
  ['claude-opus-5', 5, 6.25, 10, 0.5, 25, true],
  ['claude-opus-4-8', 5, 6.25, 10, 0.5, 25, true],
  ['claude-opus-4-7', 5, 6.25, 10, 0.5, 25, true],
  ['claude-opus-4-6', 5, 6.25, 10, 0.5, 25, true],
  ['claude-opus-4-5', 5, 6.25, 10, 0.5, 25, false],
  ['claude-opus-4-1', 15, 18.75, 30, 1.5, 75, false],
  ['claude-opus-4', 15, 18.75, 30, 1.5, 75, false],
  ['claude-sonnet-5', 2, 2.5, 4, 0.2, 10, true],
  ['claude-sonnet-4-6', 3, 3.75, 6, 0.3, 15, true],
  ['claude-sonnet-4-5', 3, 3.75, 6, 0.3, 15, false],
  ['claude-sonnet-4', 3, 3.75, 6, 0.3, 15, false],
  ['claude-haiku-4-5', 1, 1.25, 2, 0.1, 5, false],
  ['claude-3-5-haiku', 0.8, 1, 1.6, 0.08, 4, false],
];
/** Fast mode: Opus 5 and 4.8 at $10 / $50 (§6.4). */
const FAST = new Set(['claude-opus-5', 'claude-opus-4-8']);

export const DEFAULT_GATEWAY_PRICES: GatewayPrice[] = TABLE.map(([model, input, w5m, w1h, read, output, geo]) => ({
  model,
  input,
  output,
  cacheWrite5m: w5m,
  cacheWrite1h: w1h,
  cacheRead: read,
  ...(FAST.has(model) ? { fastInput: 10, fastOutput: 50 } : {}),
  geo,
}));

export const gatewaySchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the Anthropic Messages API gateway at /gateway/anthropic.'),
    upstream: z
      .string()
      .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, 'must be an http:// or https:// base URL without query')
      .default('https://api.anthropic.com')
      .describe('Base URL requests are forwarded to (the Anthropic API, or another Messages API endpoint).'),
    upstreamApiKey: z
      .string()
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it is sent as a header value)')
      .optional()
      .describe(
        'The API key Steward sends upstream as x-api-key (clients present gateway keys, never this key). A secret: never logged or returned. Without it requests are forwarded with no credential.',
      ),
    connectTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Longest wait for a connection to the upstream; then 504 in the Anthropic error format.'),
    idleTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(300_000)
      .describe(
        'Longest silence from the upstream (before or during a response) before the request is abandoned; Claude Code itself gives up after 300 s.',
      ),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(32 * 1024 * 1024)
      .describe('Largest request body accepted; larger answers 413 request_too_large (the Messages API takes 32 MB).'),
    bytesPerToken: z
      .number()
      .positive()
      .default(4)
      .describe(
        'Budget estimate before forwarding: input tokens ≈ request body bytes / bytesPerToken (a deliberate over-estimate for JSON), plus max_tokens.',
      ),
    scanResponses: z
      .number()
      .int()
      .min(0)
      .max(4_194_304)
      .default(0)
      .describe(
        'Response scanning: keep up to this many characters of each /v1/messages response text (streamed or not) and judge it with the policy at stage model_response after delivery — findings and matching rules are recorded as decisions (the stream has already reached the client, so nothing is blocked); 0 = off.',
      ),
    meterFlushMs: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(100)
      .describe(
        'Usage records of answered requests are gathered this long and committed together (one commit per request would cost most of the gateway time); 0 = one commit per request.',
      ),
    prices: z
      .array(gatewayPriceSchema)
      .default(DEFAULT_GATEWAY_PRICES)
      .describe(
        'Price table (USD per million tokens) used to cost gateway requests. An unknown model gets no cost (null) and counts in steward_gateway_unpriced_requests_total, never 0. Env: a JSON array.',
      ),
    geoMultipliers: z
      .record(z.string(), z.number().positive())
      .default({ us: 1.1 })
      .describe('Multiplier per usage.inference_geo value for models with geo: true (US-only inference: 1.1×).'),
    batchMultiplier: z
      .number()
      .positive()
      .default(0.5)
      .describe('Multiplier when usage.service_tier is "batch" (Batch API: −50%).'),
  })
  .prefault({});
