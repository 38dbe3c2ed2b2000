import { DAY_MS, HOUR_MS, type RollupDimension } from '../contracts/rollup-columns.js';
import type { DimensionPersonRow } from '../store/discovery-read.repo.js';
import { knownPeople } from '../store/rollups-read.repo.js';
import type { Store } from '../store/store.js';
import { dimensionByPerson, dimensionValuesSeen, pluginLoads } from './discovery-reads.js';
import { VALUE_DIMS } from './derived-fold.js';
import { hourOf } from './rollup-aggregate.js';
import { inParallel, readSnapshot, type Snapshot } from './tier-reads.js';
import { valueFigures, type ValueFigure } from './value-figures.js';
import { isoTime } from './iso-time.js';
import { workspaceUses } from './workspace-tiers.js';

/**
 * Discovery (issue 3 §6): everything seen in a window — people, models, agent types, skills, plugins, MCP servers
 * (from the hourly rollups) and workspace folders (from sessions) — with first/last seen and who used it; what is
 * new in the last 7 days before `to`; and people active in telemetry with no known department.
 */
export const discoveryKinds = ['person', 'model', 'agent', 'skill', 'plugin', 'mcp_server', 'workspace'] as const;
export type DiscoveryKind = (typeof discoveryKinds)[number];

const ROLLUP_KINDS: readonly { kind: DiscoveryKind; dim: RollupDimension }[] = [
  { kind: 'person', dim: 'person_id' },
  { kind: 'model', dim: 'model' },
  { kind: 'agent', dim: 'agent' },
  { kind: 'skill', dim: 'skill' },
  { kind: 'plugin', dim: 'plugin' },
  { kind: 'mcp_server', dim: 'mcp_server' },
];

export const NEW_WITHIN_MS = 7 * DAY_MS;
/** How far before the 7-day "new" span Steward looks to decide whether something was seen before. */
export const NEW_LOOKBACK_MS = 366 * DAY_MS;
const TOP_PEOPLE = 5;
/** Plugin load events are raw events: they are read over at most the window's last 92 days. */
export const PLUGIN_EVENTS_MS = 92 * DAY_MS;

export const UNSANCTIONED_NOTE =
  'Steward has no seat or licence table yet: unsanctioned candidates are people active in telemetry whose ' +
  'department is unknown (neither the people directory nor their telemetry names one). Review before acting.';

export interface PersonInfo {
  id: string;
  display_name: string;
  first_seen: number;
  department: string | null;
  team: string | null;
}

export interface Use {
  value: string;
  person_id: string;
  first_seen: number;
  last_seen: number;
  calls: number;
}

export interface DiscoveredItem {
  kind: DiscoveryKind;
  value: string;
  label: string;
  first_seen: string;
  last_seen: string;
  people: number;
  top_people: { person_id: string; display_name: string | null; calls: number }[];
}

const iso = isoTime;
/** `a.localeCompare(b)` with one collator (the same order, without a collator per comparison). */
const compareText = new Intl.Collator().compare;

/** Rollup rows → uses: a rollup hour counts as seen from its start to its end. */
export function usesFromRollups(rows: readonly DimensionPersonRow[]): Use[] {
  return rows.map((r) => ({
    value: r.value,
    person_id: r.person_id,
    first_seen: r.first_hour,
    last_seen: r.last_hour + HOUR_MS,
    calls: r.calls,
  }));
}

/**
 * Value figures → uses, as `usesFromRollups` would give from the (value, person) rows: one use per person (the
 * value's first and last hour, the person's activity), or one without a person when nobody known used it.
 */
export function usesFromFigures(figures: readonly ValueFigure[]): Use[] {
  const out: Use[] = [];
  for (const f of figures) {
    const seen = { value: f.value, first_seen: f.first_hour, last_seen: f.last_hour + HOUR_MS };
    if (f.people.size === 0) out.push({ ...seen, person_id: '', calls: 0 });
    for (const [person_id, calls] of f.people) out.push({ ...seen, person_id, calls });
  }
  return out;
}

/** One use per (folder, person) from sessions (their `workspace_paths` JSON), calls = sessions. */
export function usesFromSessions(
  rows: readonly {
    person_id: string | null;
    workspace_paths: string;
    first_seen: number;
    last_seen: number;
    /** Sessions the row stands for (grouped reads); 1 without. */
    sessions?: number;
  }[],
): Use[] {
  const out = new Map<string, Use>();
  for (const r of rows) {
    let paths: unknown;
    try {
      paths = JSON.parse(r.workspace_paths);
    } catch {
      continue;
    }
    if (!Array.isArray(paths)) continue;
    for (const p of new Set(paths.filter((x): x is string => typeof x === 'string' && x !== ''))) {
      const person = r.person_id ?? '';
      const k = `${p}\u0001${person}`;
      const u = out.get(k);
      const n = r.sessions ?? 1;
      if (!u) out.set(k, { value: p, person_id: person, first_seen: r.first_seen, last_seen: r.last_seen, calls: n });
      else {
        u.first_seen = Math.min(u.first_seen, r.first_seen);
        u.last_seen = Math.max(u.last_seen, r.last_seen);
        u.calls += n;
      }
    }
  }
  return [...out.values()];
}

