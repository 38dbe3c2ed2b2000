import type { Transaction } from 'kysely';
import type { Database, MetricPointsTable, MetricSeriesTable } from './database.js';

export type MetricPointRow = Omit<MetricPointsTable, 'id'>;

export async function getSeriesStates(
  trx: Transaction<Database>,
  keys: readonly string[],
): Promise<Map<string, MetricSeriesTable>> {
  const out = new Map<string, MetricSeriesTable>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await trx
      .selectFrom('metric_series')
      .selectAll()
      .where('key', 'in', keys.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.key, r);
  }
  return out;
}

export async function putSeriesStates(trx: Transaction<Database>, states: Iterable<MetricSeriesTable>): Promise<void> {
  for (const s of states) {
    await trx
      .insertInto('metric_series')
      .values(s)
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({ start_time: s.start_time, last_time: s.last_time, last_value: s.last_value }),
      )
      .execute();
  }
}

/** Inserts metric points, skipping stored dedupe keys; returns the keys actually inserted (they feed rollups). */
export async function insertMetricPoints(
  trx: Transaction<Database>,
  rows: readonly MetricPointRow[],
): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += 1000) {
    const res = await trx
      .insertInto('metric_points')
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('dedupe_key')
      .execute();
    for (const r of res) inserted.add(r.dedupe_key);
  }
  return inserted;
}
