import type { EventValues } from '../contracts/event-columns.js';
import { ROLLUP_METRICS } from '../contracts/rollup-columns.js';
import { deleteRollupsSince, lockRollups, readEventChunk, readMetricChunk } from '../store/rollups.repo.js';
import type { Store } from '../store/store.js';
import { addEvent, addMetricPoint, dayOf, newIncrements } from './rollup-aggregate.js';
import { writeIncrements } from './rollup-writer.js';

export interface RebuildResult {
  /** Rollups were recomputed from this instant: the UTC midnight at or before `since`. */
  from: number;
  events: number;
  metricPoints: number;
}

const CHUNK = 20_000;

/**
 * Recomputes rollups from raw events and metric points for everything at or after `since`, in one transaction
 * (readers see the old rollups or the new, never a half-built window). Starts at the UTC midnight at or before
 * `since` because person-days are daily. Reads keyset chunks through the time-led indexes and feeds them to the
 * same pure aggregation ingest uses; chunk boundaries do not matter because counters add and the session/person
 * sets dedupe. Ingest waits while it runs (see lockRollups; on SQLite a commit waits up to busy_timeout, then the
 * exporter is told to retry).
 */
export async function rebuildRollups(store: Store, since: number, org = 'default'): Promise<RebuildResult> {
  const from = dayOf(since);
  return store.db.transaction().execute(async (trx) => {
    await lockRollups(trx, store);
    await deleteRollupsSince(trx, org, from);
    let events = 0;
    let after: { time: number; key: string } | null = null;
    for (;;) {
      const chunk = await readEventChunk(trx, org, from, after, CHUNK);
      if (chunk.rows.length === 0) break;
      const inc = newIncrements();
      for (const row of chunk.rows) addEvent(inc, row as EventValues);
      await writeIncrements(trx, store, inc);
      events += chunk.rows.length;
      after = chunk.last;
      if (chunk.rows.length < CHUNK) break;
    }
    let metricPoints = 0;
    for (const name of ROLLUP_METRICS) {
      let afterPoint: { time: number; id: number } | null = null;
      for (;;) {
        const points = await readMetricChunk(trx, org, name, from, afterPoint, CHUNK);
        if (points.length === 0) break;
        const inc = newIncrements();
        for (const p of points) addMetricPoint(inc, p);
        await writeIncrements(trx, store, inc);
        metricPoints += points.length;
        const last = points[points.length - 1] as { time: number; id: number };
        afterPoint = { time: last.time, id: last.id };
        if (points.length < CHUNK) break;
      }
    }
    return { from, events, metricPoints };
  });
}
