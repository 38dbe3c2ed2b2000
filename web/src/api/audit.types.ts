import type { AuditEntry } from '../../../src/contracts/audit';

/**
 * The audit vault's REST answers (src/api/audit.routes.ts, docs/audit.md). The entry itself is declared in
 * src/contracts/audit.ts and imported type-only; the search page, checkpoint and proof shapes are built by the
 * server's routes, so they are mirrored here by hand.
 */
export type { AuditEntry };

export type ProofStatus = 'verified' | 'pending' | 'pruned' | 'tampered';

export interface AuditResult {
  index: number;
  /** Null when retention pruned the content (its hash stays). */
  entry: AuditEntry | null;
  leafHash: string;
  prunedAt: number | null;
  held: boolean;
  proof: ProofStatus;
}

export interface AuditSearchPage {
  items: AuditResult[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next: number | null;
  /** The latest signed checkpoint the proof statuses were computed against (root in hex). */
  checkpoint: { size: number; root: string } | null;
}

/** GET /api/v1/audit/checkpoint (root in base64, as in the signed note). */
export interface AuditCheckpoint {
  origin: string;
  size: number;
  root: string;
  note: string;
  created_at: string;
}

/** GET /api/v1/audit/proof/inclusion (hashes in base64; RFC 6962 §2.1.1). */
export interface InclusionProof {
  index: number;
  size: number;
  leaf_hash: string;
  proof: string[];
  root: string;
}
