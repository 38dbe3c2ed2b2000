import { z } from 'zod';

/** The audit vault (issue 7, docs/audit.md). */
export const auditSchema = z
  .strictObject({
    origin: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^\s+—]+$/, 'no spaces, "+" or em dashes (C2SP checkpoint origin and note key name)')
      .optional()
      .describe(
        'Checkpoint origin line and signing-key name (C2SP tlog-checkpoint): a name unique to this log, e.g. steward.example.com/audit. Default: steward/<log id> with a random id kept in the store.',
      ),
    keyFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File holding the checkpoint signing keys (created on first start, mode 0600). Default: <dataDir>/audit-signing.keys. Kept out of the database on purpose: whoever can edit the database cannot sign. Replicas share one file.',
      ),
    algorithm: z
      .enum(['ed25519', 'ecdsa-p256'])
      .default('ed25519')
      .describe(
        'Signature algorithm of a newly generated checkpoint key: ed25519 (C2SP signed-note type 0x01) or ecdsa-p256 (type 0x02, approved in every validated OpenSSL FIPS provider).',
      ),
    checkpointIntervalMs: z
      .number()
      .int()
      .min(0)
      .default(60_000)
      .describe(
        'How often a new checkpoint is signed when the log has grown; 0 = only on demand (steward audit checkpoint).',
      ),
    appendLingerMs: z
      .number()
      .int()
      .min(0)
      .max(1_000)
      .default(20)
      .describe('How long audit entries recorded by the API wait to share one append transaction (batching).'),
    retentionDays: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Prune the content of audit entries older than this many days (their hashes stay, so proofs and verification still hold); entries under a legal hold are kept. 0 = keep forever.',
      ),
    sealActivity: z
      .boolean()
      .default(true)
      .describe(
        'Seal stored activity: every committed ingest batch appends one audit leaf over its events, so a later change or deletion of an event row is detectable (steward audit check).',
      ),
  })
  .prefault({});
