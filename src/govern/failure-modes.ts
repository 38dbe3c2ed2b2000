import { DAY_MS } from '../contracts/rollup-columns.js';
import { countActiveSeats, lastReviews, listCadences, overdueCadences } from '../store/cadences.repo.js';
import { mcpToolUses, skillEvents, type SkillEvent } from '../store/failure-modes-read.repo.js';
import { listMeetings } from '../store/forum.repo.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { ACTIVE_SEAT_WINDOW_DAYS, FORUM_SEAT_THRESHOLD } from './cadence.js';
import type { Finding } from './governance-findings.js';
import { listObjects, type GovObject } from './governance-objects.js';

/**
 * Failure-mode detectors (issue 6, docs/governance.md "Failure modes"), each kind in its own function, merged into
 * the findings list by governance-findings.ts:
 *   cadence_overdue      an active cadence past its next due date plus grace (store `overdueCadences`);
 *   forum_lapsed         the forum is required (> 50 active seats) or switched on, and two whole calendar months
 *                        (UTC) passed with no meeting and no forum review;
 *   pilot_not_graduated  a workspace still in `pilot` after its planned end (`pilot_ends_on`);
 *   scope_drift          an MCP tool seen in telemetry (events mcp_server / mcp_tool, last 90 days) that is not in
 *                        its connector's tool list, or whose policy there is `blocked`;
 *   skill_regression     a skill whose tool-error rate in the 7 days after a model or app-version change is more
 *                        than double the 7 days before (thresholds below).
 * Memory hygiene stays with `steward check docs` (rule memory-sensitive-data), which reads the files.
 */
export const failureModeKinds = [
  'cadence_overdue',
  'forum_lapsed',
  'pilot_not_graduated',
  'scope_drift',
  'skill_regression',
] as const;

export const FAILURE_WINDOW_MS = 90 * DAY_MS;
/**
 * skill_regression: 7-day windows either side of a change, each with at least 20 tool results, 5 errors after.
 * Events are read grouped by hour (with model and app version), so a window's edges are exact to the hour.
 */
export const REGRESSION = { windowMs: 7 * DAY_MS, minCalls: 20, minErrorsAfter: 5, factor: 2 } as const;

const iso = (ms: number): string => new Date(ms).toISOString();
const norm = (s: string): string => s.trim().toLowerCase();
const monthStart = (ms: number, add = 0): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1);
};

export async function cadenceOverdueFindings(store: Store, at: number): Promise<Finding[]> {
  const overdue = await overdueCadences(store.db, at, DEFAULT_ORG);
  return overdue.map(({ cadence: c, status: s }) => ({
    kind: 'cadence_overdue',
    object_kind: 'cadence',
    object_id: c.id,
    subject: c.name,
    detail:
      `${c.frequency} cadence "${c.name}" was due ${iso(s.nextDue)} (${c.graceDays} days' grace)` +
      (s.lastReviewAt === null ? '; no review recorded' : `; last review ${iso(s.lastReviewAt)}`),
    since: iso(s.overdueAfter),
  }));
}

export const FORUM_CADENCE = 'governance-forum';

export async function forumLapsedFindings(store: Store, at: number): Promise<Finding[]> {
  const cadence = (await listCadences(store.db, DEFAULT_ORG)).find((c) => c.id === FORUM_CADENCE);
  const seats = await countActiveSeats(store.db, DEFAULT_ORG, at - ACTIVE_SEAT_WINDOW_DAYS * DAY_MS);
  const required = seats > FORUM_SEAT_THRESHOLD;
  if (!required && !cadence?.active) return [];
  const [meeting] = await listMeetings(store.db, DEFAULT_ORG, { to: at + 1, limit: 1 });
  const review = (await lastReviews(store.db, DEFAULT_ORG, at)).get(FORUM_CADENCE);
  const held = Math.max(meeting ? Number(meeting.held_at) : -1, review ?? -1);
  // Never held: count from when the forum cadence was set up or last changed (switched on).
  const baseline = held >= 0 ? held : cadence ? cadence.updatedAt : null;
  if (baseline === null) return [];
  const lapsedAt = monthStart(baseline, 3);
  if (at < lapsedAt) return [];
  const months = `${iso(monthStart(baseline, 1)).slice(0, 7)} and ${iso(monthStart(baseline, 2)).slice(0, 7)}`;
  return [
    {
      kind: 'forum_lapsed',
      object_kind: 'cadence',
      object_id: FORUM_CADENCE,
      subject: cadence?.name ?? 'Monthly governance forum',
      detail:
        `no forum meeting or review in ${months}` +
        (held >= 0 ? ` (last held ${iso(held)})` : ' (never held)') +
        (required ? `; the forum is required: ${seats} active seats (more than ${FORUM_SEAT_THRESHOLD})` : ''),
      since: iso(lapsedAt),
    },
  ];
}

export function pilotFindings(objects: readonly GovObject[], at: number): Finding[] {
  const out: Finding[] = [];
  for (const o of objects) {
    const end = o.fields.pilot_ends_on;
    if (o.kind !== 'workspace' || o.status !== 'pilot' || typeof end !== 'string') continue;
    const endsAt = Date.parse(`${end}T00:00:00Z`) + DAY_MS; // the end date is the pilot's last day
    if (!(endsAt <= at)) continue;
    out.push({
      kind: 'pilot_not_graduated',
      object_kind: 'workspace',
      object_id: o.id,
      subject: o.name,
      detail: `workspace "${o.name}" is still in pilot after its planned end ${end}`,
      since: iso(endsAt),
    });
  }
  return out;
}

