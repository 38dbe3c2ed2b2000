import type { Kysely, Selectable } from 'kysely';
import type { Database, EventsTable } from './database.js';

/** Reads for sealed-activity verification (audit/vault-verify.ts): events by id, in id order, in pages. */
type Db = Kysely<Database>;

export async function* eventsByIdRange(
  db: Db,
  first: number,
  last: number,
  page = 5000,
): AsyncGenerator<Selectable<EventsTable>[]> {
  for (let start = first; start <= last;) {
    const rows = await db
      .selectFrom('events')
      .selectAll()
      .where('id', '>=', start)
      .where('id', '<=', last)
      .orderBy('id')
      .limit(page)
      .execute();
    if (rows.length === 0) return;
    yield rows;
    start = (rows[rows.length - 1] as { id: number }).id + 1;
  }
}

/** Every stored event id in [first, last], ascending, in pages. */
export async function* eventIdsBetween(db: Db, first: number, last: number, page = 50_000): AsyncGenerator<number[]> {
  for (let start = first; start <= last;) {
    const rows = await db
      .selectFrom('events')
      .select('id')
      .where('id', '>=', start)
      .where('id', '<=', last)
      .orderBy('id')
      .limit(page)
      .execute();
    if (rows.length === 0) return;
    yield rows.map((r) => r.id);
    start = (rows[rows.length - 1] as { id: number }).id + 1;
  }
}