/** A value seen: its first and last time and each known person's activity. */
export interface SeenValue {
  value: string;
  first: number;
  last: number;
  perPerson: ReadonlyMap<string, number>;
}

/** Folds uses into items per value: first/last seen, distinct people, the top people by activity. */
export function summarise(kind: DiscoveryKind, uses: readonly Use[], people: ReadonlyMap<string, PersonInfo>) {
  const byValue = new Map<string, { value: string; first: number; last: number; perPerson: Map<string, number> }>();
  for (const u of uses) {
    let v = byValue.get(u.value);
    if (!v)
      byValue.set(u.value, (v = { value: u.value, first: u.first_seen, last: u.last_seen, perPerson: new Map() }));
    v.first = Math.min(v.first, u.first_seen);
    v.last = Math.max(v.last, u.last_seen);
    if (u.person_id !== '') v.perPerson.set(u.person_id, (v.perPerson.get(u.person_id) ?? 0) + u.calls);
  }
  return summariseValues(kind, byValue.values(), people);
}

/** Value figures as seen values (a rollup hour counts as seen from its start to its end). */
export function seenFromFigures(figures: readonly ValueFigure[]): SeenValue[] {
  return figures.map((f) => ({
    value: f.value,
    first: f.first_hour,
    last: f.last_hour + HOUR_MS,
    perPerson: f.people,
  }));
}

const byActivity = (a: readonly [string, number], b: readonly [string, number]) =>
  b[1] - a[1] || compareText(a[0], b[0]);

/**
 * The TOP_PEOPLE first of `perPerson` in `byActivity` order, as a stable sort then slice gives them, without sorting
 * every person: a value seen by thousands of people keeps five (sorting them all was most of discovery's time).
 */
function topPeople(perPerson: ReadonlyMap<string, number>): [string, number][] {
  const top: [string, number][] = [];
  for (const e of perPerson) {
    if (top.length === TOP_PEOPLE && byActivity(e, top[TOP_PEOPLE - 1] as [string, number]) >= 0) continue;
    let i = Math.min(top.length, TOP_PEOPLE - 1);
    while (i > 0 && byActivity(e, top[i - 1] as [string, number]) < 0) i--;
    top.splice(i, 0, e);
    if (top.length > TOP_PEOPLE) top.pop();
  }
  return top;
}

export function summariseValues(
  kind: DiscoveryKind,
  values: Iterable<SeenValue>,
  people: ReadonlyMap<string, PersonInfo>,
) {
  const items: (DiscoveredItem & { first_ms: number })[] = [];
  for (const { value, first, last, perPerson } of values) {
    items.push({
      kind,
      value,
      label: kind === 'person' ? (people.get(value)?.display_name ?? value) : value,
      first_seen: iso(first),
      last_seen: iso(last),
      first_ms: first,
      people: perPerson.size,
      top_people: topPeople(perPerson).map(([id, calls]) => ({
        person_id: id,
        display_name: people.get(id)?.display_name ?? null,
        calls,
      })),
    });
  }
  items.sort((a, b) => b.people - a.people || compareText(a.value, b.value));
  return items;
}

export async function discoveryReport(store: Store, q: { from: number; to: number }) {
  return readSnapshot(store, (s) => discoveryIn(s, q));
}

