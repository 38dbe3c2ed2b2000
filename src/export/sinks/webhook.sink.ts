import type { SinkOf } from '../../config/export.schema.js';
import { signWebhook, webhookKey } from '../../enforce/inference/standard-webhooks.js';
import type { ExportRecord } from '../export-record.js';
import { describeAnswer, HttpPoster, statusVerdict } from '../http-post.js';
import { toOcsf } from '../ocsf.js';
import { DELIVERED, type Delivery, type DeliveryResult, type Sink } from './sink.js';

/**
 * Generic webhooks signed per Standard Webhooks 1.0.0 (anchors-audit-siem-dlp.md B10): one POST per record with
 * `webhook-id` (the record's stable id, the same on every retry, so receivers deduplicate), `webhook-timestamp`
 * (unix seconds of this attempt) and `webhook-signature` = `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`
 * with the key base64-decoded from the `whsec_` secret (the signer the inference hooks verify with). The body is the
 * spec's recommended envelope: `{type, timestamp, data}` with the OCSF event as data.
 */
export function webhookHeaders(key: Buffer, id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(key, id, timestamp, body),
  };
}

export class WebhookSink implements Sink {
  readonly maxBatch = 1;
  private readonly url: URL;
  private readonly key: Buffer;
  private readonly poster: HttpPoster;

  constructor(readonly config: SinkOf<'webhook'>) {
    this.url = new URL(config.url);
    this.key = webhookKey(config.secret);
    this.poster = new HttpPoster(config, config.timeoutMs, this.url.protocol === 'https:');
  }

  render(record: ExportRecord): unknown {
    return { type: `steward.${record.class}`, timestamp: new Date(record.time).toISOString(), data: toOcsf(record) };
  }

  async deliver(batch: readonly Delivery[], signal: AbortSignal): Promise<DeliveryResult> {
    for (const d of batch) {
      const body = JSON.stringify(d.payload);
      const headers = webhookHeaders(this.key, `msg_${d.uid}`, Math.floor(Date.now() / 1000), body);
      const answer = await this.poster.post(this.url, body, headers, signal);
      const verdict = statusVerdict(answer.status);
      if (verdict !== 'delivered') return { status: verdict, error: describeAnswer(answer) };
    }
    return DELIVERED;
  }

  async close(): Promise<void> {
    this.poster.close();
  }
}
