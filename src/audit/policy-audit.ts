import type { AuditActor, AuditEntryInput } from '../contracts/audit.js';
import type { OnPolicyWrite, PolicyVersionRow } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { appendEntries } from './vault-append.js';

/**
 * Policy versions in the audit vault (issue 7, docs/audit.md "What is audited"): a push appends
 * `policy.version.publish` and an activation `policy.version.activate` (before: the version it replaced) inside the
 * policy store's own transaction (store/policies.repo.ts `onWrite`), so no version is stored or activated without
 * its entry. The entry names the version by id, number and SHA-256 of its text; the text itself stays in the store.
 */
function summary(v: PolicyVersionRow) {
  return {
    id: v.id,
    version: v.version,
    name: v.name,
    sha256: v.sha256,
    author: v.author,
    comment: v.comment,
    status: v.status,
  };
}

export function auditPolicyWrites(store: Store, actor: AuditActor): OnPolicyWrite {
  return async (trx, write) => {
    const now = Date.now();
    const entries: AuditEntryInput[] = [];
    if (write.pushed) {
      entries.push({
        time: now,
        actor,
        action: 'policy.version.publish',
        subject: { kind: 'policy_version', id: write.pushed.id },
        outcome: 'success',
        after: summary(write.pushed),
        details: { version: write.pushed.version },
      });
    }
    if (write.activated) {
      const { row, previous } = write.activated;
      entries.push({
        time: now,
        actor,
        action: 'policy.version.activate',
        subject: { kind: 'policy_version', id: row.id },
        outcome: 'success',
        ...(previous ? { before: summary(previous) } : {}),
        after: summary(row),
        details: { version: row.version, previous_version: previous?.version ?? null },
      });
    }
    await appendEntries(trx, store, entries, now);
  };
}
