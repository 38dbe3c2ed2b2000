/**
 * The governance API's JSON (src/api/governance-*.routes.ts, docs/governance.md, docs/governance-operations.md),
 * mirrored by hand: the server builds these shapes in its presenters, not in src/contracts/, which is all the console
 * may import.
 */
export type GovKind = 'policy' | 'workspace' | 'connector' | 'skill';
export type GovCadence = 'weekly' | 'monthly' | 'quarterly' | 'annual';

/** The URL segment of each kind, in the API and in the console (`/inventory/connectors/…`). */
export const KIND_PATHS: Record<GovKind, string> = {
  policy: 'policies',
  workspace: 'workspaces',
  connector: 'connectors',
  skill: 'skills',
};
export const GOV_KINDS: GovKind[] = ['policy', 'workspace', 'connector', 'skill'];
export const KIND_NAMES: Record<GovKind, { one: string; many: string }> = {
  policy: { one: 'Acceptable-use policy', many: 'Acceptable-use policies' },
  workspace: { one: 'Workspace', many: 'Workspaces' },
  connector: { one: 'Connector', many: 'Connectors' },
  skill: { one: 'Skill', many: 'Skills' },
};
export const CADENCES: GovCadence[] = ['weekly', 'monthly', 'quarterly', 'annual'];
export const STATUSES: Record<GovKind, string[]> = {
  policy: ['draft', 'active', 'retired'],
  workspace: ['proposed', 'pilot', 'active', 'retired'],
  connector: ['requested', 'approved', 'denied', 'retired'],
  skill: ['proposed', 'approved', 'deprecated', 'retired'],
};
/** Connector decisions (requested → approved | denied, then → retired). */
export const CONNECTOR_TRANSITIONS: Record<string, string[]> = {
  requested: ['approved', 'denied'],
  approved: ['retired'],
  denied: ['retired'],
  retired: [],
};

export function kindFromPath(segment: string): GovKind | undefined {
  return GOV_KINDS.find((k) => KIND_PATHS[k] === segment);
}

/** An object as presented: the common fields, then the kind's own fields inline. */
export interface GovObject {
  id: string;
  kind: GovKind;
  name: string;
  owner: string | null;
  review_cadence: GovCadence;
  last_reviewed_at: string | null;
  next_review_due: string;
  home: string | null;
  status: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  /** Policies only: the newest version's number. */
  current_version?: number | null;
  [field: string]: unknown;
}

export interface GovHistoryEntry {
  action: string;
  actor: string;
  at: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface ConnectorDecision {
  id: string;
  from: string;
  to: string;
  decided_by: string;
  decided_at: string;
  reason: string;
  reference: string | null;
}

export interface PolicyVersion {
  version: number;
  body_md: string;
  effective_date: string;
  owner: string | null;
  approver: string | null;
  created_at: string;
  created_by: string;
}

export interface PolicyReminders {
  policy_id: string;
  version: number | null;
  people: { person_id: string; email: string; display_name: string | null }[];
}

/** The declared-vs-observed kinds, then the failure modes (a string: the server may add kinds). */
export type FindingKind =
  | 'undeclared'
  | 'retirement_candidate'
  | 'ownerless'
  | 'review_overdue'
  | 'cadence_overdue'
  | 'forum_lapsed'
  | 'pilot_not_graduated'
  | 'scope_drift'
  | 'skill_regression'
  | (string & {});
export interface GovFinding {
  kind: FindingKind;
  /** `cadence` for the cadence and forum failure modes. */
  object_kind: GovKind | 'cadence';
  object_id: string | null;
  subject: string;
  detail: string;
  since: string;
  first_seen?: string;
  last_seen?: string;
  people?: number;
  seen_by?: string[];
}

export interface RaciProblem {
  activity: string | null;
  field: string;
  message: string;
}
export interface Raci {
  roles: string[];
  activities: { name: string; cells: Record<string, string> }[];
  valid: boolean;
  problems: RaciProblem[];
  version: number;
  updated_at: string | null;
  updated_by: string | null;
}

export interface CadenceItem {
  id: string;
  name: string;
  kind: string;
  frequency: GovCadence;
  owner_person: string | null;
  owner_role: string | null;
  attendees: { people: string[]; roles: string[] };
  starts_at: string;
  grace_days: number;
  active: boolean;
  last_review_at?: string | null;
  next_due?: string;
  overdue_after?: string;
  overdue?: boolean;
  updated_at: string;
  updated_by: string;
}

export interface CadenceList {
  items: CadenceItem[];
  forum_required: boolean;
  active_seats: number;
  forum_seat_threshold: number;
  active_seat_window_days: number;
}

export interface CadenceReview {
  id: string;
  cadence_id: string;
  held_at: string;
  attendees: string[];
  notes: string;
  decisions: string[];
  created_at: string;
  created_by: string;
}

/** A forum decision; a structured one (`approve connector X`) changed the inventory (`outcome`). */
export interface MeetingDecision {
  id: string;
  seq: number;
  text: string;
  action: Record<string, unknown> | null;
  outcome: { object_kind: GovKind; object_id: string; name: string; from: string; to: string } | null;
  decided_at: string;
  decided_by: string;
}

export interface Meeting {
  id: string;
  held_at: string;
  title: string;
  attendees: string[];
  notes: string;
  decisions: MeetingDecision[];
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One quarter of the scorecard (src/govern/scorecard.ts). */
export interface ScorecardQuarter {
  quarter: string;
  from: string;
  to: string;
  as_of: string;
  objects: { kind: GovKind; objects: number; owner_set: number; fields_complete: number; reviewed_on_time: number }[];
  cadences: {
    items: { id: string; name: string; frequency: string; due: number; held: number; overdue_at_end: boolean }[];
    due: number;
    held: number;
    adherence: number | null;
    overdue: string[];
  };
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
  current: ScorecardQuarter;
  previous: ScorecardQuarter;
}
