import { addPeriod, cadenceStatus, type Cadence } from '../contracts/cadence.js';
import { AppError } from '../errors/app-error.js';
import { lastReviews, listCadences } from '../store/cadences.repo.js';
import { listMeetings, meetingDecisions } from '../store/forum.repo.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import { objectsAsOf, reviewsHeld } from '../store/scorecard-read.repo.js';
import type { Store } from '../store/store.js';
import { governanceFindings } from './governance-findings.js';
import { govKinds, type GovKind } from './governance-schemas.js';

/**
 * The quarterly governance scorecard (docs/governance.md "The scorecard"), every figure beside last quarter's:
 *   objects    per kind, of the objects not retired at the quarter's end (as their history shows them then): how
 *              many have an owner, their kind's required fields filled, and their review not overdue;
 *   cadences   reviews held against occurrences due in the quarter (active cadences, each on its schedule from its
 *              first occurrence), and the cadences overdue at the quarter's end;
 *   forum      meetings held, attendance, decisions recorded (and how many changed the inventory);
 *   findings   open findings at the quarter's end by age (since when each has been true): up to 30 days, 31–90,
 *              over 90 — evaluated against the inventory as it is now and the telemetry of the 90 days before.
 * A quarter not over yet is measured to now (`as_of`).
 */
const DAY = 86_400_000;

/** Fields each kind needs filled to count as complete (lists need at least one entry). */
export const REQUIRED_FIELDS: Record<GovKind, readonly string[]> = {
  policy: ['description', 'home'],
  workspace: ['sponsor', 'purpose', 'data_scope', 'classification', 'folders'],
  connector: ['publisher', 'risk', 'data_classes', 'tools'],
  skill: ['description', 'intended_use', 'inputs', 'outputs', 'version'],
};

export interface Quarter {
  label: string;
  from: number;
  to: number;
}

export function parseQuarter(label: string): Quarter {
  const m = /^(\d{4})-Q([1-4])$/i.exec(label.trim());
  if (!m) throw new AppError('bad_request', `quarter: must be YYYY-Qn (for example 2026-Q3), got "${label}"`);
  const year = Number(m[1]);
  const q = Number(m[2]);
  return { label: `${year}-Q${q}`, from: Date.UTC(year, (q - 1) * 3, 1), to: Date.UTC(year, q * 3, 1) };
}

export function quarterOf(t: number): Quarter {
  const d = new Date(t);
  return parseQuarter(`${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`);
}

export function previousQuarter(q: Quarter): Quarter {
  return quarterOf(q.from - 1);
}

export interface KindFigures {
  kind: GovKind;
  objects: number;
  owner_set: number;
  fields_complete: number;
  reviewed_on_time: number;
}

export interface CadenceFigures {
  id: string;
  name: string;
  frequency: string;
  due: number;
  held: number;
  overdue_at_end: boolean;
}

export interface QuarterFigures {
  quarter: string;
  from: string;
  to: string;
  as_of: string;
  objects: KindFigures[];
  cadences: { items: CadenceFigures[]; due: number; held: number; adherence: number | null; overdue: string[] };
  forum: {
    meetings: number;
    attendees_average: number | null;
    distinct_attendees: number;
    decisions: number;
    applied: number;
  };
  findings: {
    open: number;
    by_age: { up_to_30_days: number; '31_to_90_days': number; over_90_days: number };
    by_kind: Record<string, number>;
  };
}

export interface Scorecard {
  title: string;
  generated_at: string;
  current: QuarterFigures;
  previous: QuarterFigures;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const filled = (v: unknown): boolean =>
  v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);

async function objectFigures(store: Store, asOf: number): Promise<KindFigures[]> {
  const snapshots = await objectsAsOf(store.db, DEFAULT_ORG, asOf);
  const out = new Map<GovKind, KindFigures>(
    govKinds.map((k) => [k, { kind: k, objects: 0, owner_set: 0, fields_complete: 0, reviewed_on_time: 0 }]),
  );
  for (const s of snapshots) {
    if (s.after === null) continue;
    const o = JSON.parse(s.after) as Record<string, unknown>;
    const f = out.get(s.object_kind as GovKind);
    if (!f || o.status === 'retired') continue;
    f.objects += 1;
    if (filled(o.owner)) f.owner_set += 1;
    if (REQUIRED_FIELDS[f.kind].every((k) => filled(o[k]))) f.fields_complete += 1;
    const due = typeof o.next_review_due === 'string' ? Date.parse(o.next_review_due) : NaN;
    if (!(due < asOf)) f.reviewed_on_time += 1;
  }
  return [...out.values()];
}

