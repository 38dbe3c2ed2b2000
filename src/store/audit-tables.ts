import type { Generated } from 'kysely';

/** Kysely table types of the audit vault (migration 0011, docs/audit.md). Times are epoch ms. */
export interface AuditEntriesTable {
  idx: number;
  time: number;
  actor_kind: string;
  actor_id: string;
  actor_name: string | null;
  action: string;
  subject_kind: string | null;
  subject_id: string | null;
  outcome: string | null;
  source_ip: string | null;
  /** RFC 8785 canonical JSON of the entry; null once retention pruned it. */
  leaf: string | null;
  /** RFC 6962 leaf hash, 32 bytes. */
  leaf_hash: Buffer;
  /** Complete-subtree hashes this append completed, levels 1..k, 32 bytes each; null when k = 0. */
  hashes: Buffer | null;
  appended_at: number;
  pruned_at: number | null;
}

export interface AuditStateTable {
  id: number;
  size: number;
  /** The compact-range frontier (audit/merkle.ts) for `size` leaves. */
  frontier: Buffer;
  updated_at: number;
}

export interface AuditCheckpointsTable {
  id: Generated<number>;
  size: number;
  root: Buffer;
  /** The C2SP signed note: checkpoint text, blank line, signature lines. */
  note: string;
  /** JSON array of the signing key names. */
  signers: string;
  created_at: number;
}

export interface AuditHoldsTable {
  id: string;
  name: string;
  reason: string;
  from_time: number | null;
  to_time: number | null;
  actor_id: string | null;
  action: string | null;
  subject_id: string | null;
  created_at: number;
  created_by: string;
  released_at: number | null;
  released_by: string | null;
}

export interface AuditTables {
  audit_entries: AuditEntriesTable;
  audit_state: AuditStateTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_holds: AuditHoldsTable;
}