async function discoveryIn(s: Snapshot, q: { from: number; to: number }) {
  const org = 'default';
  const from = hourOf(q.from);
  const to = hourOf(q.to - 1) + HOUR_MS; // whole hours covering [from, to)
  const newSince = to - NEW_WITHIN_MS;
  const pluginFrom = Math.max(from, to - PLUGIN_EVENTS_MS);
  // People from the session-level base; every other dimension per value from the value tiers.
  // Workspace folders (workspace-tiers.ts): those of the window, and every folder of the lookback before the last 7
  // days (for "new" folders) — on PostgreSQL read now on a lane of its own, on SQLite later and only if some folder
  // is a candidate.
  const foldersBefore = async (l: Snapshot) =>
    new Set((await workspaceUses(l, org, newSince - NEW_LOOKBACK_MS, newSince)).map((u) => u.value));
  const [workspaceUsesOf, earlyFolders, peopleRows, loads, personRows, figures] = await inParallel(
    s,
    (l) => workspaceUses(l, org, from, to),
    (l) => (s.exported !== null ? foldersBefore(l) : Promise.resolve(null)),
    (l) => knownPeople(l.trx, org),
    (l) => pluginLoads(l, org, pluginFrom, to),
    (l) => dimensionByPerson(l, org, 'person_id', from, to),
    (l) => valueFigures(l, org, from, to, [...VALUE_DIMS]),
  );
  const usesOf = (dim: string) => usesFromFigures(figures.filter((f) => f.dim === dim));
  const people = new Map<string, PersonInfo>(peopleRows.map((p) => [p.id, { ...p, first_seen: Number(p.first_seen) }]));

  const sections: Record<DiscoveryKind, ReturnType<typeof summarise>> = {} as never;
  ROLLUP_KINDS.forEach((k) => {
    if (k.kind === 'person') {
      sections.person = summarise('person', usesFromRollups(personRows), people);
    } else if (k.kind === 'plugin') {
      // Plugins loaded but never counted in rollups (no request or tool call carried their name) are still seen.
      const uses = usesOf(k.dim);
      for (const l of loads) {
        uses.push({
          value: l.plugin,
          person_id: l.person_id,
          first_seen: l.first_seen,
          last_seen: l.last_seen,
          calls: 0,
        });
      }
      sections.plugin = summarise('plugin', uses, people);
    } else {
      sections[k.kind] = summariseValues(k.kind, seenFromFigures(figures.filter((f) => f.dim === k.dim)), people);
    }
  });
  sections.workspace = summarise('workspace', workspaceUsesOf, people);

  // People: Steward's first sight of a person is `people.first_seen`, whatever the window.
  for (const item of sections.person) {
    const p = people.get(item.value);
    if (p) item.first_ms = Math.min(item.first_ms, p.first_seen);
  }
  // Other rollup dimensions: a value first seen in the window's last 7 days is new unless the rollups show it in
  // the year before those 7 days (the window may start later than that).
  for (const k of ROLLUP_KINDS) {
    if (k.kind === 'person') continue;
    const candidates = sections[k.kind].filter((x) => x.first_ms >= newSince).map((x) => x.value);
    if (candidates.length === 0) continue;
    const before = await dimensionValuesSeen(s, org, k.dim, candidates, newSince - NEW_LOOKBACK_MS, newSince);
    if (k.kind === 'plugin') {
      const older = await pluginLoads(s, org, Math.max(newSince - NEW_LOOKBACK_MS, to - PLUGIN_EVENTS_MS), newSince);
      for (const l of older) before.add(l.plugin);
    }
    for (const item of sections[k.kind]) if (before.has(item.value)) item.first_ms = Math.min(item.first_ms, from - 1);
  }
  // Workspaces: a folder is new unless a session before the 7 days (within the lookback) reported it.
  const wsCandidates = sections.workspace.filter((x) => x.first_ms >= newSince);
  if (wsCandidates.length > 0) {
    const olderFolders = earlyFolders ?? (await foldersBefore(s));
    for (const item of wsCandidates)
      if (olderFolders.has(item.value)) item.first_ms = Math.min(item.first_ms, from - 1);
  }

  const strip = ({ first_ms: _f, ...rest }: DiscoveredItem & { first_ms: number }): DiscoveredItem => rest;
  const newThisWeek = discoveryKinds
    .flatMap((k) => sections[k].filter((x) => x.first_ms >= newSince && x.first_ms < to))
    .map((x) => ({ ...strip(x), first_seen: iso(Math.max(x.first_ms, from)) }))
    .sort((a, b) => compareText(a.first_seen, b.first_seen) || compareText(a.value, b.value));

  // Unsanctioned candidates: active people without a department in the directory or in any of their telemetry.
  const telemetryDept = new Map<string, string>();
  for (const f of figures)
    if (f.dim === 'department') for (const person of f.people.keys()) telemetryDept.set(person, f.value);
  const unsanctioned = sections.person
    .filter((x) => !people.get(x.value)?.department && !telemetryDept.has(x.value))
    .map((x) => ({
      person_id: x.value,
      display_name: people.get(x.value)?.display_name ?? null,
      first_seen: iso(x.first_ms),
      last_seen: x.last_seen,
      reason: 'no known department',
    }));

  return {
    from: iso(from),
    to: iso(to),
    new_since: iso(newSince),
    seat_table: null,
    plugin_events_from: iso(pluginFrom),
    unsanctioned_note: UNSANCTIONED_NOTE,
    people: sections.person.map(strip),
    models: sections.model.map(strip),
    agents: sections.agent.map(strip),
    skills: sections.skill.map(strip),
    plugins: sections.plugin.map(strip),
    mcp_servers: sections.mcp_server.map(strip),
    workspaces: sections.workspace.map(strip),
    new_this_week: newThisWeek,
    unsanctioned_candidates: unsanctioned,
  };
}
