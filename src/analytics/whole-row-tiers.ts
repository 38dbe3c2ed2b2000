import type { Transaction } from 'kysely';
import { DAY_MS } from '../contracts/rollup-columns.js';
import type { Database } from '../store/database.js';
import type { Store } from '../store/store.js';
import { edgeKeyNumbers, formatEdges, parseEdges, personNumbers } from '../store/tier-dictionaries.repo.js';
import {
  deleteTierBlock,
  EDGE_TIERS,
  KEY_TIERS,
  VALUE_TIERS,
  replaceTierRows,
  wholeRowBlock,
  type WholeRowTier,
} from '../store/tiers.repo.js';
import {
  keyString,
  TOOL_KEY,
  type DerivedFold,
  type PersonEdges,
  type ToolKeyUse,
  type ValueUse,
} from './derived-fold.js';
import { addHistogram, decodeBitmap, encodeBitmap, encodeHistogram, orBitmap } from './people-bitmap.js';
import { blocksOf } from './tiers.js';

/**
 * The tiers whose rows cannot be added to in SQL — key tiers (a people bitmap, a latency histogram) and person edge
 * tiers (numbered edges packed in one row) — merged in memory: a fold into the stored rows of the blocks it touches, and two
 * halves into a longer block at compaction. Written whole.
 */
interface Merger<A> {
  tier: WholeRowTier;
  /** Identity of a row within its block. */
  id(row: Record<string, unknown>): string;
  fromRow(row: Record<string, unknown>): A;
  add(into: A, other: A): void;
  toRow(a: A, span: number, start: number): Record<string, unknown>;
}

interface KeyAcc {
  key: Record<string, unknown>;
  calls: number;
  errors: number;
  anonymous_calls: number;
  last_time: number;
  bits: Uint8Array<ArrayBufferLike>;
  hist: Map<number, number>;
}

const keyMerger: Merger<KeyAcc> = {
  tier: KEY_TIERS,
  id: (r) => `${String(r.org_id)}\u0001${keyString(r as never)}`,
  fromRow: (r) => {
    const hist = new Map<number, number>();
    addHistogram(hist, String(r.latency));
    return {
      key: Object.fromEntries(['org_id', ...TOOL_KEY].map((c) => [c, r[c]])),
      calls: Number(r.calls),
      errors: Number(r.errors),
      anonymous_calls: Number(r.anonymous_calls),
      last_time: Number(r.last_time),
      bits: decodeBitmap(String(r.people)),
      hist,
    };
  },
  add: (into, o) => {
    into.calls += o.calls;
    into.errors += o.errors;
    into.anonymous_calls += o.anonymous_calls;
    into.last_time = Math.max(into.last_time, o.last_time);
    into.bits = orBitmap(into.bits, o.bits);
    for (const [v, n] of o.hist) into.hist.set(v, (into.hist.get(v) ?? 0) + n);
  },
  toRow: (a, span, start) => ({
    ...a.key,
    span,
    start,
    calls: a.calls,
    errors: a.errors,
    anonymous_calls: a.anonymous_calls,
    last_time: a.last_time,
    people: Buffer.from(a.bits).toString('base64'),
    latency: encodeHistogram(a.hist),
  }),
};

interface ValueAcc {
  key: Record<string, unknown>;
  first_hour: number;
  last_hour: number;
  calls: number;
  people: Map<number, number>;
}

const valueMerger: Merger<ValueAcc> = {
  tier: VALUE_TIERS,
  id: (r) => `${String(r.org_id)}\u0001${String(r.dim)}\u0001${String(r.value)}`,
  fromRow: (r) => {
    const people = new Map<number, number>();
    addHistogram(people, String(r.people));
    return {
      key: { org_id: r.org_id, dim: r.dim, value: r.value },
      first_hour: Number(r.first_hour),
      last_hour: Number(r.last_hour),
      calls: Number(r.calls),
      people,
    };
  },
  add: (into, o) => {
    into.first_hour = Math.min(into.first_hour, o.first_hour);
    into.last_hour = Math.max(into.last_hour, o.last_hour);
    into.calls += o.calls;
    for (const [n, c] of o.people) into.people.set(n, (into.people.get(n) ?? 0) + c);
  },
  toRow: (a, span, start) => ({
    ...a.key,
    span,
    start,
    first_hour: a.first_hour,
    last_hour: a.last_hour,
    calls: a.calls,
    people: encodeHistogram(a.people),
  }),
};

