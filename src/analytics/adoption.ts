import { DAY_MS } from '../contracts/rollup-columns.js';
import type { RollupPersonDaysTable } from '../store/database.js';
import { knownPeople, PERSON_DAY_PAGE, personDayBits } from '../store/rollups-read.repo.js';
import type { Store } from '../store/store.js';
import { dayOf } from './rollup-aggregate.js';
import { inParallel, readSnapshot } from './tier-reads.js';

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

/**
 * Who was active on which day, per group: for each person a byte per day from `base` (1 = active). Built from
 * person-day rows (`computeAdoption`) or from the day bitmaps the report reads (`adoptionReport`), so every figure
 * is a pass over a few arrays rather than over sets of people per day.
 */
export interface Activity {
  base: number;
  days: number;
  /** Everyone: person → active days. */
  all: Map<string, Uint8Array>;
  /** Per group key (when grouping): person → active days. */
  groups: Map<string, Map<string, Uint8Array>>;
}

export function newActivity(base: number, to: number): Activity {
  return { base, days: Math.round((to - base) / DAY_MS), all: new Map(), groups: new Map() };
}

function set(people: Map<string, Uint8Array>, person: string, i: number, days: number): void {
  let bits = people.get(person);
  if (!bits) people.set(person, (bits = new Uint8Array(days)));
  bits[i] = 1;
}

/** Marks `person` active on day index `i` overall and, when grouping, in `group`. */
export function markActive(a: Activity, group: string | null, person: string, i: number): void {
  if (i < 0 || i >= a.days) return;
  set(a.all, person, i, a.days);
  if (group === null) return;
  let people = a.groups.get(group);
  if (!people) a.groups.set(group, (people = new Map()));
  set(people, person, i, a.days);
}

function share(n: number, of: number): number | null {
  return of > 0 ? Math.round((n / of) * 10_000) / 10_000 : null;
}

interface Figures {
  active: Set<string>;
  before: number;
  /** Per day of the window: distinct people active that day, in the 7 days and in the 30 days ending on it. */
  dau: number[];
  wau: number[];
  mau: number[];
  dau_average: number;
}

function figures(a: Activity, people: ReadonlyMap<string, Uint8Array>, from: number, to: number): Figures {
  const w0 = Math.round((from - a.base) / DAY_MS);
  const w1 = Math.round((to - a.base) / DAY_MS);
  const p0 = w0 - (w1 - w0);
  const n = w1 - w0;
  const dau = new Array<number>(n).fill(0);
  const wau = new Array<number>(n).fill(0);
  const mau = new Array<number>(n).fill(0);
  const active = new Set<string>();
  let before = 0;
  for (const [person, bits] of people) {
    let last = -1_000_000;
    let wasBefore = false;
    for (let i = 0; i < w1; i++) {
      if (bits[i]) {
        last = i;
        if (i >= w0) active.add(person);
        else if (i >= p0) wasBefore = true;
      }
      if (i < w0) continue;
      const k = i - w0;
      if (last === i) dau[k] = (dau[k] as number) + 1;
      if (last > i - 7) wau[k] = (wau[k] as number) + 1;
      if (last > i - 30) mau[k] = (mau[k] as number) + 1;
    }
    if (wasBefore) before++;
  }
  const dauSum = dau.reduce((x, y) => x + y, 0);
  return { active, before, dau, wau, mau, dau_average: Math.round((dauSum / n) * 100) / 100 };
}

export function computeAdoption(input: AdoptionInput) {
  const lookback = Math.max(29 * DAY_MS, input.to - input.from);
  const a = newActivity(input.from - lookback, input.to);
  const g = input.groupBy;
  for (const r of input.days) {
    const key = g ? ((g === 'surface' ? r.surface : r[g]) ?? '') : null;
    markActive(a, key, r.person_id, Math.round((r.day - a.base) / DAY_MS));
  }
  return adoptionFrom(a, input.from, input.to, input.people, g);
}

/** Every adoption figure from an activity map over [from - max(29 days, window), to). */
export function adoptionFrom(
  a: Activity,
  from: number,
  to: number,
  people: readonly KnownPerson[],
  g: AdoptionGroup | undefined,
) {
  const all = figures(a, a.all, from, to);
  const firstSeen = new Map(people.map((p) => [p.id, p.first_seen]));
  const newPeople = [...all.active].filter((id) => (firstSeen.get(id) ?? 0) >= from).length;
  const daily = all.dau.map((dau, k) => ({
    day: new Date(from + k * DAY_MS).toISOString().slice(0, 10),
    dau,
    wau: all.wau[k] as number,
    mau: all.mau[k] as number,
  }));
  const known = people.filter((p) => p.first_seen < to);
  const change = all.active.size - all.before;
  const last = daily.length - 1;
  const result = {
    definition: ACTIVE_DEFINITION,
    totals: {
      active_people: all.active.size,
      known_people: known.length,
      active_share: share(all.active.size, known.length),
      new_people: newPeople,
      returning_people: all.active.size - newPeople,
      dau_average: all.dau_average,
      wau: all.wau[last] ?? 0,
      mau: all.mau[last] ?? 0,
      previous_active_people: all.before,
      change,
      growth: all.before > 0 ? Math.round((change / all.before) * 10_000) / 10_000 : null,
    },
    daily,
  };
  if (!g) return { ...result, groups: null, fastest_growing: null, stalling: null };
  const keyOf = (p: KnownPerson) => (g === 'surface' ? '' : p[g]) ?? '';
  const knownBy = new Map<string, number>();
  if (g !== 'surface') for (const p of known) knownBy.set(keyOf(p), (knownBy.get(keyOf(p)) ?? 0) + 1);
  const groups = [...a.groups]
    .map(([key, members]) => {
      const f = figures(a, members, from, to);
      const knownHere = g === 'surface' ? null : (knownBy.get(key) ?? 0);
      const delta = f.active.size - f.before;
      return {
        key: key === '' ? null : key,
        active_people: f.active.size,
        known_people: knownHere,
        active_share: knownHere === null ? null : share(f.active.size, knownHere),
        dau_average: f.dau_average,
        wau: f.wau[last] ?? 0,
        mau: f.mau[last] ?? 0,
        previous_active_people: f.before,
        change: delta,
        growth: f.before > 0 ? Math.round((delta / f.before) * 10_000) / 10_000 : null,
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
  const base = from - lookback;
  const [pages, people] = await readSnapshot(store, (s) =>
    inParallel(
      s,
      (l) => personDayBits(l.trx, org, base, to),
      (l) => knownPeople(l.trx, org),
    ),
  );
  const a = newActivity(base, to);
  for (const p of pages) {
    const key = q.groupBy ? p[q.groupBy] : null;
    for (let bit = 0; bit < PERSON_DAY_PAGE; bit++) {
      if (p.bits & (1 << bit)) markActive(a, key, p.person_id, p.page * PERSON_DAY_PAGE + bit);
    }
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    group_by: q.groupBy ?? null,
    ...adoptionFrom(a, from, to, people, q.groupBy),
  };
}
