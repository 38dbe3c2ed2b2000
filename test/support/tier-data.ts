import { addEvent, addMetricPoint, newIncrements } from '../../src/analytics/rollup-aggregate.js';
import { writeIncrements } from '../../src/analytics/rollup-writer.js';
import type { EventValues } from '../../src/contracts/event-columns.js';
import { insertEvents } from '../../src/store/events.repo.js';
import type { Store } from '../../src/store/store.js';
import {
  DAY_MS,
  days,
  makePeople,
  peopleRows,
  type BenchPerson,
  type DayBatch,
  type GenerateOptions,
} from './synthetic-org.js';

/**
 * A small synthetic organisation (test/support/synthetic-org.ts) stored the way ingest stores it: events through the
 * ingest INSERT, sessions, metric points and rollups by the real aggregation in one transaction per batch — what
 * the analytics tier tests compare derived reads against, on both engines.
 */
export interface TierData {
  people: BenchPerson[];
  options: GenerateOptions;
  /** UTC midnight after the last generated day. */
  end: number;
  events: number;
}

export function tierOptions(o: { people: number; days: number; end: number; scale: number; seed: number }) {
  const people = makePeople(o.people, o.days, o.seed);
  return { people, start: o.end - o.days * DAY_MS, days: o.days, notAfter: o.end, scale: o.scale, seed: o.seed };
}

/** Stores batches (events, sessions, metric points, rollups); sessions already stored are skipped. */
export async function storeBatch(
  store: Store,
  batch: Pick<DayBatch, 'events' | 'sessions' | 'metrics'>,
): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    const fresh = await insertEvents(trx, store, batch.events);
    const inc = newIncrements();
    batch.events.forEach((row, i) => {
      if (fresh[i]) addEvent(inc, row);
    });
    for (let i = 0; i < batch.sessions.length; i += 200) {
      await trx
        .insertInto('sessions')
        .values(batch.sessions.slice(i, i + 200))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    for (let i = 0; i < batch.metrics.length; i += 200) {
      await trx
        .insertInto('metric_points')
        .values(batch.metrics.slice(i, i + 200))
        .execute();
    }
    for (const p of batch.metrics) addMetricPoint(inc, p);
    await writeIncrements(trx, store, inc);
  });
}

export async function storePeople(store: Store, people: BenchPerson[]): Promise<void> {
  const rows = peopleRows(people);
  for (let i = 0; i < rows.length; i += 200) {
    await store.db
      .insertInto('people')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

/** Generates and stores the organisation's days (`only` some of them). */
export async function loadTierData(
  store: Store,
  o: { people: number; days: number; end: number; scale: number; seed: number; only?: (day: number) => boolean },
): Promise<TierData> {
  const options = tierOptions(o);
  let events = 0;
  for (const batch of days({ ...options, ...(o.only ? { only: o.only } : {}) })) {
    for (const s of batch.sessions) {
      const p = options.people.find((x) => x.id === s.person_id);
      if (!p) continue;
      p.firstSeen = Math.min(p.firstSeen, s.first_seen);
      p.lastSeen = Math.max(p.lastSeen, s.last_seen);
    }
    // Two commits per day, like several exports: rollups must not care where batches split.
    const half = Math.floor(batch.events.length / 2);
    await storeBatch(store, { events: batch.events.slice(0, half), sessions: batch.sessions, metrics: [] });
    await storeBatch(store, { events: batch.events.slice(half), sessions: [], metrics: batch.metrics });
    events += batch.events.length;
  }
  await storePeople(store, options.people);
  return { people: options.people, options, end: o.end, events };
}

export type { EventValues };