interface EdgeAcc {
  key: Record<string, unknown>;
  graph_calls: number;
  /** Edge number → [calls, last]. */
  edges: Map<number, [number, number]>;
}

const edgeMerger: Merger<EdgeAcc> = {
  tier: EDGE_TIERS,
  id: (r) => `${String(r.org_id)}\u0001${String(r.person_id)}\u0001${String(r.team)}\u0001${String(r.department)}`,
  fromRow: (r) => ({
    key: { org_id: r.org_id, person_id: r.person_id, team: r.team, department: r.department },
    graph_calls: Number(r.graph_calls),
    edges: parseEdges(String(r.edges)),
  }),
  add: (into, o) => {
    into.graph_calls += o.graph_calls;
    for (const [n, [calls, last]] of o.edges) {
      const e = into.edges.get(n);
      if (!e) into.edges.set(n, [calls, last]);
      else {
        e[0] += calls;
        if (last > e[1]) e[1] = last;
      }
    }
  },
  toRow: (a, span, start) => ({ ...a.key, span, start, graph_calls: a.graph_calls, edges: formatEdges(a.edges) }),
};

interface Block {
  org: string;
  span: number;
  start: number;
}

/** Folds day items into the stored rows of every block they go into (see tiers.ts `blocksOf`). */
async function mergeIntoBlocks<A, T extends { org_id: string; day: number }>(
  trx: Transaction<Database>,
  store: Store,
  m: Merger<A>,
  items: readonly T[],
  through: number,
  toAcc: (item: T) => A,
  person?: (item: T) => string,
): Promise<void> {
  const blocks = new Map<string, Block & { items: T[] }>();
  for (const item of items) {
    for (const b of blocksOf(item.day, through)) {
      const id = `${item.org_id}\u0001${b.span}\u0001${b.start}`;
      let block = blocks.get(id);
      if (!block) blocks.set(id, (block = { org: item.org_id, span: b.span, start: b.start, items: [] }));
      block.items.push(item);
    }
  }
  const rows: Record<string, unknown>[] = [];
  for (const block of blocks.values()) {
    const people = person ? [...new Set(block.items.map(person))] : undefined;
    const acc = new Map<string, A>();
    for (const r of await wholeRowBlock(trx, m.tier, block.org, block.span, [block.start], people)) {
      acc.set(m.id(r), m.fromRow(r));
    }
    for (const item of block.items) {
      const a = toAcc(item);
      const id = m.id((a as { key: Record<string, unknown> }).key);
      const stored = acc.get(id);
      if (stored) m.add(stored, a);
      else acc.set(id, a);
    }
    for (const a of acc.values()) rows.push(m.toRow(a, block.span, block.start));
  }
  await replaceTierRows(trx, store, m.tier, rows);
}

/** Numbers for everyone in `items` (per organisation), assigning new ones as needed. */
async function numbersFor(
  trx: Transaction<Database>,
  items: readonly { org_id: string }[],
  people: (item: never) => Iterable<string>,
): Promise<Map<string, Map<string, number>>> {
  const byOrg = new Map<string, Set<string>>();
  for (const item of items) {
    let set = byOrg.get(item.org_id);
    if (!set) byOrg.set(item.org_id, (set = new Set()));
    for (const p of people(item as never)) set.add(p);
  }
  const numbers = new Map<string, Map<string, number>>();
  for (const [org, set] of byOrg) numbers.set(org, await personNumbers(trx, org, [...set]));
  return numbers;
}

