import { discoveryReport } from '../analytics/discovery.js';
import { DAY_MS } from '../contracts/rollup-columns.js';
import type { Store } from '../store/store.js';
import { failureModeFindings, failureModeKinds } from './failure-modes.js';
import { listObjects, type GovObject } from './governance-objects.js';
import type { GovKind } from './governance-schemas.js';

/**
 * Declared vs observed (issue 6): what telemetry shows (MCP servers, skills, plugins from the rollups; workspace
 * folders from sessions — the discovery report of analytics/) against the inventory, plus the inventory's own
 * gaps. Four kinds:
 *   undeclared            seen in the last 90 days, in no inventory (first/last seen and by whom);
 *   retirement_candidate  declared at least 90 days ago, not retired, and no use seen in the last 90 days;
 *   ownerless             an object (not retired) without an owner;
 *   review_overdue        an object (not retired) past its next review.
 * Any inventory entry counts as declared whatever its status: a denied connector still in use is declared (and a
 * matter for enforcement), not unknown. Names compare case-insensitively; a folder is declared when a workspace
 * lists it or a folder above it. Plugins are declared by the skills that ship in them (`plugin`), or by a skill or
 * connector of the same name. The failure-mode kinds (cadence_overdue, forum_lapsed, pilot_not_graduated,
 * scope_drift, skill_regression) come from failure-modes.ts and are listed after these.
 */
export const OBSERVATION_WINDOW_MS = 90 * DAY_MS;
export const findingKinds = [
  'undeclared',
  'retirement_candidate',
  'ownerless',
  'review_overdue',
  ...failureModeKinds,
] as const;
export type FindingKind = (typeof findingKinds)[number];

export interface Finding {
  kind: FindingKind;
  /** `cadence` for the cadence and forum failure modes. */
  object_kind: GovKind | 'cadence';
  /** The inventory object; null for an undeclared item. */
  object_id: string | null;
  /** What the finding is about: the object's name, or the name seen in telemetry. */
  subject: string;
  detail: string;
  since: string;
  first_seen?: string;
  last_seen?: string;
  /** How many people used it, and the most active of them (display name, else person id). */
  people?: number;
  seen_by?: string[];
}

interface Seen {
  value: string;
  first_seen: string;
  last_seen: string;
  people: number;
  top_people: { person_id: string; display_name: string | null }[];
}

const norm = (s: string): string => s.trim().toLowerCase();
const folderNorm = (s: string): string => s.trim().replace(/[/\\]+$/, '');
const iso = (ms: number): string => new Date(ms).toISOString();

function folderDeclared(folder: string, declared: readonly string[]): boolean {
  const f = folderNorm(folder);
  return declared.some((d) => f === d || f.startsWith(`${d}/`) || f.startsWith(`${d}\\`));
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export async function governanceFindings(store: Store, at = Date.now()): Promise<Finding[]> {
  const objects = await listObjects(store);
  const seen = await discoveryReport(store, { from: at - OBSERVATION_WINDOW_MS, to: at });
  const findings: Finding[] = [];
  const live = objects.filter((o) => o.status !== 'retired');

  for (const o of live) {
    if (!o.owner) {
      findings.push({
        kind: 'ownerless',
        object_kind: o.kind,
        object_id: o.id,
        subject: o.name,
        detail: `${o.kind} "${o.name}" has no owner`,
        since: iso(o.created_at),
      });
    }
    if (o.next_review_due < at) {
      findings.push({
        kind: 'review_overdue',
        object_kind: o.kind,
        object_id: o.id,
        subject: o.name,
        detail:
          `${o.review_cadence} review of ${o.kind} "${o.name}" was due ${iso(o.next_review_due)}` +
          (o.last_reviewed_at === null ? ' (never reviewed)' : ` (last reviewed ${iso(o.last_reviewed_at)})`),
        since: iso(o.next_review_due),
      });
    }
  }

  const names = (kind: GovKind) => new Set(objects.filter((o) => o.kind === kind).map((o) => norm(o.name)));
  const connectors = names('connector');
  const skills = names('skill');
  const plugins = new Set([
    ...objects
      .filter((o) => o.kind === 'skill' && typeof o.fields.plugin === 'string')
      .map((o) => norm(String(o.fields.plugin))),
    ...skills,
    ...connectors,
  ]);
  const folders = objects
    .filter((o) => o.kind === 'workspace')
    .flatMap((o) => strings(o.fields.folders).map(folderNorm));

  const undeclared = (objectKind: GovKind, what: string, items: readonly Seen[], declared: (v: string) => boolean) => {
    for (const s of items) {
      if (declared(s.value)) continue;
      findings.push({
        kind: 'undeclared',
        object_kind: objectKind,
        object_id: null,
        subject: s.value,
        detail: `${what} "${s.value}" is used (seen by ${s.people} ${s.people === 1 ? 'person' : 'people'}) but is not in the ${objectKind} inventory`,
        since: s.first_seen,
        first_seen: s.first_seen,
        last_seen: s.last_seen,
        people: s.people,
        seen_by: s.top_people.map((p) => p.display_name ?? p.person_id),
      });
    }
  };
  undeclared('connector', 'MCP server', seen.mcp_servers, (v) => connectors.has(norm(v)));
  undeclared('skill', 'skill', seen.skills, (v) => skills.has(norm(v)));
  undeclared('skill', 'plugin', seen.plugins, (v) => plugins.has(norm(v)));
  undeclared('workspace', 'workspace folder', seen.workspaces, (v) => folderDeclared(v, folders));

  const used = {
    mcp: new Set(seen.mcp_servers.map((s) => norm(s.value))),
    skill: new Set(seen.skills.map((s) => norm(s.value))),
    plugin: new Set(seen.plugins.map((s) => norm(s.value))),
  };
  const inUse = (o: GovObject): boolean => {
    if (o.kind === 'connector') return used.mcp.has(norm(o.name));
    if (o.kind === 'skill') {
      const plugin = typeof o.fields.plugin === 'string' ? norm(o.fields.plugin) : null;
      return used.skill.has(norm(o.name)) || (plugin !== null && used.plugin.has(plugin));
    }
    const declared = strings(o.fields.folders).map(folderNorm);
    return seen.workspaces.some((w) => folderDeclared(w.value, declared));
  };
  const windowStart = at - OBSERVATION_WINDOW_MS;
  for (const o of live) {
    if (o.kind === 'policy' || o.created_at > windowStart || inUse(o)) continue;
    findings.push({
      kind: 'retirement_candidate',
      object_kind: o.kind,
      object_id: o.id,
      subject: o.name,
      detail: `${o.kind} "${o.name}" has no use seen in the 90 days before ${iso(at)}`,
      since: iso(windowStart),
    });
  }
  findings.push(...(await failureModeFindings(store, at, objects)));
  const order = (f: Finding) => findingKinds.indexOf(f.kind);
  return findings.sort(
    (a, b) => order(a) - order(b) || a.object_kind.localeCompare(b.object_kind) || a.subject.localeCompare(b.subject),
  );
}
