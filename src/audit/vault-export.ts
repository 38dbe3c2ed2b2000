import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { AuditActor } from '../contracts/audit.js';
import { AppError } from '../errors/app-error.js';
import { auditIndexRangeForTimes, auditRowsInRange, latestCheckpoint, listCheckpoints } from '../store/audit.repo.js';
import type { AuditService } from './audit-service.js';
import { bundleBoundaryNodes, writeBundleLinesAsync, type BundleEntryInput } from './bundle.js';
import { subtreeHashes } from './vault-proofs.js';

/**
 * `steward audit export`: a bundle (docs/audit-bundle.md) of the entries in a time or index window, against a
 * checkpoint signed at export time, with the boundary hashes that let [from, to) rebuild its root and the earlier
 * checkpoints inside the window (they narrow a first bad index). Streams: a million entries never sit in memory.
 * The export itself is then audited (`audit.export`).
 */
export interface ExportRange {
  /** Entry times, epoch ms: [from, to). */
  from?: number | undefined;
  to?: number | undefined;
  /** Or entry indexes: [fromIndex, toIndex). */
  fromIndex?: number | undefined;
  toIndex?: number | undefined;
}

export interface Exported {
  from: number;
  to: number;
  size: number;
}

export async function exportBundle(
  audit: AuditService,
  out: Writable,
  range: ExportRange,
  actor: AuditActor = { kind: 'system', id: 'cli' },
): Promise<Exported> {
  const { store } = audit;
  await audit.checkpoint(); // covers everything recorded so far (no-op when the latest already does)
  const cp = await latestCheckpoint(store.db);
  if (!cp || cp.size === 0) throw new AppError('not_found', 'the audit log is empty: nothing to export');
  const size = cp.size;
  let from: number;
  let to: number;
  if (range.fromIndex !== undefined || range.toIndex !== undefined) {
    from = range.fromIndex ?? 0;
    to = Math.min(range.toIndex ?? size, size);
  } else {
    const found = await auditIndexRangeForTimes(store.db, range.from ?? 0, range.to ?? Date.now() + 1);
    if (!found) throw new AppError('not_found', 'no audit entries in that time window');
    from = found.first;
    to = Math.min(found.last + 1, size);
  }
  if (from >= to)
    throw new AppError('invalid_query', `empty index window [${from}, ${to}) (the log has ${size} signed entries)`);

  const bounds = bundleBoundaryNodes(from, to, size);
  const [left, right] = await Promise.all([
    subtreeHashes(audit.store, bounds.left),
    subtreeHashes(audit.store, bounds.right),
  ]);
  const earlier = (await listCheckpoints(store.db)).filter((c) => c.size >= from && c.size <= to && c.size < size);
  const header = {
    origin: audit.origin,
    size,
    from,
    to,
    checkpoint: cp.note,
    checkpoints: earlier.map((c) => c.note),
    verifierKeys: audit.verifierKeys(),
    left,
    right,
  };
  async function* entries(): AsyncGenerator<BundleEntryInput> {
    for await (const rows of auditRowsInRange(store.db, from, to, 5000, store.sqlite)) {
      for (const r of rows) yield { index: r.idx, leafHash: r.leaf_hash, leaf: r.leaf };
    }
  }
  for await (const line of writeBundleLinesAsync(header, entries())) {
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  audit.record({
    time: Date.now(),
    actor,
    action: 'audit.export',
    subject: { kind: 'entries', id: `${from}-${to - 1}` },
    details: { from, to, size },
  });
  await audit.recorder.flush();
  return { from, to, size };
}
