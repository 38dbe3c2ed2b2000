import type { Config } from '../config/schema.js';
import type { PreparedBatch } from '../contracts/canonical.js';
import type { OpsMetrics } from '../ops/ops-metrics.js';
import { AppError } from '../errors/app-error.js';
import type { DecodePool } from './decode/decode-pool.js';
import type { OtlpSignal } from './decode/decode-job.js';
import type { CommitItem } from './committer.js';
import type { GroupCommitQueue } from './group-commit.js';

export type { OtlpSignal } from './decode/decode-job.js';
export type OtlpProtocol = 'http/json' | 'http/protobuf' | 'grpc';

export interface IngestOutcome {
  rejected: number;
  errorMessage: string | undefined;
  accepted: number;
}

/**
 * Raw OTLP body → decode worker (decompress, decode, normalise, prepare) → group commit. Shared by the HTTP and gRPC
 * receivers so both behave identically; resolves only after the batch is committed.
 */
export class IngestService {
  constructor(
    private readonly config: Config,
    private readonly queue: GroupCommitQueue,
    private readonly metrics: OpsMetrics,
    private readonly pool: DecodePool,
  ) {}

  /** A raw OTLP body (HTTP, or gRPC after grpc-js undid its compression): decompressed, decoded and normalised on a decode worker, then committed. */
  async ingestBody(
    signal: OtlpSignal,
    body: Uint8Array,
    format: { protobuf: boolean; gzip: boolean },
    protocol: OtlpProtocol = format.protobuf ? 'http/protobuf' : 'http/json',
  ): Promise<IngestOutcome> {
    const started = performance.now();
    // Refuse early, before spending a decode on a batch the full (or closing) queue would refuse anyway.
    if (this.queue.closed) {
      throw new AppError('overloaded', 'server is shutting down', undefined, {
        retryAfterSeconds: this.config.ingest.retryAfterSeconds,
      });
    }
    if (this.queue.depth >= this.config.ingest.maxQueueEvents) {
      this.metrics.rejects.inc({ reason: 'overloaded' });
      throw new AppError('overloaded', `ingest queue full (${this.queue.depth} events waiting)`, undefined, {
        retryAfterSeconds: this.config.ingest.retryAfterSeconds,
      });
    }
    let outcome;
    try {
      outcome = await this.pool.run({
        signal,
        ...format,
        body,
        maxDecompressedBytes: this.config.ingest.maxDecompressedBytes,
        capture: this.config.content.capture,
        maxAttributeBytes: this.config.ingest.maxAttributeBytes,
      });
    } catch (err) {
      this.metrics.rejects.inc({ reason: 'decode_worker' });
      throw new AppError('overloaded', 'decoder restarted; retry', undefined, {
        retryAfterSeconds: this.config.ingest.retryAfterSeconds,
        cause: err,
      });
    }
    if (!outcome.ok) {
      this.metrics.rejects.inc({ reason: outcome.code });
      throw new AppError(outcome.code, outcome.message);
    }
    return 'held' in outcome
      ? this.commit(signal, { size: outcome.held.size, ticket: outcome.held.ticket }, outcome.held, protocol, started)
      : this.commit(signal, sized(outcome.batch), outcome.batch, protocol, started);
  }

  private async commit(
    signal: OtlpSignal,
    item: CommitItem,
    outcome: { rejected: number; errors: string[] },
    protocol: OtlpProtocol,
    started: number,
  ): Promise<IngestOutcome> {
    try {
      await this.queue.submitItem(item);
      const accepted = item.size;
      this.metrics.ingestedEvents.inc({ signal, protocol }, accepted);
      if (outcome.rejected > 0) this.metrics.rejects.inc({ reason: 'invalid_record' }, outcome.rejected);
      this.metrics.ackLatency.observe({ protocol }, (performance.now() - started) / 1000);
      return {
        accepted,
        rejected: outcome.rejected,
        errorMessage: outcome.rejected > 0 ? outcome.errors.join('; ') : undefined,
      };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      this.metrics.rejects.inc({ reason: typeof code === 'string' ? code : 'internal' });
      throw err;
    }
  }
}

const sized = (batch: PreparedBatch): CommitItem => ({ size: batch.rows.length + batch.metrics.length, batch });
