import type { ExportSeverity, SinkOf } from '../../config/export.schema.js';
import type { ExportRecord } from '../export-record.js';
import { describeAnswer, HttpPoster } from '../http-post.js';
import { DELIVERED, type Delivery, type DeliveryResult, type Sink } from './sink.js';

/**
 * Slack incoming webhooks (api.slack.com/messaging/webhooks): one POST of `{text, blocks}` per record; Slack
 * answers 200 with the body `ok`. `text` is the notification fallback; blocks carry a section and a context line.
 * Text is escaped for Slack's mrkdwn (`&`, `<`, `>`), so a name cannot become a link or a mention. 400
 * (invalid_payload) is a dead letter; 403/404/410 (revoked or archived) and 429/5xx are retried. The webhook URL
 * is the credential: it never appears in errors or the API.
 */
const ICON: Record<ExportSeverity, string> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class SlackSink implements Sink {
  readonly maxBatch = 1;
  private readonly url: URL;
  private readonly poster: HttpPoster;

  constructor(readonly config: SinkOf<'slack'>) {
    this.url = new URL(config.url);
    this.poster = new HttpPoster(config, config.timeoutMs, this.url.protocol === 'https:');
  }

  render(r: ExportRecord): unknown {
    const text = `${ICON[r.severity]} [${r.severity.toUpperCase()}] ${slackEscape(r.title)}`;
    const context = [`*${slackEscape(r.kind)}*`, new Date(r.time).toISOString(), `record \`${r.uid}\``];
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text } },
        { type: 'context', elements: context.map((t) => ({ type: 'mrkdwn', text: t })) },
      ],
    };
  }

  async deliver(batch: readonly Delivery[], signal: AbortSignal): Promise<DeliveryResult> {
    for (const d of batch) {
      const answer = await this.poster.post(
        this.url,
        JSON.stringify(d.payload),
        { 'content-type': 'application/json' },
        signal,
      );
      if (answer.status === 200) continue;
      const error = describeAnswer(answer);
      return { status: answer.status === 400 ? 'rejected' : 'retry', error };
    }
    return DELIVERED;
  }

  async close(): Promise<void> {
    this.poster.close();
  }
}
