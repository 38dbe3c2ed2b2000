import type { Transaction } from 'kysely';
import type { Database } from '../store/database.js';
import { insertPersonDays, insertSessionHours, upsertRollups } from '../store/rollups.repo.js';
import type { Store } from '../store/store.js';
import { addNewSessionHour, type RollupIncrements } from './rollup-aggregate.js';

/**
 * Stores one batch of increments in the caller's transaction: the set tables first (which session-hours are new
 * decides the `sessions` counter), then one UPSERT per rollup key.
 */
export async function writeIncrements(trx: Transaction<Database>, store: Store, inc: RollupIncrements): Promise<void> {
  if (inc.sessionHours.size) {
    for (const sh of await insertSessionHours(trx, store, [...inc.sessionHours.values()])) addNewSessionHour(inc, sh);
  }
  if (inc.personDays.size) await insertPersonDays(trx, store, [...inc.personDays.values()]);
  if (inc.rows.size) await upsertRollups(trx, store, [...inc.rows.values()]);
}
