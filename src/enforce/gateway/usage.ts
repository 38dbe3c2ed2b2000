/**
 * A Messages API response's usage, with the four token kinds kept apart (DESIGN §3: never conflated) and cache
 * writes split by lifetime, because the 1-hour cache costs 2× input and the 5-minute one 1.25×
 * (claude-surfaces.md §6.3 `usage`, §6.4). `input` is the API's `input_tokens`: tokens after the last cache breakpoint.
 */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  serviceTier: string | null;
  inferenceGeo: string | null;
}

export const emptyUsage = (): Usage => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  serviceTier: null,
  inferenceGeo: null,
});

const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;

/**
 * Folds one `usage` object into `into`: fields present replace earlier values. That is the right merge for both
 * message_start's initial usage and message_delta's **cumulative** usage (§6.3), and for a JSON response's usage.
 * Only the fields read are checked (this runs on the response path; no schema over the whole object).
 */
export function foldUsage(into: Usage, raw: unknown): void {
  if (raw === null || typeof raw !== 'object') return;
  const u = raw as Record<string, unknown>;
  into.input = count(u.input_tokens) ?? into.input;
  into.output = count(u.output_tokens) ?? into.output;
  into.cacheRead = count(u.cache_read_input_tokens) ?? into.cacheRead;
  const created = count(u.cache_creation_input_tokens);
  const split = u.cache_creation as Record<string, unknown> | null | undefined;
  const w5 = split && typeof split === 'object' ? count(split.ephemeral_5m_input_tokens) : undefined;
  const w1 = split && typeof split === 'object' ? count(split.ephemeral_1h_input_tokens) : undefined;
  if (w5 !== undefined || w1 !== undefined) {
    into.cacheWrite5m = w5 ?? 0;
    into.cacheWrite1h = w1 ?? 0;
  } else if (created !== undefined) {
    // No split given: the default cache lifetime is 5 minutes.
    into.cacheWrite5m = created;
    into.cacheWrite1h = 0;
  }
  if (typeof u.service_tier === 'string') into.serviceTier = u.service_tier;
  if (typeof u.inference_geo === 'string') into.inferenceGeo = u.inference_geo;
}

export const totalTokens = (u: Usage): number => u.input + u.output + u.cacheRead + u.cacheWrite5m + u.cacheWrite1h;
