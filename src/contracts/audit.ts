import { z } from 'zod';

/**
 * The audit entry (DESIGN §3: "who did what to what, when, from where, with a hash that chains into the vault";
 * issue 7). One entry is one leaf of the vault's Merkle log: the leaf bytes are the RFC 8785 canonical JSON of the
 * entry exactly as below (absent optional members are omitted, never written as null), hashed per RFC 6962.
 * Shared by the vault (src/audit), every recorder (routes, enforcement, governance, ingest seals), the REST API,
 * the CLI and the console.
 */

/** Who acted. `token`: an API token (id = token id); `person`: a resolved person; `gateway_key`; `system`: Steward. */
export const auditActorKinds = ['token', 'person', 'gateway_key', 'system', 'anonymous'] as const;
export type AuditActorKind = (typeof auditActorKinds)[number];

export const auditActorSchema = z.strictObject({
  kind: z.enum(auditActorKinds),
  id: z.string().min(1).max(256),
  /** A display name (token name, person email) when known: forensic search matches it too. */
  name: z.string().max(512).optional(),
  role: z.string().max(64).optional(),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

/** What was acted on: `{kind: 'policy', id: 'v3'}`, `{kind: 'route', id: 'POST /api/v1/keys'}`… */
export const auditSubjectSchema = z.strictObject({
  kind: z.string().min(1).max(64),
  id: z.string().max(1024),
});
export type AuditSubject = z.infer<typeof auditSubjectSchema>;

/** Where from: the client address Fastify saw (honouring trustProxy) and the user agent. */
export const auditSourceSchema = z.strictObject({
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(512).optional(),
});

export const auditOutcomes = ['success', 'failure'] as const;

/**
 * Action names are dotted, noun first, past tense free: `auth.login`, `token.create`, `policy.publish`,
 * `decision.deny`, `governance.object.update`, `forum.decision`, `export.bundle`, `activity.seal`,
 * `audit.checkpoint`, `audit.retention`. The catalogue in docs/audit.md lists every action Steward writes.
 */
export const auditEntrySchema = z.strictObject({
  /** Format version of the entry (bumped only with a documented migration of verifiers). */
  v: z.literal(1),
  /** Epoch milliseconds when the action happened (not when it was appended). */
  time: z.number().int().nonnegative(),
  actor: auditActorSchema,
  action: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'dotted lower-case words'),
  subject: auditSubjectSchema.optional(),
  source: auditSourceSchema.optional(),
  outcome: z.enum(auditOutcomes).optional(),
  /** State before and after a change, where relevant (secrets never appear: presenters strip them first). */
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  /** Anything else worth keeping (HTTP status, rule id, counts, the sealed batch's digest…). JSON values only. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** What a recorder hands the vault: the version is filled in. */
export type AuditEntryInput = Omit<AuditEntry, 'v'>;

/** A stored entry as the API presents it. */
export interface AuditRecord {
  index: number;
  entry: AuditEntry | null;
  /** Hex SHA-256 leaf hash (RFC 6962: SHA-256(0x00 || canonical JSON)). */
  leafHash: string;
  /** Set when retention removed the entry's content (its hash stays, so proofs still hold). */
  prunedAt: number | null;
  /** Under a legal hold: retention skips it. */
  held: boolean;
}
