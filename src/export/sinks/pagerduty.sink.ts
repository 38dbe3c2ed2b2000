import type { ExportSeverity, SinkOf } from '../../config/export.schema.js';
import type { ExportRecord } from '../export-record.js';
import { describeAnswer, HttpPoster } from '../http-post.js';
import { DELIVERED, type Delivery, type DeliveryResult, type Sink } from './sink.js';

/**
 * PagerDuty Events API v2 (PagerDuty/developer-docs events-API-v2; anchors-audit-siem-dlp.md B9): one `trigger`
 * per record POSTed to /v2/enqueue, `dedup_key` = the record's stable id (≤ 255 characters), so a redelivery
 * updates the same alert instead of opening a second incident. 202 is success; 429 and 5xx are retried; 400 means
 * the event is invalid and it becomes a dead letter. The routing key is added at send time, never stored.
 * By default only high and critical records reach PagerDuty (the sink's minSeverity).
 */
const PD_SEVERITY: Record<ExportSeverity, string> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

export class PagerDutySink implements Sink {
  readonly maxBatch = 1;
  private readonly url: URL;
  private readonly poster: HttpPoster;

  constructor(readonly config: SinkOf<'pagerduty'>) {
    this.url = new URL(config.url);
    this.poster = new HttpPoster(config, config.timeoutMs, this.url.protocol === 'https:');
  }

  render(r: ExportRecord): unknown {
    const e = r.event;
    const details: Record<string, unknown> = {
      record: r.uid,
      kind: r.kind,
      severity: r.severity,
      actor: r.actor.email ?? r.actor.name ?? r.actor.id,
    };
    if (e) {
      for (const k of [
        'rule_id',
        'action',
        'enforced',
        'point',
        'stage',
        'policy_version',
        'detector_types',
      ] as const) {
        if (r.attrs[k] !== undefined) details[k] = r.attrs[k];
      }
      Object.assign(details, { session_id: e.session_id, model: e.model, tool: e.tool, mcp_server: e.mcp_server });
    }
    if (r.audit) Object.assign(details, { action: r.audit.row.action, subject_id: r.audit.row.subject_id });
    return {
      event_action: 'trigger',
      dedup_key: r.uid.slice(0, 255),
      payload: {
        summary: r.title.slice(0, 1024),
        source: r.actor.email ?? r.actor.name ?? 'steward',
        severity: PD_SEVERITY[r.severity],
        timestamp: new Date(r.time).toISOString(),
        component: e?.surface ?? 'steward',
        group: r.source,
        class: r.kind,
        custom_details: details,
      },
      client: 'Steward',
    };
  }

  async deliver(batch: readonly Delivery[], signal: AbortSignal): Promise<DeliveryResult> {
    for (const d of batch) {
      const body = JSON.stringify({ routing_key: this.config.routingKey, ...(d.payload as Record<string, unknown>) });
      const answer = await this.poster.post(this.url, body, { 'content-type': 'application/json' }, signal);
      if (answer.status === 202 || answer.status === 200) continue;
      const error = describeAnswer(answer);
      if (answer.status === 400) return { status: 'rejected', error };
      return { status: 'retry', error };
    }
    return DELIVERED;
  }

  async close(): Promise<void> {
    this.poster.close();
  }
}
