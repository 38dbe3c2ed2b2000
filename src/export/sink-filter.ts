import type { ExportSeverity, ExportSource, SinkConfig } from '../config/export.schema.js';
import { severityAtLeast, type ExportRecord } from './export-record.js';

/**
 * A sink's filters (docs/exports.md "Filters"): sources, event kinds, audit actions (exact or `prefix.*`) and a
 * minimum severity. Unset filters take the defaults: both sources; every kind; every audit action except
 * `activity.seal` (the vault's own bookkeeping, one per ingest batch) and — when the sink also takes events —
 * `decision.*` (the vault's copy of the policy_decision events the sink already exports as findings, which would
 * otherwise page twice); severity info, but high for PagerDuty and Slack, which page and notify people.
 */

export function sinkSources(s: SinkConfig): readonly ExportSource[] {
  return s.filters.sources ?? ['events', 'audit'];
}

export function sinkMinSeverity(s: SinkConfig): ExportSeverity {
  return s.filters.minSeverity ?? (s.type === 'pagerduty' || s.type === 'slack' ? 'high' : 'info');
}

export function actionMatches(action: string, patterns: readonly string[] | undefined, withEvents = false): boolean {
  if (patterns === undefined) return action !== 'activity.seal' && !(withEvents && action.startsWith('decision.'));
  return patterns.some((p) => (p.endsWith('.*') ? action.startsWith(p.slice(0, -1)) : action === p));
}

export function accepts(s: SinkConfig, r: ExportRecord): boolean {
  if (!sinkSources(s).includes(r.source)) return false;
  if (!severityAtLeast(r.severity, sinkMinSeverity(s))) return false;
  if (r.source === 'events') return s.filters.kinds === undefined || s.filters.kinds.includes(r.kind);
  return actionMatches(r.kind, s.filters.actions, sinkSources(s).includes('events'));
}