/** Value tiers: people are numbered first. */
export async function writeValueTiers(
  trx: Transaction<Database>,
  store: Store,
  fold: DerivedFold,
  through: number,
): Promise<void> {
  const items = [...fold.values().values()];
  if (items.length === 0) return;
  const numbers = await numbersFor(trx, items, (v: ValueUse) => v.people.keys());
  const toAcc = (v: ValueUse): ValueAcc => {
    const nums = numbers.get(v.org_id) as Map<string, number>;
    const people = new Map<number, number>();
    for (const [p, c] of v.people) people.set(nums.get(p) as number, c);
    return {
      key: { org_id: v.org_id, dim: v.dim, value: v.value },
      first_hour: v.first_hour,
      last_hour: v.last_hour,
      calls: v.calls,
      people,
    };
  };
  await mergeIntoBlocks(trx, store, valueMerger, items, through, toAcc);
}

/** Key tiers: people are numbered first (bitmaps). */
export async function writeKeyTiers(
  trx: Transaction<Database>,
  store: Store,
  fold: DerivedFold,
  through: number,
): Promise<void> {
  const items = [...fold.keys.values()];
  if (items.length === 0) return;
  const numbers = await numbersFor(trx, items, (k: ToolKeyUse) => k.people);
  const toAcc = (k: ToolKeyUse): KeyAcc => {
    const nums = numbers.get(k.org_id) as Map<string, number>;
    return {
      key: Object.fromEntries([['org_id', k.org_id], ...TOOL_KEY.map((c) => [c, k[c]])]),
      calls: k.calls,
      errors: k.errors,
      anonymous_calls: k.anonymous_calls,
      last_time: k.last_time,
      bits: decodeBitmap(encodeBitmap([...k.people].map((p) => nums.get(p) as number))),
      hist: new Map(k.latency),
    };
  };
  await mergeIntoBlocks(trx, store, keyMerger, items, through, toAcc);
}

/** Person edge tiers: edge keys are numbered first. */
export async function writeEdgeTiers(
  trx: Transaction<Database>,
  store: Store,
  fold: DerivedFold,
  through: number,
): Promise<void> {
  const items = [...fold.graphEdges().values()];
  if (items.length === 0) return;
  const keys = new Map<string, Set<string>>();
  for (const e of items) {
    let set = keys.get(e.org_id);
    if (!set) keys.set(e.org_id, (set = new Set()));
    for (const k of e.edges.keys()) set.add(k);
  }
  const numbers = new Map<string, Map<string, number>>();
  for (const [org, set] of keys) numbers.set(org, await edgeKeyNumbers(trx, org, [...set]));
  const toAcc = (e: PersonEdges): EdgeAcc => {
    const nums = numbers.get(e.org_id) as Map<string, number>;
    return {
      key: { org_id: e.org_id, person_id: e.person_id, team: e.team, department: e.department },
      graph_calls: e.graph_calls,
      edges: new Map([...e.edges].map(([k, v]) => [nums.get(k) as number, [v[0], v[1]]])),
    };
  };
  await mergeIntoBlocks(trx, store, edgeMerger, items, through, toAcc, (e) => e.person_id);
}

/** Builds a longer block of every whole-row tier from its two halves. */
export async function compactWholeRowBlock(
  trx: Transaction<Database>,
  store: Store,
  org: string,
  span: number,
  start: number,
): Promise<void> {
  for (const m of [keyMerger, valueMerger, edgeMerger] as Merger<unknown>[]) {
    const half = span / 2;
    const acc = new Map<string, unknown>();
    for (const r of await wholeRowBlock(trx, m.tier, org, half, [start, start + half * DAY_MS])) {
      const id = m.id(r);
      const a = m.fromRow(r);
      const stored = acc.get(id);
      if (stored) m.add(stored, a);
      else acc.set(id, a);
    }
    await deleteTierBlock(trx, m.tier.table, org, span, start);
    await replaceTierRows(
      trx,
      store,
      m.tier,
      [...acc.values()].map((a) => m.toRow(a, span, start)),
    );
  }
}
