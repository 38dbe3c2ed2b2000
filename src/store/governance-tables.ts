import type { Generated } from 'kysely';

/**
 * Kysely table types of the governance store (migration 0008, docs/governance.md). Times are epoch milliseconds;
 * `fields`, `before` and `after` are JSON text.
 */
export interface GovObjectsTable {
  id: string;
  org_id: string;
  /** policy | workspace | connector | skill */
  kind: string;
  name: string;
  /** A person's email, lower-cased; null when nobody owns it (a finding). */
  owner: string | null;
  /** weekly | monthly | quarterly | annual */
  review_cadence: string;
  last_reviewed_at: number | null;
  next_review_due: number;
  /** Where the object lives (a link to the page, repository or document). */
  home: string | null;
  status: string;
  /** The kind's own fields as JSON, validated by govern/ on every write. */
  fields: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

export interface GovHistoryTable {
  id: Generated<number>;
  org_id: string;
  object_kind: string;
  object_id: string;
  /** create | update | review | retire | decision | version | acknowledge */
  action: string;
  actor: string;
  at: number;
  before: string | null;
  after: string | null;
}

export interface GovPolicyVersionsTable {
  org_id: string;
  policy_id: string;
  version: number;
  body_md: string;
  /** YYYY-MM-DD */
  effective_date: string;
  owner: string | null;
  approver: string | null;
  created_at: number;
  created_by: string;
}

export interface GovPolicyAcksTable {
  org_id: string;
  policy_id: string;
  version: number;
  /** The person's email, lower-cased. */
  person: string;
  acknowledged_at: number;
  recorded_by: string;
}

export interface GovConnectorDecisionsTable {
  id: string;
  org_id: string;
  connector_id: string;
  from_status: string;
  to_status: string;
  decided_by: string;
  decided_at: number;
  reason: string;
  /** A meeting or decision-log reference, when the decision was taken in one. */
  reference: string | null;
}

export interface GovernanceTables {
  gov_objects: GovObjectsTable;
  gov_history: GovHistoryTable;
  gov_policy_versions: GovPolicyVersionsTable;
  gov_policy_acks: GovPolicyAcksTable;
  gov_connector_decisions: GovConnectorDecisionsTable;
}
