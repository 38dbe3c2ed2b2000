import type { Transaction } from 'kysely';
import { actorFromLabel } from '../audit/actor-label.js';
import { redactSecrets } from '../audit/redact-secrets.js';
import { appendEntries } from '../audit/vault-append.js';
import type { AuditEntryInput, AuditSubject } from '../contracts/audit.js';
import type { Database } from '../store/database.js';
import type { Store } from '../store/store.js';

/**
 * Governance changes in the audit vault (issue 7, docs/audit.md "What is audited"): every change that writes a
 * history row (an inventory object, a policy version or acknowledgement, a connector decision, the RACI, a forum
 * decision) appends its audit entry in the same transaction, so neither can exist without the other. The actor is
 * read back from the history's label (audit/actor-label.ts); before and after are what the history keeps, with
 * anything credential-shaped removed (audit/redact-secrets.ts).
 *
 * Actions: `governance.object.create|update|review|retire` for the inventory's own verbs, and
 * `governance.<kind>.<verb>` for the others (`governance.connector.decision`, `governance.policy.version`,
 * `governance.policy.acknowledge`); `governance.raci.update`; `forum.decision`.
 */
const OBJECT_VERBS = new Set(['create', 'update', 'review', 'retire']);

export function governanceAction(kind: string, verb: string): string {
  return OBJECT_VERBS.has(verb) ? `governance.object.${verb}` : `governance.${kind}.${verb}`;
}

export interface GovernanceChange {
  action: string;
  /** The history's actor label (`NAME (token ID)`, `cli:USER`, `… via <meeting>`). */
  actor: string;
  at: number;
  subject: AuditSubject;
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
}

export function governanceEntry(c: GovernanceChange): AuditEntryInput {
  const { actor, via } = actorFromLabel(c.actor);
  const details = { ...c.details, ...(via !== undefined ? { via } : {}) };
  return {
    time: c.at,
    actor,
    action: c.action,
    subject: c.subject,
    outcome: 'success',
    ...(c.before !== undefined && c.before !== null ? { before: redactSecrets(c.before) } : {}),
    ...(c.after !== undefined && c.after !== null ? { after: redactSecrets(c.after) } : {}),
    ...(Object.keys(details).length > 0 ? { details: redactSecrets(details) as Record<string, unknown> } : {}),
  };
}

/** Appends the changes' entries inside the caller's transaction (`store` is the transaction's store). */
export async function appendGovernanceEntries(
  trx: Transaction<Database>,
  store: Store,
  changes: readonly GovernanceChange[],
): Promise<void> {
  await appendEntries(trx, store, changes.map(governanceEntry), Date.now());
}