/** Occurrences of a cadence's schedule (first occurrence, then every period) in [from, to). */
export function occurrences(c: Cadence, from: number, to: number): number {
  let n = 0;
  for (let k = 0; k < 10_000; k += 1) {
    const t = addPeriod(c.startsAt, c.frequency, k);
    if (t >= to) break;
    if (t >= from) n += 1;
  }
  return n;
}

async function cadenceFigures(store: Store, q: Quarter, asOf: number): Promise<QuarterFigures['cadences']> {
  const [cadences, held, last] = await Promise.all([
    listCadences(store.db, DEFAULT_ORG),
    reviewsHeld(store.db, DEFAULT_ORG, q.from, asOf),
    lastReviews(store.db, DEFAULT_ORG, asOf),
  ]);
  const items = cadences
    .filter((c) => c.active && c.createdAt < asOf)
    .map((c) => ({
      id: c.id,
      name: c.name,
      frequency: c.frequency,
      due: occurrences(c, q.from, asOf),
      held: held.filter((r) => r.cadence_id === c.id).length,
      overdue_at_end: cadenceStatus(c, last.get(c.id) ?? null, asOf).overdue,
    }));
  const due = items.reduce((n, c) => n + c.due, 0);
  const kept = items.reduce((n, c) => n + Math.min(c.held, c.due), 0);
  return {
    items,
    due,
    held: items.reduce((n, c) => n + c.held, 0),
    adherence: due === 0 ? null : Math.round((kept / due) * 1000) / 1000,
    overdue: items.filter((c) => c.overdue_at_end).map((c) => c.name),
  };
}

async function forumFigures(store: Store, q: Quarter, asOf: number): Promise<QuarterFigures['forum']> {
  const meetings = await listMeetings(store.db, DEFAULT_ORG, { from: q.from, to: asOf, limit: 1000 });
  const decisions = await meetingDecisions(
    store.db,
    DEFAULT_ORG,
    meetings.map((m) => m.id),
  );
  const attendees = meetings.map((m) => JSON.parse(m.attendees) as string[]);
  const total = attendees.reduce((n, a) => n + a.length, 0);
  return {
    meetings: meetings.length,
    attendees_average: meetings.length === 0 ? null : Math.round((total / meetings.length) * 10) / 10,
    distinct_attendees: new Set(attendees.flat().map((a) => a.trim().toLowerCase())).size,
    decisions: decisions.length,
    applied: decisions.filter((d) => d.outcome !== null).length,
  };
}

async function findingFigures(store: Store, asOf: number): Promise<QuarterFigures['findings']> {
  const findings = await governanceFindings(store, asOf);
  const by_age = { up_to_30_days: 0, '31_to_90_days': 0, over_90_days: 0 };
  const by_kind: Record<string, number> = {};
  for (const f of findings) {
    const age = (asOf - Date.parse(f.since)) / DAY;
    if (age <= 30) by_age.up_to_30_days += 1;
    else if (age <= 90) by_age['31_to_90_days'] += 1;
    else by_age.over_90_days += 1;
    by_kind[f.kind] = (by_kind[f.kind] ?? 0) + 1;
  }
  return { open: findings.length, by_age, by_kind };
}

export async function quarterFigures(store: Store, q: Quarter, now: number): Promise<QuarterFigures> {
  const asOf = Math.min(q.to, now);
  const [objects, cadences, forum, findings] = await Promise.all([
    objectFigures(store, asOf),
    cadenceFigures(store, q, asOf),
    forumFigures(store, q, asOf),
    findingFigures(store, asOf),
  ]);
  return { quarter: q.label, from: iso(q.from), to: iso(q.to), as_of: iso(asOf), objects, cadences, forum, findings };
}

/** The scorecard of a quarter (the current one by default) with the quarter before it. */
export async function governanceScorecard(store: Store, quarter?: string, now = Date.now()): Promise<Scorecard> {
  const q = quarter === undefined ? quarterOf(now) : parseQuarter(quarter);
  if (q.from > now) throw new AppError('bad_request', `quarter: ${q.label} has not started yet`);
  const [current, previous] = await Promise.all([
    quarterFigures(store, q, now),
    quarterFigures(store, previousQuarter(q), now),
  ]);
  return { title: `Governance scorecard ${q.label}`, generated_at: iso(now), current, previous };
}
