import type { Config } from '../../config/schema.js';
import type { GatewayPrice } from '../../config/gateway.schema.js';
import type { Usage } from './usage.js';

/**
 * Costs gateway requests from the configured price table (config `gateway.prices`, defaults = claude-surfaces.md
 * §6.4). USD per million tokens × tokens = micro-USD, so each term is an exact product. Modifiers (§6.4): fast mode
 * replaces input/output prices and the cache prices scale with the input price ("caching multipliers stack");
 * `service_tier: batch` takes the batch multiplier; `inference_geo` takes its multiplier on models marked `geo`.
 * A model the table does not know costs null (counted by the caller), never a silent 0.
 */

const SNAPSHOT = /^-\d{8}$/;

export class PriceTable {
  private readonly cache = new Map<string, GatewayPrice | null>();
  private readonly maxInput: number;
  private readonly maxOutput: number;

  constructor(private readonly settings: Config['gateway']) {
    this.maxInput = Math.max(0, ...settings.prices.map((p) => Math.max(p.input, p.fastInput ?? 0)));
    this.maxOutput = Math.max(0, ...settings.prices.map((p) => Math.max(p.output, p.fastOutput ?? 0)));
  }

  /** The entry for a model id: exact, a dated snapshot of it, or the longest `prefix*` entry. */
  find(model: string): GatewayPrice | null {
    const hit = this.cache.get(model);
    if (hit !== undefined) return hit;
    let best: GatewayPrice | null = null;
    let bestLength = -1;
    for (const p of this.settings.prices) {
      const prefix = p.model.endsWith('*');
      const stem = prefix ? p.model.slice(0, -1) : p.model;
      const matches = prefix
        ? model.startsWith(stem)
        : model === stem || (model.startsWith(stem) && SNAPSHOT.test(model.slice(stem.length)));
      // An exact (or snapshot) entry beats any prefix entry of the same length.
      const length = stem.length + (prefix ? 0 : 0.5);
      if (matches && length > bestLength) {
        best = p;
        bestLength = length;
      }
    }
    if (this.cache.size > 1_000) this.cache.clear();
    this.cache.set(model, best);
    return best;
  }

  /** Micro-USD for a request's usage, or null when the model has no price. */
  cost(model: string | null, usage: Usage, fast = false): number | null {
    const p = model ? this.find(model) : null;
    if (!p) return null;
    const fastMode = fast && p.fastInput !== undefined;
    const input = fastMode ? (p.fastInput as number) : p.input;
    const output = fastMode ? (p.fastOutput ?? p.output) : p.output;
    const scale = p.input > 0 ? input / p.input : 1;
    let micros =
      usage.input * input +
      usage.output * output +
      usage.cacheRead * p.cacheRead * scale +
      usage.cacheWrite5m * p.cacheWrite5m * scale +
      usage.cacheWrite1h * p.cacheWrite1h * scale;
    if (usage.serviceTier === 'batch') micros *= this.settings.batchMultiplier;
    if (p.geo && usage.inferenceGeo) micros *= this.settings.geoMultipliers[usage.inferenceGeo] ?? 1;
    return Math.round(micros);
  }

  /**
   * A budget estimate before forwarding: input tokens at the input price, max_tokens at the output price. A model
   * without a price is estimated at the table's highest prices, so an unknown model can never slip past a USD
   * budget as free.
   */
  estimate(model: string | null, inputTokens: number, maxTokens: number, fast = false): number {
    const p = model ? this.find(model) : null;
    if (!p) return Math.round(inputTokens * this.maxInput + maxTokens * this.maxOutput);
    const fastMode = fast && p.fastInput !== undefined;
    const input = fastMode ? (p.fastInput as number) : p.input;
    const output = fastMode ? (p.fastOutput ?? p.output) : p.output;
    return Math.round(inputTokens * input + maxTokens * output);
  }

  /** What settles a budget when the model has no price: the same conservative prices as the estimate. */
  fallbackCost(usage: Usage): number {
    return Math.round(
      (usage.input + usage.cacheRead + usage.cacheWrite5m + usage.cacheWrite1h) * this.maxInput +
        usage.output * this.maxOutput,
    );
  }
}
