import { createHash, type Hash } from 'node:crypto';
import type { AuditEntryInput } from '../contracts/audit.js';
import { COL, EVENT_COLUMNS, type EventValues } from '../contracts/event-columns.js';

/**
 * Sealing stored activity (issue 7: "each committed ingest batch contributes a leaf over its events' hashes, so a
 * later change or deletion of stored activity is detectable").
 *
 * A seal covers the events one commit inserted: their ids (as ranges) and a SHA-256 digest over the sealed columns
 * of each row in id order, one JSON array per row followed by "\n". Sealed columns are every stored column but
 * `id` (the key the seal names) and `person_id`, which identity merges legitimately rewrite after the fact
 * (store/people.repo.ts); what the source sent — kind, times, tokens, cost, content as stored, attributes — is all
 * covered. Values are strings, finite numbers or null both as inserted and as read back from either engine, so the
 * JSON form is the same on both sides.
 */
export const SEALED_COLUMNS = EVENT_COLUMNS.filter((c) => c !== 'person_id');
const SEALED_INDEXES = SEALED_COLUMNS.map((c) => COL[c]);
const PERSON = COL.person_id;

export const SEAL_ACTION = 'activity.seal';

/**
 * Lines are handed to the hash in chunks of about this many UTF-16 units: one `update` per row crossed into C++
 * once per event and was a third of sealing's cost on the ingest writer (measured 2.29 → 1.7 µs per row).
 */
const CHUNK = 64 * 1024;

/** Incremental digest over rows given as EVENT_COLUMNS value arrays, in id order. */
export class SealDigest {
  private readonly hash: Hash = createHash('sha256');
  private readonly row: unknown[] = new Array<unknown>(SEALED_INDEXES.length);
  private pending = '';
  count = 0;

  /** A row in EVENT_COLUMNS order (as ingest builds it). */
  addValues(values: EventValues): void {
    const row = this.row;
    for (let i = 0, j = 0; i < values.length; i++) {
      if (i === PERSON) continue;
      row[j++] = values[i] ?? null;
    }
    this.line(JSON.stringify(row));
  }

  /** A row read back from the store (column name → value). */
  addRecord(record: Readonly<Record<string, unknown>>): void {
    const row = this.row;
    for (let j = 0; j < SEALED_COLUMNS.length; j++) row[j] = record[SEALED_COLUMNS[j] as string] ?? null;
    this.line(JSON.stringify(row));
  }

  /**
   * `count` rows given as their lines, each `JSON.stringify` of the row's sealed values followed by "\n" — the text
   * addValues would have produced for them (ingest/writer/rows-text.ts writes it on the decode worker).
   */
  addLines(text: string, count: number): void {
    if (this.pending.length) this.hash.update(this.pending);
    this.pending = '';
    this.hash.update(text);
    this.count += count;
  }

  hex(): string {
    if (this.pending.length) this.hash.update(this.pending);
    this.pending = '';
    return this.hash.digest('hex');
  }

  private line(json: string): void {
    this.pending += json + '\n';
    this.count += 1;
    if (this.pending.length >= CHUNK) {
      this.hash.update(this.pending);
      this.pending = '';
    }
  }
}

/** Sorted ids → inclusive ranges `[first, last]`: one commit's ids are contiguous on SQLite, nearly so on Postgres. */
export function idRanges(sortedIds: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const id of sortedIds) {
    const last = out[out.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else out.push([id, id]);
  }
  return out;
}

export interface SealDetails {
  count: number;
  ids: [number, number][];
  digest: string;
}

/** The audit entry of one seal. */
export function sealEntry(time: number, details: SealDetails): AuditEntryInput {
  const first = details.ids[0]?.[0] ?? 0;
  const last = details.ids[details.ids.length - 1]?.[1] ?? 0;
  return {
    time,
    actor: { kind: 'system', id: 'ingest' },
    action: SEAL_ACTION,
    subject: { kind: 'events', id: `${first}-${last}` },
    details: { count: details.count, ids: details.ids, digest: details.digest },
  };
}

/** Reads a seal's details back from a stored entry; null when they are not a seal's. */
export function sealDetails(details: unknown): SealDetails | null {
  if (typeof details !== 'object' || details === null) return null;
  const d = details as Record<string, unknown>;
  if (typeof d.count !== 'number' || typeof d.digest !== 'string' || !Array.isArray(d.ids)) return null;
  const ids: [number, number][] = [];
  for (const r of d.ids) {
    if (!Array.isArray(r) || r.length !== 2 || !Number.isSafeInteger(r[0]) || !Number.isSafeInteger(r[1])) return null;
    ids.push([r[0] as number, r[1] as number]);
  }
  return { count: d.count, ids, digest: d.digest };
}
