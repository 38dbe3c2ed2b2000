/** Kysely table types of the RACI and cadence store (migration 0009). Times are epoch ms; JSON columns are text. */
export interface GovRaciTable {
  org_id: string;
  /** JSON of govern/raci.ts `RaciMatrix`. */
  matrix: string;
  version: number;
  updated_at: number;
  updated_by: string;
}

export interface GovRaciHistoryTable {
  id: string;
  org_id: string;
  version: number;
  at: number;
  actor: string;
  before: string | null;
  after: string;
}

export interface GovCadencesTable {
  org_id: string;
  id: string;
  name: string;
  kind: string;
  frequency: string;
  owner_person: string | null;
  owner_role: string | null;
  /** JSON `{"people": [emails], "roles": [names]}`. */
  attendees: string;
  starts_at: number;
  grace_days: number;
  active: number;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

export interface GovReviewsTable {
  id: string;
  org_id: string;
  cadence_id: string;
  held_at: number;
  /** JSON array of names or emails. */
  attendees: string;
  notes: string;
  /** JSON array of decision texts. */
  decisions: string;
  created_at: number;
  created_by: string;
}

export interface RaciCadenceTables {
  gov_raci: GovRaciTable;
  gov_raci_history: GovRaciHistoryTable;
  gov_cadences: GovCadencesTable;
  gov_reviews: GovReviewsTable;
}
