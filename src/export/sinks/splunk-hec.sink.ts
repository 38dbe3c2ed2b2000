import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SinkOf } from '../../config/export.schema.js';
import type { ExportRecord } from '../export-record.js';
import { describeAnswer, HttpPoster, statusVerdict, type HttpAnswer } from '../http-post.js';
import { toOcsf } from '../ocsf.js';
import { DELIVERED, type Delivery, type DeliveryResult, type Sink } from './sink.js';

/**
 * Splunk HTTP Event Collector (help.splunk.com "Format events for HTTP Event Collector", "About HTTP Event
 * Collector Indexer Acknowledgment"; anchors-audit-siem-dlp.md B5): a batch is one POST to
 * /services/collector/event of concatenated event objects `{time, host, source, sourcetype, index?, event, fields}`
 * with `Authorization: Splunk <token>`; `time` is epoch seconds with milliseconds. The record's stable id travels
 * as the indexed field `steward_uid` (HEC itself does not deduplicate).
 *
 * With `ackEnabled` every request carries `X-Splunk-Request-Channel` (one random GUID per sink and process), the
 * response's `ackId` is polled at /services/collector/ack until the indexer confirms it, and only then is the batch
 * delivered; a plain 200 only means the payload looked valid. No acknowledgement within `ackTimeoutMs` sends the
 * batch again (at-least-once).
 */
const ACK_POLL_MS = 250;
/** HEC status codes (in the JSON body of a 400) that mean the channel, not the data, is at fault. */
const CHANNEL_CODES = new Set([10, 11]);

export class SplunkHecSink implements Sink {
  readonly maxBatch: number;
  private readonly eventUrl: URL;
  private readonly ackUrl: URL;
  private readonly poster: HttpPoster;
  private readonly channel = randomUUID();
  private readonly host = hostname();

  constructor(
    readonly config: SinkOf<'splunk_hec'>,
    batchSize: number,
  ) {
    this.maxBatch = batchSize;
    const base = config.url.replace(/\/+$/, '').replace(/\/services\/collector(\/event)?$/, '');
    this.eventUrl = new URL(`${base}/services/collector/event`);
    this.ackUrl = new URL(`${base}/services/collector/ack`);
    this.ackUrl.searchParams.set('channel', this.channel);
    this.poster = new HttpPoster(config, config.timeoutMs, this.eventUrl.protocol === 'https:');
  }

  render(record: ExportRecord): unknown {
    return {
      time: record.time / 1000,
      host: this.host,
      source: this.config.source,
      sourcetype: this.config.sourcetype,
      ...(this.config.index ? { index: this.config.index } : {}),
      event: toOcsf(record),
      fields: { steward_uid: record.uid, steward_severity: record.severity },
    };
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Splunk ${this.config.token}`,
      'content-type': 'application/json',
      ...(this.config.ackEnabled ? { 'x-splunk-request-channel': this.channel } : {}),
    };
  }

  async deliver(batch: readonly Delivery[], signal: AbortSignal): Promise<DeliveryResult> {
    const body = batch.map((d) => JSON.stringify(d.payload)).join('\n');
    const answer = await this.poster.post(this.eventUrl, body, this.headers(), signal);
    const verdict = hecVerdict(answer);
    if (verdict !== 'delivered') return { status: verdict, error: describeAnswer(answer) };
    if (!this.config.ackEnabled) return DELIVERED;
    const ackId = readAckId(answer.body);
    if (ackId === undefined)
      return { status: 'retry', error: `HEC answered without an ackId: ${describeAnswer(answer)}` };
    return this.awaitAck(ackId, signal);
  }

  private async awaitAck(ackId: number, signal: AbortSignal): Promise<DeliveryResult> {
    const deadline = Date.now() + this.config.ackTimeoutMs;
    for (;;) {
      const answer = await this.poster.post(this.ackUrl, JSON.stringify({ acks: [ackId] }), this.headers(), signal);
      if (answer.status !== 200) return { status: 'retry', error: `ack poll: ${describeAnswer(answer)}` };
      if (readAck(answer.body, ackId)) return DELIVERED;
      if (Date.now() >= deadline) {
        return {
          status: 'retry',
          error: `no indexer acknowledgement for ackId ${ackId} within ${this.config.ackTimeoutMs} ms`,
        };
      }
      if (signal.aborted) return { status: 'retry', error: 'stopped while waiting for the acknowledgement' };
      await new Promise((r) => setTimeout(r, ACK_POLL_MS));
    }
  }

  async close(): Promise<void> {
    this.poster.close();
  }
}

function json(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function hecVerdict(a: HttpAnswer): 'delivered' | 'retry' | 'rejected' {
  if (a.status === 400) {
    const code = json(a.body)?.code;
    if (typeof code === 'number' && CHANNEL_CODES.has(code)) return 'retry';
  }
  return statusVerdict(a.status);
}

function readAckId(body: string): number | undefined {
  const id = json(body)?.ackId;
  return typeof id === 'number' && Number.isInteger(id) ? id : undefined;
}

function readAck(body: string, ackId: number): boolean {
  const acks = json(body)?.acks;
  return typeof acks === 'object' && acks !== null && (acks as Record<string, unknown>)[String(ackId)] === true;
}
