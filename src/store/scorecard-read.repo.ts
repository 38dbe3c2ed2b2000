import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/**
 * Reads for the quarterly scorecard (govern/scorecard.ts): each governance object as its history last showed it
 * before a time (the inventory as it stood at a quarter's end), and the review records of a window.
 */
export interface ObjectSnapshot {
  object_kind: string;
  object_id: string;
  at: number;
  /** The object as presented after its last change before the time (JSON); null if that change deleted it. */
  after: string | null;
}

/** The latest history entry of every object at or before `to`. */
export async function objectsAsOf(db: Kysely<Database>, orgId: string, to: number): Promise<ObjectSnapshot[]> {
  const rows = await db
    .selectFrom('gov_history')
    .select(['id', 'object_kind', 'object_id', 'at', 'after'])
    .where('org_id', '=', orgId)
    .where('at', '<=', to)
    .orderBy('at')
    .orderBy('id')
    .execute();
  const latest = new Map<string, ObjectSnapshot>();
  for (const r of rows) {
    latest.set(`${r.object_kind}\u0000${r.object_id}`, {
      object_kind: r.object_kind,
      object_id: r.object_id,
      at: Number(r.at),
      after: r.after,
    });
  }
  return [...latest.values()];
}

export interface ReviewHeld {
  cadence_id: string;
  held_at: number;
}

/** Review records held in [from, to). */
export async function reviewsHeld(
  db: Kysely<Database>,
  orgId: string,
  from: number,
  to: number,
): Promise<ReviewHeld[]> {
  const rows = await db
    .selectFrom('gov_reviews')
    .select(['cadence_id', 'held_at'])
    .where('org_id', '=', orgId)
    .where('held_at', '>=', from)
    .where('held_at', '<', to)
    .execute();
  return rows.map((r) => ({ cadence_id: r.cadence_id, held_at: Number(r.held_at) }));
}
