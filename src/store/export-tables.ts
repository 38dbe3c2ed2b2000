import type { Generated } from 'kysely';

/** Kysely table types of the export outbox (migration 0012, docs/exports.md). Times are epoch ms. */
export interface ExportOutboxTable {
  id: Generated<number>;
  sink: string;
  /** `events` or `audit`. */
  source: string;
  /** events.id or audit_entries.idx. */
  source_id: number;
  /** The record's stable id (OCSF metadata.uid, webhook-id, PagerDuty dedup_key): the same on every redelivery. */
  uid: string;
  /** Event kind or audit action. */
  kind: string;
  severity: string;
  /** The record rendered for its sink (JSON text); never holds the sink's secrets. */
  payload: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  /** Set while a dispatcher holds the row (a lease: after it passes, the row is due again). */
  claimed_until: number | null;
  /** pending | delivered | dead */
  state: string;
  last_error: string | null;
  delivered_at: number | null;
}

/** Per sink and source: the last source id the feeder has read (and enqueued what matched). */
export interface ExportCursorsTable {
  sink: string;
  source: string;
  position: number;
  updated_at: number;
}

export interface ExportTables {
  export_outbox: ExportOutboxTable;
  export_cursors: ExportCursorsTable;
}
