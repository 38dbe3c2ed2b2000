import type { NormalisedBatch, NormalisedMetricPoint, Temporality } from '../../contracts/canonical.js';
import { emptyBatch } from '../../contracts/canonical.js';
import {
  attributesToObject,
  clipText,
  identifier,
  MAX_KEY_LENGTH,
  nanosToMillis,
  str,
  toNumber,
} from '../otlp/values.js';
import { dedupeKey, stableJson } from './dedupe-key.js';
import { identityHints, sessionHints } from './identity-hints.js';
import { field, type NormaliseOptions } from './normalise-logs.js';
import { surfaceOf } from './surface.js';

/**
 * OTLP metrics → canonical metric points. Claude Code sends monotonic Sums, DELTA by default and CUMULATIVE on
 * request (observed §3.2); GenAI semconv sends histograms (reference §7). Cumulative points are turned into deltas
 * at commit time against stored series state, so neither temporality double counts. Histograms contribute their
 * `sum`. The data-point `type` attribute (claude_code.token.usage) or `gen_ai.token.type` becomes the type column.
 */
const AGGREGATION_TEMPORALITY_DELTA = 1;
const AGGREGATION_TEMPORALITY_CUMULATIVE = 2;

export function normaliseMetrics(request: unknown, opts: NormaliseOptions): NormalisedBatch {
  const batch = emptyBatch();
  const resourceMetrics = field(request, 'resourceMetrics');
  if (resourceMetrics === undefined) return batch;
  if (!Array.isArray(resourceMetrics)) {
    batch.rejected += 1;
    batch.errors.push('resourceMetrics must be an array');
    return batch;
  }
  for (const rm of resourceMetrics as unknown[]) {
    const resource = attributesToObject(field(field(rm, 'resource'), 'attributes'), opts.limits);
    const scopes = field(rm, 'scopeMetrics');
    if (!Array.isArray(scopes)) continue;
    for (const sm of scopes as unknown[]) {
      const metrics = field(sm, 'metrics');
      if (!Array.isArray(metrics)) continue;
      for (const metric of metrics as unknown[]) normaliseMetric(metric, resource, opts, batch);
    }
  }
  return batch;
}

function normaliseMetric(
  metric: unknown,
  resource: Record<string, unknown>,
  opts: NormaliseOptions,
  batch: NormalisedBatch,
): void {
  const rawName = field(metric, 'name');
  if (typeof rawName !== 'string' || !rawName) {
    // OTLP counts rejected data points, not metrics (ExportMetricsPartialSuccess.rejected_data_points).
    const data = field(metric, 'sum') ?? field(metric, 'histogram') ?? field(metric, 'gauge');
    const points = field(data, 'dataPoints');
    batch.rejected += Array.isArray(points) && points.length > 0 ? points.length : 1;
    if (batch.errors.length < 5) batch.errors.push('metric without a name');
    return;
  }
  const name = clipText(rawName, MAX_KEY_LENGTH);
  const unitRaw = field(metric, 'unit');
  const unit = typeof unitRaw === 'string' && unitRaw ? unitRaw : null;
  const sum = field(metric, 'sum');
  const histogram = field(metric, 'histogram');
  const gauge = field(metric, 'gauge');
  const data = sum ?? histogram ?? gauge;
  const points = field(data, 'dataPoints');
  if (!Array.isArray(points)) return; // summaries and exponential histograms carry no Claude usage data
  const temporalityCode = toNumber(field(data, 'aggregationTemporality'));
  const temporality: Temporality = gauge
    ? 'gauge'
    : temporalityCode === AGGREGATION_TEMPORALITY_CUMULATIVE
      ? 'cumulative'
      : temporalityCode === AGGREGATION_TEMPORALITY_DELTA || temporalityCode === undefined
        ? 'delta'
        : 'delta';
  for (const dp of points as unknown[]) {
    const value = histogram
      ? toNumber(field(dp, 'sum'))
      : (toNumber(field(dp, 'asDouble')) ?? toNumber(field(dp, 'asInt')));
    const time = nanosToMillis(field(dp, 'timeUnixNano'));
    if (value === undefined || time === undefined) {
      batch.rejected += 1;
      if (batch.errors.length < 5) batch.errors.push(`metric ${name}: data point without a value or time`);
      continue;
    }
    const own = attributesToObject(field(dp, 'attributes'), opts.limits);
    const a = { ...resource, ...own };
    const startTime = nanosToMillis(field(dp, 'startTimeUnixNano')) ?? 0;
    const seriesKey = dedupeKey(['series', name, stableJson(resource), stableJson(own)]);
    const identity = identityHints(a);
    const point: NormalisedMetricPoint = {
      seriesKey,
      temporality,
      startTime,
      time,
      name,
      unit,
      surface: surfaceOf(str(resource, 'service.name'), name.startsWith('claude_code.') ? 'claude_code' : null),
      sessionId: identifier(str(a, 'session.id')),
      model: str(a, 'model') ?? str(a, 'gen_ai.response.model') ?? str(a, 'gen_ai.request.model'),
      type: str(own, 'type') ?? str(own, 'gen_ai.token.type'),
      value,
      department: identity.department,
      team: identity.team,
      attrs: own,
      identity,
      session: sessionHints(a),
    };
    batch.metrics.push(point);
  }
}
