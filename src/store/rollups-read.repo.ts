import { sql, type Kysely } from 'kysely';
import {
  ROLLUP_COUNTERS,
  type RollupCounter,
  type RollupCounters,
  type RollupDimension,
  type RollupDimensions,
} from '../contracts/rollup-columns.js';
import type { Database, RollupPersonDaysTable } from './database.js';

/** Dashboard reads over the rollup tables. Windows are [from, to) in whole hours (or days), always bounded. */
export interface RollupQuery {
  org: string;
  from: number;
  to: number;
  /** Dimensions to group by, in order; without any, one row of totals comes back (keys []). */
  groupBy?: readonly RollupDimension[] | undefined;
  /** Counters to sum (the others come back 0): fewer sums is most of a wide window's cost. Default: all. */
  counters?: readonly RollupCounter[] | undefined;
  /** Only rows with API requests — the rows that carry tokens and cost. */
  requestsOnly?: boolean | undefined;
  /** Exact-match filters on dimensions ('' matches rows where the dimension was absent). */
  filters?: Partial<RollupDimensions> | undefined;
}

/** Sums for one group: `keys` in `groupBy` order ('' where the dimension was absent), `key` the first of them. */
export type RollupSums = { key: string; keys: string[] } & RollupCounters;

/** Sums every counter over the window, per group. Served by the (org, hour, …) primary key. */
export async function sumRollups(db: Kysely<Database>, q: RollupQuery): Promise<RollupSums[]> {
  const groups = q.groupBy ?? [];
  const counters = q.counters ?? ROLLUP_COUNTERS;
  let query = db
    .selectFrom('rollups_hourly')
    .select(groups.map((g, i) => sql<string>`${sql.ref(g)}`.as(`k${i}`)))
    .select(counters.map((c) => sql<number>`coalesce(sum(${sql.ref(c)}), 0)`.as(c)))
    .where('org_id', '=', q.org)
    .where('hour', '>=', q.from)
    .where('hour', '<', q.to);
  if (q.requestsOnly) query = query.where('requests', '>', 0);
  for (const [dim, value] of Object.entries(q.filters ?? {})) {
    if (value !== undefined) query = query.where(dim as RollupDimension, '=', value);
  }
  if (groups.length) query = query.groupBy([...groups]);
  const rows = await query.execute();
  return rows.map((r) => {
    const o = r as unknown as Record<string, unknown>;
    const keys = groups.map((_, i) => String(o[`k${i}`] ?? ''));
    const out = { key: keys[0] ?? '', keys } as RollupSums;
    for (const c of ROLLUP_COUNTERS) out[c] = Number(o[c] ?? 0);
    return out;
  });
}

/** Person-days in [from, to): the base of DAU/WAU/MAU (a few rows per active person per day). */
export async function personDays(
  db: Kysely<Database>,
  org: string,
  from: number,
  to: number,
): Promise<RollupPersonDaysTable[]> {
  return db
    .selectFrom('rollup_person_days')
    .selectAll()
    .where('org_id', '=', org)
    .where('day', '>=', from)
    .where('day', '<', to)
    .execute();
}

export interface PersonDayBits {
  person_id: string;
  department: string;
  team: string;
  surface: string;
  /** Bit i set: active on day page × 30 + i after `from`. */
  page: number;
  bits: number;
}

const PAGE_DAYS = 30;

/**
 * `personDays` folded in the database into 30-day pages of bits per (person, department, team, surface): the same
 * facts in a row per person and month instead of a row per person and day.
 */
export async function personDayBits(
  db: Kysely<Database>,
  org: string,
  from: number,
  to: number,
): Promise<PersonDayBits[]> {
  // Literals, not parameters: PostgreSQL matches the GROUP BY expression to the selected one textually.
  const dayIndex = sql`(day - ${sql.lit(Math.trunc(from))}) / ${sql.lit(DAY)}`;
  const rows = await db
    .selectFrom('rollup_person_days')
    .select(['person_id', 'department', 'team', 'surface'])
    .select(sql<number>`${dayIndex} / ${sql.lit(PAGE_DAYS)}`.as('page'))
    .select(sql<number>`sum(1 << cast(${dayIndex} % ${sql.lit(PAGE_DAYS)} as integer))`.as('bits'))
    .where('org_id', '=', org)
    .where('day', '>=', from)
    .where('day', '<', to)
    .groupBy(['person_id', 'department', 'team', 'surface', sql`${dayIndex} / ${sql.lit(PAGE_DAYS)}`])
    .execute();
  return rows.map((r) => ({ ...r, page: Number(r.page), bits: Number(r.bits) }));
}

export const PERSON_DAY_PAGE = PAGE_DAYS;
const DAY = 86_400_000;

/** Known people (not merged away): whom adoption is measured against. */
export async function knownPeople(
  db: Kysely<Database>,
  org: string,
): Promise<{ id: string; display_name: string; first_seen: number; department: string | null; team: string | null }[]> {
  return db
    .selectFrom('people')
    .select(['id', 'display_name', 'first_seen', 'department', 'team'])
    .where('org_id', '=', org)
    .where('merged_into', 'is', null)
    .execute();
}
