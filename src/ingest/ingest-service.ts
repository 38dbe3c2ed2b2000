import type { Config } from '../config/schema.js';
import type { NormalisedBatch } from '../contracts/canonical.js';
import type { OpsMetrics } from '../ops/ops-metrics.js';
import type { GroupCommitQueue } from './group-commit.js';
import { normaliseLogs, type NormaliseOptions } from './normalise/normalise-logs.js';
import { normaliseMetrics } from './normalise/normalise-metrics.js';
import { normaliseTraces } from './normalise/normalise-traces.js';

export type OtlpSignal = 'logs' | 'metrics' | 'traces';
export type OtlpProtocol = 'http/json' | 'http/protobuf' | 'grpc';

export interface IngestOutcome {
  rejected: number;
  errorMessage: string | undefined;
  accepted: number;
}

/**
 * Decoded OTLP request → normalised batch → group commit. Shared by the HTTP and gRPC receivers so both behave
 * identically; resolves only after the batch is committed.
 */
export class IngestService {
  private readonly normaliseOptions: NormaliseOptions;

  constructor(
    config: Config,
    private readonly queue: GroupCommitQueue,
    private readonly metrics: OpsMetrics,
  ) {
    this.normaliseOptions = {
      capture: config.content.capture,
      limits: { maxValueBytes: config.ingest.maxAttributeBytes },
      now: Date.now,
    };
  }

  normalise(signal: OtlpSignal, request: unknown): NormalisedBatch {
    switch (signal) {
      case 'logs':
        return normaliseLogs(request, this.normaliseOptions);
      case 'metrics':
        return normaliseMetrics(request, this.normaliseOptions);
      case 'traces':
        return normaliseTraces(request, this.normaliseOptions);
    }
  }

  async ingest(signal: OtlpSignal, request: unknown, protocol: OtlpProtocol): Promise<IngestOutcome> {
    const started = performance.now();
    const batch = this.normalise(signal, request);
    try {
      const result = await this.queue.submit(batch);
      const accepted = batch.events.length + batch.metrics.length;
      this.metrics.ingestedEvents.inc({ signal, protocol }, accepted);
      const dups = result.eventsDuplicate + result.metricsDuplicate;
      if (dups > 0) this.metrics.duplicateEvents.inc({ signal }, 0); // group totals; per-request dups not tracked
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
