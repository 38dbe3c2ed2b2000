import type { Transaction } from 'kysely';
import type { AuditEntry, AuditEntryInput } from '../contracts/audit.js';
import { insertAuditRows, lockAuditState, writeAuditState, type AuditRowValues } from '../store/audit.repo.js';
import type { Database } from '../store/database.js';
import type { Store } from '../store/store.js';
import { canonicalJson } from './canonical-json.js';
import { Frontier, hashLeaf } from './merkle.js';

/**
 * Appends entries to the vault inside the caller's transaction (docs/audit.md "Appending"): lock the state row,
 * hash each entry's canonical JSON as a leaf (RFC 8785, RFC 6962 §2.1), extend the compact-range frontier, insert
 * the rows with the subtree hashes each append completed, and write the new frontier back — all or nothing with
 * the caller's other writes (an ingest commit seals the very rows it inserts).
 * The frontier (at most one hash per level) is read from the locked state row every time rather than cached: a
 * cache could outlive a rolled-back transaction or miss another connection's append, and would fork the tree.
 */

export interface Appended {
  /** Index of the first appended entry. */
  first: number;
  /** Tree size after the append. */
  size: number;
}

export async function appendEntries(
  trx: Transaction<Database>,
  store: Store,
  inputs: readonly AuditEntryInput[],
  now: number,
): Promise<Appended> {
  const state = await lockAuditState(trx, store);
  const size = state?.size ?? 0;
  if (inputs.length === 0) return { first: size, size };
  const frontier = state ? Frontier.fromBuffer(state.frontier) : new Frontier();

  const rows: AuditRowValues[] = new Array<AuditRowValues>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i] as AuditEntryInput;
    const entry: AuditEntry = { v: 1, ...input };
    const leaf = canonicalJson(entry);
    const created = frontier.append(hashLeaf(leaf));
    rows[i] = [
      size + i,
      entry.time,
      entry.actor.kind,
      entry.actor.id,
      entry.actor.name ?? null,
      entry.action,
      entry.subject?.kind ?? null,
      entry.subject?.id ?? null,
      entry.outcome ?? null,
      entry.source?.ip ?? null,
      leaf,
      created[0] as Buffer,
      created.length > 1 ? Buffer.concat(created.slice(1)) : null,
      now,
    ];
  }
  await insertAuditRows(trx, store, rows);
  await writeAuditState(trx, store, { size: frontier.size, frontier: frontier.toBuffer() }, now);
  return { first: size, size: frontier.size };
}
