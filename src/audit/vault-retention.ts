import { randomUUID } from 'node:crypto';
import type { AuditActor } from '../contracts/audit.js';
import { insertHold, listHolds, pruneAuditEntries, releaseHold, type AuditHoldRow } from '../store/audit-holds.repo.js';
import type { Store } from '../store/store.js';
import type { AuditService } from './audit-service.js';

/**
 * Retention and legal hold (issue 7). Retention prunes an entry's content, never its row: the leaf hash and the
 * subtree hashes stay, so the tree, every checkpoint and every proof are unchanged, and verification reports the
 * entry as pruned rather than missing (as tlog-tiles keeps hashes below its minimum index). Entries a live hold
 * matches are skipped. Placing or releasing a hold and each pruning run are audit entries themselves.
 */
export interface HoldInput {
  name: string;
  reason: string;
  fromTime: number | null;
  toTime: number | null;
  actorId: string | null;
  action: string | null;
  subjectId: string | null;
}

function actorOf(by: string | AuditActor): AuditActor {
  return typeof by === 'string' ? { kind: 'system', id: by } : by;
}

export async function createHold(audit: AuditService, by: string | AuditActor, h: HoldInput): Promise<string> {
  const id = randomUUID();
  const actor = actorOf(by);
  const now = Date.now();
  await insertHold(audit.store.db, {
    id,
    name: h.name,
    reason: h.reason,
    from_time: h.fromTime,
    to_time: h.toTime,
    actor_id: h.actorId,
    action: h.action,
    subject_id: h.subjectId,
    created_at: now,
    created_by: actor.name ?? actor.id,
    released_at: null,
    released_by: null,
  });
  audit.record({ time: now, actor, action: 'audit.hold.create', subject: { kind: 'hold', id }, after: h });
  await audit.recorder.flush();
  return id;
}

export async function listAuditHolds(store: Store, includeReleased: boolean): Promise<AuditHoldRow[]> {
  return listHolds(store.db, includeReleased);
}

export async function releaseAuditHold(audit: AuditService, by: string | AuditActor, id: string): Promise<boolean> {
  const actor = actorOf(by);
  const now = Date.now();
  const ok = await releaseHold(audit.store.db, id, actor.name ?? actor.id, now);
  if (ok) {
    audit.record({ time: now, actor, action: 'audit.hold.release', subject: { kind: 'hold', id } });
    await audit.recorder.flush();
  }
  return ok;
}

export async function pruneExpired(
  audit: AuditService,
  days: number,
  by: string | AuditActor,
): Promise<{ count: number }> {
  const now = Date.now();
  const cutoff = now - days * 86_400_000;
  const r = await pruneAuditEntries(audit.store.db, cutoff, now);
  if (r.count > 0) {
    audit.record({
      time: now,
      actor: actorOf(by),
      action: 'audit.retention',
      subject: { kind: 'entries', id: `${r.first}-${r.last}` },
      details: { pruned: r.count, older_than: new Date(cutoff).toISOString(), days },
    });
    await audit.recorder.flush();
  }
  return { count: r.count };
}
