import {
  claimDue,
  markDead,
  markDelivered,
  markFailed,
  releaseRows,
  type OutboxRow,
} from '../store/export-outbox.repo.js';
import type { Store } from '../store/store.js';
import type { Delivery, DeliveryResult, Sink } from './sinks/sink.js';

/**
 * The dispatcher of one sink: claims the sink's oldest due outbox rows (a lease, not a held transaction), delivers
 * them in chunks of the sink's batch size, and records the outcome — delivered; a transient failure (attempts + 1,
 * next attempt after exponential backoff with jitter, dead after `maxAttempts`); or a rejection of the content
 * (a chunk of several is retried record by record, a single record becomes a dead letter at once).
 *
 * After a transient failure the whole sink waits until the failed rows are due again, and they are retried first,
 * in order, together with what arrived meanwhile: a receiver that is down gets one request per backoff step, not
 * one per record. When the exporter stops, in-flight chunks are released (no attempt counted) and delivered again
 * by the next run — at-least-once.
 */
export interface DispatchSettings {
  batchSize: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a claim holds rows before another dispatcher (a replica after a crash) may take them. */
  leaseMs: number;
  random?: () => number;
}

export interface DispatchEvents {
  delivered(n: number): void;
  failed(n: number, error: string): void;
  dead(n: number): void;
}

export interface DispatchResult {
  delivered: number;
  failed: number;
  dead: number;
  /** More rows may be due now (a full claim delivered without failure). */
  more: boolean;
}

/** Exponential backoff with "equal jitter": half the step fixed, half random (AWS Architecture Blog, 2015). */
export function backoffMs(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  const step = Math.min(max, base * 2 ** Math.min(attempt - 1, 40));
  return Math.round(step / 2 + random() * (step / 2));
}

export class SinkDispatcher {
  /** The sink waits until then after a transient failure. */
  pausedUntil = 0;

  constructor(
    private readonly store: Store,
    readonly sink: Sink,
    private readonly settings: DispatchSettings,
    private readonly events: DispatchEvents,
  ) {}

  /** Rows claimed at a time: a whole batch, or for one-request-per-record sinks a few at a time. */
  private get claimSize(): number {
    return this.sink.maxBatch === 1 ? Math.min(this.settings.batchSize, 25) : this.settings.batchSize;
  }

  async runOnce(now: number, signal: AbortSignal): Promise<DispatchResult> {
    const result: DispatchResult = { delivered: 0, failed: 0, dead: 0, more: false };
    if (now < this.pausedUntil || signal.aborted) return result;
    const rows = await claimDue(this.store, {
      sink: this.sink.config.name,
      now,
      leaseMs: this.settings.leaseMs,
      limit: this.claimSize,
    });
    const chunks: OutboxRow[][] = [];
    for (let i = 0; i < rows.length; i += this.sink.maxBatch) chunks.push(rows.slice(i, i + this.sink.maxBatch));
    // Deliveries of one claim are marked together (one UPDATE, not one per webhook); a crash before the mark only
    // means they are delivered again (at-least-once).
    const delivered: number[] = [];
    try {
      for (let i = 0; i < chunks.length; i++) {
        if (await this.deliverChunk(chunks[i] ?? [], signal, result, delivered)) continue;
        const rest = chunks.slice(i + 1).flat();
        await releaseRows(
          this.store.db,
          rest.map((r) => r.id),
        );
        return result;
      }
      result.more = rows.length === this.claimSize;
      return result;
    } finally {
      if (delivered.length > 0) {
        await markDelivered(this.store.db, delivered, Date.now());
        this.events.delivered(delivered.length);
      }
    }
  }

  /** False when the sink must stop for now (transient failure, or the exporter is stopping). */
  private async deliverChunk(
    chunk: readonly OutboxRow[],
    signal: AbortSignal,
    result: DispatchResult,
    delivered: number[],
  ): Promise<boolean> {
    const outcome = await this.attempt(chunk, signal);
    const ids = chunk.map((r) => r.id);
    if (signal.aborted && outcome.status !== 'delivered') {
      await releaseRows(this.store.db, ids);
      return false;
    }
    switch (outcome.status) {
      case 'delivered':
        delivered.push(...ids);
        result.delivered += ids.length;
        return true;
      case 'rejected':
        if (chunk.length > 1) {
          for (let i = 0; i < chunk.length; i++) {
            if (await this.deliverChunk(chunk.slice(i, i + 1), signal, result, delivered)) continue;
            await releaseRows(
              this.store.db,
              chunk.slice(i + 1).map((r) => r.id),
            );
            return false;
          }
          return true;
        }
        await markDead(this.store.db, ids, `rejected: ${outcome.error}`);
        result.dead += ids.length;
        this.events.dead(ids.length);
        return true;
      case 'retry': {
        const attempt = Math.max(...chunk.map((r) => r.attempts)) + 1;
        const { backoffBaseMs, backoffMaxMs, maxAttempts, random } = this.settings;
        const nextAttemptAt = Date.now() + backoffMs(attempt, backoffBaseMs, backoffMaxMs, random);
        const dead = await markFailed(this.store.db, ids, { error: outcome.error, nextAttemptAt, maxAttempts });
        // Wait for the failed rows to be due again — unless they all just became dead letters: nothing is left to
        // wait for, and a re-queue of them must not sit out a backoff that no longer applies.
        this.pausedUntil = dead === ids.length ? 0 : nextAttemptAt;
        result.failed += ids.length;
        result.dead += dead;
        this.events.failed(ids.length, outcome.error);
        if (dead > 0) this.events.dead(dead);
        return false;
      }
    }
  }

  private async attempt(chunk: readonly OutboxRow[], signal: AbortSignal): Promise<DeliveryResult> {
    try {
      const batch: Delivery[] = chunk.map((r) => ({
        id: r.id,
        uid: r.uid,
        kind: r.kind,
        severity: r.severity,
        payload: JSON.parse(r.payload) as unknown,
      }));
      return await this.sink.deliver(batch, signal);
    } catch (err) {
      return { status: 'retry', error: err instanceof Error ? err.message : String(err) };
    }
  }
}
