import type { DemoModel, Surface } from './demo-catalog.js';
import { costUsd, costUsdMicros, type TokenUsage } from './model-prices.js';
import type { SeededRandom } from './seeded-random.js';
import type { SessionMetrics } from './session-metrics.js';
import type { EventAttributes } from './session-script.js';

/**
 * One model call as the client reports it: `api_request` then `assistant_response` (where the app version has
 * it), or — when the client's retries give up — a single `api_error` (claude-surfaces.md §1.6: one per failed
 * turn, `attempt` = total attempts). Claude Code also counts cost and tokens into its delta-sum metrics.
 */

export interface ApiCallOptions {
  readonly querySource: 'main' | 'subagent';
  readonly agentId?: string;
  readonly agentType?: string;
}

export interface ApiCallContext {
  readonly random: SeededRandom;
  readonly surface: Surface;
  readonly model: DemoModel;
  readonly metrics: SessionMetrics | null;
  readonly emitsAssistantResponse: boolean;
  emit(name: string, attributes: EventAttributes): void;
  advance(ms: number): void;
  addCliTime(ms: number): void;
  addCost(cost: number): void;
  nextApiCallIndex(): number;
}

const REDACTED = '<REDACTED>';
const EFFORT = 'medium';
/** Rough streaming speed per model, so durations (and active time) scale with output like the real thing. */
const MS_PER_OUTPUT_TOKEN: Readonly<Record<DemoModel, number>> = {
  'claude-opus-5': 28,
  'claude-sonnet-5': 16,
  'claude-haiku-4-5': 7,
};
const API_ERRORS: readonly (readonly [{ status: number; message: string }, number])[] = [
  [{ status: 529, message: 'Overloaded' }, 5],
  [{ status: 429, message: 'Number of request tokens has exceeded your per-minute rate limit' }, 3],
  [{ status: 500, message: 'Internal server error' }, 2],
];

/** Returns the request id, or null when the call ended in `api_error` (the turn stops there). */
export function runApiCall(context: ApiCallContext, options: ApiCallOptions): string | null {
  const { random } = context;
  const subagent = options.querySource === 'subagent';
  const agentType = options.agentType ?? 'general-purpose';
  const model: DemoModel = subagent && random.chance(0.5) ? 'claude-haiku-4-5' : context.model;
  // Observed values: `sdk` for the main thread, `agent:builtin:<type>` inside a subagent (catalog.json).
  const querySource = subagent ? `agent:builtin:${agentType}` : 'sdk';
  const agent: EventAttributes = subagent ? { agent_id: options.agentId ?? '' } : {};

  if (random.chance(0.012)) {
    const failure = random.weighted(API_ERRORS);
    const duration = Math.round(random.logNormal(8_000, 0.8));
    context.advance(duration);
    context.emit('api_error', {
      model,
      error: failure.message,
      // Cowork reports status_code as a string (claude-surfaces.md §2.2); Claude Code as an int.
      status_code: context.surface === 'cowork' ? String(failure.status) : failure.status,
      duration_ms: duration,
      attempt: random.int(2, 11),
      request_id: requestId(random),
      speed: 'normal',
      query_source: querySource,
      effort: EFFORT,
      ...agent,
    });
    return null;
  }

  const usage = sampleTokenUsage(random, model, context.surface, subagent, context.nextApiCallIndex());
  const cost = costUsd(model, usage);
  const ttft = Math.round(random.logNormal(1_100, 0.4));
  const duration = Math.round(ttft + usage.output * MS_PER_OUTPUT_TOKEN[model] * random.logNormal(1, 0.2));
  context.advance(duration);
  context.addCliTime(duration);
  context.addCost(cost);
  const id = requestId(random);
  context.emit('api_request', {
    model,
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_read_tokens: usage.cacheRead,
    cache_creation_tokens: usage.cacheCreation5m + usage.cacheCreation1h,
    cache_creation_5m_tokens: usage.cacheCreation5m,
    cache_creation_1h_tokens: usage.cacheCreation1h,
    cost_usd: cost,
    cost_usd_micros: costUsdMicros(cost),
    duration_ms: duration,
    ttft_ms: ttft,
    request_id: id,
    speed: 'normal',
    query_source: querySource,
    effort: EFFORT,
    ...(subagent ? { 'agent.name': agentType } : {}),
    ...agent,
  });
  if (context.emitsAssistantResponse) {
    context.advance(random.int(1, 4));
    context.emit('assistant_response', {
      response_length: Math.max(1, Math.round(usage.output * random.logNormal(3.2, 0.3))),
      response: REDACTED,
      request_id: id,
      'message.uuid': random.uuid(),
      model,
      query_source: querySource,
      ...agent,
    });
  }

  // Metrics use main/subagent for query_source (claude-surfaces.md §1.5), unlike the events.
  const attributes = {
    model,
    query_source: options.querySource,
    effort: EFFORT,
    ...(subagent ? { 'agent.name': agentType } : {}),
  };
  const metrics = context.metrics;
  metrics?.add('claude_code.cost.usage', cost, attributes);
  metrics?.add('claude_code.token.usage', usage.input, { ...attributes, type: 'input' });
  metrics?.add('claude_code.token.usage', usage.output, { ...attributes, type: 'output' });
  metrics?.add('claude_code.token.usage', usage.cacheRead, { ...attributes, type: 'cacheRead' });
  const creation = usage.cacheCreation5m + usage.cacheCreation1h;
  metrics?.add('claude_code.token.usage', creation, { ...attributes, type: 'cacheCreation' });
  return id;
}

/**
 * Claude Code's `input_tokens` is only what follows the last cache breakpoint, so it stays small while cache
 * reads grow with the conversation; the first call of a session writes the system prompt to the cache.
 */
function sampleTokenUsage(
  random: SeededRandom,
  model: DemoModel,
  surface: Surface,
  subagent: boolean,
  callIndex: number,
): TokenUsage {
  const scale = (surface === 'cowork' ? 0.8 : 1) * (subagent ? 0.5 : 1);
  const first = callIndex === 0;
  const cacheRead = first
    ? random.int(0, 14_000)
    : Math.min(190_000, Math.round((25_000 + (callIndex + 1) * random.logNormal(6_000, 0.5)) * scale));
  const cacheCreation5m = Math.round(random.logNormal(first ? 18_000 : 2_000, first ? 0.3 : 0.8) * scale);
  const input = Math.max(1, Math.round(random.logNormal(30, 1.2)));
  let output = Math.min(32_000, Math.max(1, Math.round(random.logNormal(450, 0.9))));
  // An integral cost would be encoded as intValue by the OTLP transformer; the client always sends a double.
  while (Number.isInteger(costUsd(model, { input, output, cacheRead, cacheCreation5m, cacheCreation1h: 0 }))) output++;
  return { input, output, cacheRead, cacheCreation5m, cacheCreation1h: 0 };
}

function requestId(random: SeededRandom): string {
  return `req_011C${random.base62(20)}`;
}
