import type { DemoMetricName } from './demo-catalog.js';

/**
 * Pre-aggregates a session's metric measurements the way the SDK would within one collection: one point per
 * (metric, attribute set). Keeping the aggregation here lets the generator report exactly how many data points
 * the exporter will send, and lets tests check totals without an SDK.
 */

export type MetricAttributes = Readonly<Record<string, string | boolean>>;

export interface ScriptedMetricPoint {
  readonly name: DemoMetricName;
  readonly value: number;
  readonly attributes: MetricAttributes;
}

export class SessionMetrics {
  private readonly points = new Map<string, { name: DemoMetricName; value: number; attributes: MetricAttributes }>();

  constructor(private readonly common: MetricAttributes) {}

  /** Adds `value` to the point for (name, common + extra). Zero adds are dropped so no empty points are sent. */
  add(name: DemoMetricName, value: number, extra: MetricAttributes = {}): void {
    if (!(value > 0)) return;
    const attributes = { ...this.common, ...extra };
    const key = `${name}\u0000${JSON.stringify(extra)}`;
    const existing = this.points.get(key);
    if (existing) existing.value += value;
    else this.points.set(key, { name, value, attributes });
  }

  toPoints(): ScriptedMetricPoint[] {
    return [...this.points.values()];
  }
}
