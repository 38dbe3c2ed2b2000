import type { SinkOf } from '../../config/export.schema.js';
import type { ExportRecord } from '../export-record.js';
import { describeAnswer, HttpPoster, statusVerdict } from '../http-post.js';
import { toOcsf } from '../ocsf.js';
import { DELIVERED, type Delivery, type DeliveryResult, type Sink } from './sink.js';

/** OCSF 1.8.0 events POSTed as one JSON array per batch (`Authorization: Bearer <token>` when configured). */
export class OcsfHttpSink implements Sink {
  readonly maxBatch: number;
  private readonly url: URL;
  private readonly poster: HttpPoster;

  constructor(
    readonly config: SinkOf<'ocsf_http'>,
    batchSize: number,
  ) {
    this.maxBatch = batchSize;
    this.url = new URL(config.url);
    this.poster = new HttpPoster(config, config.timeoutMs, this.url.protocol === 'https:');
  }

  render(record: ExportRecord): unknown {
    return toOcsf(record);
  }

  async deliver(batch: readonly Delivery[], signal: AbortSignal): Promise<DeliveryResult> {
    const body = `[${batch.map((d) => JSON.stringify(d.payload)).join(',')}]`;
    const answer = await this.poster.post(
      this.url,
      body,
      {
        'content-type': 'application/json',
        ...(this.config.token ? { authorization: `Bearer ${this.config.token}` } : {}),
      },
      signal,
    );
    const verdict = statusVerdict(answer.status);
    return verdict === 'delivered' ? DELIVERED : { status: verdict, error: describeAnswer(answer) };
  }

  async close(): Promise<void> {
    this.poster.close();
  }
}
