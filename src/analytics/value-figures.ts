import { numberedPeople } from '../store/tier-dictionaries.repo.js';
import { hourlyPairs, mergedPeople, valueTierRows, type PairQuery } from '../store/tiers-read.repo.js';
import { addHistogram } from './people-bitmap.js';
import { tierRead } from './tier-cache.js';
import { pastCursor, snapshotMemo, type Snapshot } from './tier-reads.js';
import { cover, splitWindow } from './tiers.js';

const SEP = '\u0001';

/**
 * The people dictionary of the tiers, read once per snapshot: person numbers (bitmaps and value tiers name people
 * by number) and `canonical`, which follows merges (a merged-away person counts as the one they were merged into).
 */
export function tierPeople(
  s: Snapshot,
  org: string,
): Promise<{ numbers: Map<number, string>; canonical: (id: string) => string }> {
  return snapshotMemo(s, `people/${org}`, async () => {
    const numbers = await tierRead(s, ['people', org], () => numberedPeople(s.trx, org));
    const merged = await mergedPeople(s.trx, org);
    const canonical = (id: string): string => {
      let at = id;
      for (let i = 0; i < 16 && merged.has(at); i++) at = merged.get(at) as string;
      return at;
    };
    return { numbers, canonical };
  });
}

export interface ValueFigure {
  dim: string;
  value: string;
  first_hour: number;
  last_hour: number;
  calls: number;
  /** Known people (canonical: merged-away people count as the person they were merged into) → activity. */
  people: Map<string, number>;
}

/**
 * The value tiers' part of `valueFigures` for some blocks: per value, first/last hour, activity and each known person
 * (canonical) — a function of the stored rows and the merges only, so made once per tier version (tier-cache.ts).
 * Figures and their people maps are shared: `valueFigures` copies a map before adding to it.
 */
function storedFigures(
  s: Snapshot,
  org: string,
  blocks: ReturnType<typeof cover>,
  dims: readonly string[],
): Promise<ValueFigure[]> {
  return tierRead(s, ['value figures', org, blocks, dims], async () => {
    const { numbers, canonical } = await tierPeople(s, org);
    const out = new Map<string, ValueFigure>();
    // People by number across the blocks first, then each once by id (a value holds thousands of people per block).
    const byNumber = new Map<ValueFigure, Map<number, number>>();
    for (const r of await valueTierRows(s.trx, org, blocks, dims)) {
      const k = r.dim + SEP + r.value;
      let f = out.get(k);
      const first = Number(r.first_hour);
      const last = Number(r.last_hour);
      if (!f)
        out.set(
          k,
          (f = { dim: r.dim, value: r.value, first_hour: first, last_hour: last, calls: 0, people: new Map() }),
        );
      f.first_hour = Math.min(f.first_hour, first);
      f.last_hour = Math.max(f.last_hour, last);
      f.calls += Number(r.calls);
      let people = byNumber.get(f);
      if (!people) byNumber.set(f, (people = new Map()));
      addHistogram(people, r.people);
    }
    for (const [f, people] of byNumber) {
      for (const [n, calls] of people) {
        const person = numbers.get(n) ?? '';
        if (person === '') continue;
        const id = canonical(person);
        f.people.set(id, (f.people.get(id) ?? 0) + calls);
      }
    }
    return [...out.values()];
  });
}

/**
 * Per value of some dimensions over a window of whole hours: first/last rollup hour, activity and each known person's
 * activity — what grouping rollups_hourly by (value, person) gives, folded per value. Value tiers for whole days
 * (people as numbers), the rows past the cursor, and rollups_hourly for partial days.
 */
export async function valueFigures(
  s: Snapshot,
  org: string,
  from: number,
  to: number,
  dims: readonly string[],
): Promise<ValueFigure[]> {
  const { canonical } = await tierPeople(s, org);
  const out = new Map<string, ValueFigure>();
  // Figures whose people map is a stored figure's (shared): copied before anything is added to them.
  const shared = new Set<ValueFigure>();
  const at = (dim: string, value: string, first: number, last: number) => {
    const k = dim + SEP + value;
    let f = out.get(k);
    if (!f) out.set(k, (f = { dim, value, first_hour: first, last_hour: last, calls: 0, people: new Map() }));
    f.first_hour = Math.min(f.first_hour, first);
    f.last_hour = Math.max(f.last_hour, last);
    return f;
  };
  const addPerson = (f: ValueFigure, person: string, calls: number) => {
    if (person === '') return;
    if (shared.delete(f)) f.people = new Map(f.people);
    const id = canonical(person);
    f.people.set(id, (f.people.get(id) ?? 0) + calls);
  };
  const w = splitWindow(from, to);
  for (const part of [w.head, w.tail]) {
    if (!part) continue;
    for (const dim of dims) {
      const q: PairQuery =
        dim === 'department'
          ? { org, dim: '', groupBy: ['department', 'person_id'], nonEmpty: 'department' }
          : { org, dim, groupBy: ['value', 'person_id'] };
      for (const r of await hourlyPairs(s.trx, part.from, part.to, q)) {
        const f = at(dim, r.keys[0] as string, r.first_hour, r.last_hour);
        f.calls += r.calls;
        addPerson(f, r.keys[1] as string, r.calls);
      }
    }
  }
  if (w.days) {
    for (const sf of await storedFigures(s, org, cover(w.days.from, w.days.to, s.cursor.tiers_through), dims)) {
      const fresh = !out.has(sf.dim + SEP + sf.value);
      const f = at(sf.dim, sf.value, sf.first_hour, sf.last_hour);
      f.calls += sf.calls;
      if (fresh) {
        f.people = sf.people;
        shared.add(f);
      } else for (const [id, calls] of sf.people) f.people.set(id, (f.people.get(id) ?? 0) + calls);
    }
    const wanted = new Set(dims);
    for (const v of (await pastCursor(s, w.days.from, w.days.to)).values().values()) {
      if (v.org_id !== org || !wanted.has(v.dim)) continue;
      const f = at(v.dim, v.value, v.first_hour, v.last_hour);
      f.calls += v.calls;
      for (const [p, calls] of v.people) addPerson(f, p, calls);
    }
  }
  return [...out.values()];
}
