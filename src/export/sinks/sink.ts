import type { SinkConfig } from '../../config/export.schema.js';
import type { ExportRecord } from '../export-record.js';

/**
 * A sink renders records for its receiver when they are enqueued (the outbox row's payload) and delivers batches of
 * them later. `deliver` answers for the whole batch: delivered, retry (a transient failure: backoff, and dead after
 * `export.maxAttempts`), or rejected (the receiver refused the content itself: a batch of several is split and
 * retried record by record, a single record becomes a dead letter at once). Thrown errors count as retry.
 */
export interface Delivery {
  id: number;
  uid: string;
  kind: string;
  severity: string;
  payload: unknown;
}

export type DeliveryResult =
  { status: 'delivered' } | { status: 'retry'; error: string } | { status: 'rejected'; error: string };

export interface Sink {
  readonly config: SinkConfig;
  /** Most records one delivery carries (1 for webhooks, PagerDuty and Slack: one request per record). */
  readonly maxBatch: number;
  render(record: ExportRecord): unknown;
  /** `signal` aborts when the exporter stops: in-flight requests end, and the batch is released, not failed. */
  deliver(batch: readonly Delivery[], signal: AbortSignal): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export const DELIVERED: DeliveryResult = { status: 'delivered' };