export async function scopeDriftFindings(store: Store, objects: readonly GovObject[], at: number): Promise<Finding[]> {
  const connectors = new Map(
    objects.filter((o) => o.kind === 'connector' && o.status !== 'retired').map((o) => [norm(o.name), o]),
  );
  if (connectors.size === 0) return [];
  const uses = await mcpToolUses(store.db, DEFAULT_ORG, at - FAILURE_WINDOW_MS, at);
  const out: Finding[] = [];
  for (const u of uses) {
    const c = connectors.get(norm(u.mcp_server));
    const tools = Array.isArray(c?.fields.tools) ? (c.fields.tools as { name: string; policy: string }[]) : [];
    // A connector without a tool list states nothing to compare against.
    if (!c || tools.length === 0) continue;
    const declared = tools.find((t) => norm(t.name) === norm(u.mcp_tool));
    if (declared && declared.policy !== 'blocked') continue;
    out.push({
      kind: 'scope_drift',
      object_kind: 'connector',
      object_id: c.id,
      subject: `${c.name}/${u.mcp_tool}`,
      detail: declared
        ? `tool "${u.mcp_tool}" of connector "${c.name}" is blocked but was used (${u.events} events)`
        : `tool "${u.mcp_tool}" of connector "${c.name}" was used (${u.events} events) but is not in its approved ` +
          `tools (${tools.map((t) => t.name).join(', ')})`,
      since: iso(u.first_seen),
      first_seen: iso(u.first_seen),
      last_seen: iso(u.last_seen),
    });
  }
  return out;
}

interface Change {
  at: number;
  what: string;
}

/** The moments a skill's model or app version changed, from its own events (oldest first). */
export function versionChanges(events: readonly SkillEvent[]): Change[] {
  const changes: Change[] = [];
  let model: string | null = null;
  let app: string | null = null;
  for (const e of events) {
    if (e.model !== null && e.model !== model) {
      if (model !== null) changes.push({ at: e.time, what: `model ${model} → ${e.model}` });
      model = e.model;
    }
    if (e.app_version !== null && e.app_version !== app) {
      if (app !== null) changes.push({ at: e.time, what: `app version ${app} → ${e.app_version}` });
      app = e.app_version;
    }
  }
  return changes;
}

function errorRate(events: readonly SkillEvent[], from: number, to: number) {
  let calls = 0;
  let errors = 0;
  for (const e of events) {
    if (e.time < from || e.time >= to) continue;
    calls += e.calls;
    errors += e.errors;
  }
  return { calls, errors, rate: calls === 0 ? 0 : errors / calls };
}

export async function skillRegressionFindings(
  store: Store,
  objects: readonly GovObject[],
  at: number,
): Promise<Finding[]> {
  const w = REGRESSION.windowMs;
  const events = await skillEvents(store.db, DEFAULT_ORG, at - FAILURE_WINDOW_MS - w, at);
  const bySkill = new Map<string, SkillEvent[]>();
  for (const e of events) {
    const list = bySkill.get(e.skill) ?? [];
    list.push(e);
    bySkill.set(e.skill, list);
  }
  const skills = new Map(objects.filter((o) => o.kind === 'skill').map((o) => [norm(o.name), o]));
  const out: Finding[] = [];
  for (const [skill, list] of bySkill) {
    let worst: { change: Change; before: ReturnType<typeof errorRate>; after: ReturnType<typeof errorRate> } | null =
      null;
    for (const change of versionChanges(list)) {
      if (change.at < at - FAILURE_WINDOW_MS) continue;
      const before = errorRate(list, change.at - w, change.at);
      const after = errorRate(list, change.at, Math.min(change.at + w, at));
      const regressed =
        before.calls >= REGRESSION.minCalls &&
        after.calls >= REGRESSION.minCalls &&
        after.errors >= REGRESSION.minErrorsAfter &&
        after.rate > REGRESSION.factor * before.rate;
      if (regressed && (!worst || after.rate - before.rate > worst.after.rate - worst.before.rate)) {
        worst = { change, before, after };
      }
    }
    if (!worst) continue;
    const o = skills.get(norm(skill));
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    out.push({
      kind: 'skill_regression',
      object_kind: 'skill',
      object_id: o?.id ?? null,
      subject: o?.name ?? skill,
      detail:
        `skill "${skill}": tool-error rate ${pct(worst.after.rate)} (${worst.after.errors}/${worst.after.calls}) in the ` +
        `7 days after ${worst.change.what}, against ${pct(worst.before.rate)} (${worst.before.errors}/` +
        `${worst.before.calls}) in the 7 days before`,
      since: iso(worst.change.at),
    });
  }
  return out;
}

/** Every failure-mode finding at `at`. */
export async function failureModeFindings(
  store: Store,
  at: number,
  objects?: readonly GovObject[],
): Promise<Finding[]> {
  const all = objects ?? (await listObjects(store));
  const groups = await Promise.all([
    cadenceOverdueFindings(store, at),
    forumLapsedFindings(store, at),
    Promise.resolve(pilotFindings(all, at)),
    scopeDriftFindings(store, all, at),
    skillRegressionFindings(store, all, at),
  ]);
  return groups.flat();
}
