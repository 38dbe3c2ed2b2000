import type { Config } from '../config/schema.js';
import type { PreparedBatch } from '../contracts/canonical.js';
import type { OpsMetrics } from '../ops/ops-metrics.js';
import { AppError } from '../errors/app-error.js';
import type { DecodePool } from './decode/decode-pool.js';
import type { OtlpSignal } from './decode/decode-job.js';
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
    return this.commit(signal, outcome.batch, protocol, started);
  }

  private async commit(
    signal: OtlpSignal,
    batch: PreparedBatch,
    protocol: OtlpProtocol,
    started: number,
  ): Promise<IngestOutcome> {
    try {
      await this.queue.submit(batch);
      const accepted = batch.rows.length + batch.metrics.length;
      this.metrics.ingestedEvents.inc({ signal, protocol }, accepted);
      if (batch.rejected > 0) this.metrics.rejects.inc({ reason: 'invalid_record' }, batch.rejected);
      this.metrics.ackLatency.observe({ protocol }, (performance.now() - started) / 1000);
      return {
        accepted,
        rejected: batch.rejected,
        errorMessage: batch.rejected > 0 ? batch.errors.join('; ') : undefined,
      };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      this.metrics.rejects.inc({ reason: typeof code === 'string' ? code : 'internal' });
      throw err;
    }
  }
}
