import { DAY_MS } from '../contracts/rollup-columns.js';
import type { RollupPersonDaysTable } from '../store/database.js';
import { knownPeople, personDays } from '../store/rollups-read.repo.js';
import type { Store } from '../store/store.js';
import { dayOf } from './rollup-aggregate.js';

/**
 * Adoption (issue 3 §2) from `rollup_person_days`. A person is active on a UTC day when they prompted, or Claude
 * answered, called the API or used a tool for them (start-up events do not count). WAU and MAU are distinct people
 * over the 7 and 30 days ending on each day. "Known people" are the people Steward has seen (not merged away);
 * "new" people were first seen inside the window. Growth compares the window with the previous one of the same
 * length.
 */
export const adoptionGroups = ['department', 'team', 'surface'] as const;
export type AdoptionGroup = (typeof adoptionGroups)[number];

export const ACTIVE_DEFINITION =
  'active = at least one prompt, response, API request or error, tool decision or result, MCP call, skill or ' +
  'subagent event on a UTC day';

export interface KnownPerson {
  id: string;
  first_seen: number;
  department: string | null;
  team: string | null;
}

export interface AdoptionInput {
  from: number; // a UTC midnight
  to: number; // a UTC midnight after `from`
  days: readonly RollupPersonDaysTable[]; // covering [min(from - 29 days, from - window), to)
  people: readonly KnownPerson[];
  groupBy?: AdoptionGroup | undefined;
}

const TOP = 5;

/** Distinct people per key (day or group) — the one primitive every adoption figure is built from. */
function peopleBy<K>(
  rows: readonly RollupPersonDaysTable[],
  key: (r: RollupPersonDaysTable) => K,
): Map<K, Set<string>> {
  const out = new Map<K, Set<string>>();
  for (const r of rows) {
    const k = key(r);
    let set = out.get(k);
    if (!set) out.set(k, (set = new Set()));
    set.add(r.person_id);
  }
  return out;
}

function trailing(byDay: Map<number, Set<string>>, day: number, n: number): number {
  const seen = new Set<string>();
  for (let d = day - (n - 1) * DAY_MS; d <= day; d += DAY_MS) for (const p of byDay.get(d) ?? []) seen.add(p);
  return seen.size;
}

function distinct(rows: readonly RollupPersonDaysTable[]): Set<string> {
  return new Set(rows.map((r) => r.person_id));
}

function share(n: number, of: number): number | null {
  return of > 0 ? Math.round((n / of) * 10_000) / 10_000 : null;
}

function figures(rows: readonly RollupPersonDaysTable[], from: number, to: number) {
  const inWindow = rows.filter((r) => r.day >= from && r.day < to);
  const byDay = peopleBy(rows, (r) => r.day);
  const last = to - DAY_MS;
  const days = (to - from) / DAY_MS;
  let dauSum = 0;
  for (let d = from; d < to; d += DAY_MS) dauSum += byDay.get(d)?.size ?? 0;
  const previous = rows.filter((r) => r.day >= from - (to - from) && r.day < from);
  const active = distinct(inWindow);
  const before = distinct(previous);
  return {
    active,
    before,
    byDay,
    dau_average: Math.round((dauSum / days) * 100) / 100,
    wau: trailing(byDay, last, 7),
    mau: trailing(byDay, last, 30),
  };
}

export function computeAdoption(input: AdoptionInput) {
  const { from, to, days, people } = input;
  const all = figures(days, from, to);
  const firstSeen = new Map(people.map((p) => [p.id, p.first_seen]));
  const newPeople = [...all.active].filter((id) => (firstSeen.get(id) ?? 0) >= from).length;
  const daily = [];
  for (let d = from; d < to; d += DAY_MS) {
    daily.push({
      day: new Date(d).toISOString().slice(0, 10),
      dau: all.byDay.get(d)?.size ?? 0,
      wau: trailing(all.byDay, d, 7),
      mau: trailing(all.byDay, d, 30),
    });
  }
  const known = people.filter((p) => p.first_seen < to);
  const change = all.active.size - all.before.size;
  const result = {
    definition: ACTIVE_DEFINITION,
    totals: {
      active_people: all.active.size,
      known_people: known.length,
      active_share: share(all.active.size, known.length),
      new_people: newPeople,
      returning_people: all.active.size - newPeople,
      dau_average: all.dau_average,
      wau: all.wau,
      mau: all.mau,
      previous_active_people: all.before.size,
      change,
      growth: all.before.size > 0 ? Math.round((change / all.before.size) * 10_000) / 10_000 : null,
    },
    daily,
  };
  const g = input.groupBy;
  if (!g) return { ...result, groups: null, fastest_growing: null, stalling: null };
  const keyOf = (r: { department: string | null; team: string | null; surface?: string }) =>
    (g === 'surface' ? r.surface : r[g]) ?? '';
  const rowsByGroup = new Map<string, RollupPersonDaysTable[]>();
  for (const r of days) {
    const k = keyOf(r);
    let list = rowsByGroup.get(k);
    if (!list) rowsByGroup.set(k, (list = []));
    list.push(r);
  }
  const knownBy = new Map<string, number>();
  if (g !== 'surface') for (const p of known) knownBy.set(keyOf(p), (knownBy.get(keyOf(p)) ?? 0) + 1);
  const groups = [...rowsByGroup]
    .map(([key, rows]) => {
      const f = figures(rows, from, to);
      const knownHere = g === 'surface' ? null : (knownBy.get(key) ?? 0);
      const delta = f.active.size - f.before.size;
      return {
        key: key === '' ? null : key,
        active_people: f.active.size,
        known_people: knownHere,
        active_share: knownHere === null ? null : share(f.active.size, knownHere),
        dau_average: f.dau_average,
        wau: f.wau,
        mau: f.mau,
        previous_active_people: f.before.size,
        change: delta,
        growth: f.before.size > 0 ? Math.round((delta / f.before.size) * 10_000) / 10_000 : null,
      };
    })
    .filter((x) => x.active_people > 0 || x.previous_active_people > 0)
    .sort((a, b) => b.active_people - a.active_people || String(a.key).localeCompare(String(b.key)));
  const byChange = [...groups].sort((a, b) => b.change - a.change || (b.growth ?? 0) - (a.growth ?? 0));
  return {
    ...result,
    groups,
    // Growing fastest: most people gained against the previous window. Stalling: no gain (or a loss).
    fastest_growing: byChange
      .filter((x) => x.change > 0)
      .slice(0, TOP)
      .map((x) => x.key),
    stalling: byChange
      .filter((x) => x.change <= 0)
      .reverse()
      .slice(0, TOP)
      .map((x) => x.key),
  };
}

export async function adoptionReport(store: Store, q: { from: number; to: number; groupBy?: AdoptionGroup }) {
  const org = 'default';
  const from = dayOf(q.from);
  const to = dayOf(q.to - 1) + DAY_MS; // whole UTC days covering [from, to)
  const lookback = Math.max(29 * DAY_MS, to - from);
  const [days, people] = await Promise.all([
    personDays(store.db, org, from - lookback, to),
    knownPeople(store.db, org),
  ]);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    group_by: q.groupBy ?? null,
    ...computeAdoption({ from, to, days, people, groupBy: q.groupBy }),
  };
}
