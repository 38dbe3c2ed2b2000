/** Kysely table types of the forum (migration 0010). Times are epoch ms; JSON columns are text. */
export interface GovMeetingsTable {
  id: string;
  org_id: string;
  held_at: number;
  title: string;
  /** JSON array of names or emails. */
  attendees: string;
  notes: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

export interface GovMeetingDecisionsTable {
  id: string;
  org_id: string;
  meeting_id: string;
  seq: number;
  /** The decision as said. */
  text: string;
  /** JSON of govern/forum-decisions.ts `DecisionAction`, or null for a free-text decision. */
  action: string | null;
  /** JSON of what applying it changed (`{object_kind, object_id, name, from, to}`), or null. */
  outcome: string | null;
  decided_at: number;
  decided_by: string;
}

export interface ForumTables {
  gov_meetings: GovMeetingsTable;
  gov_meeting_decisions: GovMeetingDecisionsTable;
}
