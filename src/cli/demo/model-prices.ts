import type { DemoModel } from './demo-catalog.js';

/**
 * USD per million tokens, from claude-surfaces.md §6.4 (snapshot 2026-08). The demo computes `cost_usd` the way
 * the client does (a local estimate from a price table), so dashboards built on the demo add up exactly.
 */
export interface ModelPrice {
  readonly input: number;
  readonly cacheWrite5m: number;
  readonly cacheWrite1h: number;
  readonly cacheRead: number;
  readonly output: number;
}

export const MODEL_PRICES_USD_PER_MTOK: Readonly<Record<DemoModel, ModelPrice>> = {
  'claude-opus-5': { input: 5, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5, output: 25 },
  'claude-sonnet-5': { input: 2, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2, output: 10 },
  'claude-haiku-4-5': { input: 1, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1, output: 5 },
};

/** Token counts exactly as `api_request` reports them (input excludes cache reads and writes). */
export interface TokenUsage {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheCreation5m: number;
  readonly cacheCreation1h: number;
}

export function costUsd(model: DemoModel, usage: TokenUsage): number {
  const price = MODEL_PRICES_USD_PER_MTOK[model];
  return (
    (usage.input * price.input +
      usage.output * price.output +
      usage.cacheRead * price.cacheRead +
      usage.cacheCreation5m * price.cacheWrite5m +
      usage.cacheCreation1h * price.cacheWrite1h) /
    1_000_000
  );
}

/** `cost_usd_micros` as the CLI reports it: the cost rounded to whole micro-dollars (fixture: 0.0017448 → 1745). */
export function costUsdMicros(cost: number): number {
  return Math.round(cost * 1_000_000);
}
