import type { AuditEntryInput } from '../contracts/audit.js';
import { COL, type EventValues } from '../contracts/event-columns.js';
import { idRanges, SealDigest, sealEntry } from './activity-seal.js';

/**
 * The rows' sealed lines as the decode workers wrote them, one part per merged batch in row order (`text` null for
 * a batch that came as values). Valid only while the rows are exactly as those lines say (the caller passes none
 * when a row was changed before insertion).
 */
export interface SealedText {
  text: string | null;
  count: number;
}

/**
 * What one ingest commit appends to the vault (issue 7, "What is audited"): an entry per enforcement decision that
 * was not a plain allow (deny, redact, warn, ask — the `policy_decision` events enforcement points record), and one
 * `activity.seal` over every event row the commit inserted.
 */
const DECIDED = new Set(['deny', 'redact', 'warn', 'ask']);

export function auditEntriesForCommit(
  rows: readonly EventValues[],
  ids: readonly (number | null)[],
  now: number,
  seal: boolean,
  texts?: readonly SealedText[],
): AuditEntryInput[] {
  const out: AuditEntryInput[] = [];
  const order: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (ids[i] === null || ids[i] === undefined) continue;
    order.push(i);
    const row = rows[i] as EventValues;
    if (row[COL.kind] === 'policy_decision' && DECIDED.has(row[COL.decision] as string)) {
      out.push(decisionEntry(row, ids[i] as number));
    }
  }
  if (seal && order.length) {
    // Rows are digested in id order, the order verification reads them back in.
    const digest = new SealDigest();
    if (texts && order.length === rows.length && covers(texts, rows.length) && ascending(ids as number[])) {
      // Every row inserted, in row order: the lines as they came are the digest's input.
      let at = 0;
      for (const part of texts) {
        if (part.text !== null) digest.addLines(part.text, part.count);
        else for (let i = at; i < at + part.count; i++) digest.addValues(rows[i] as EventValues);
        at += part.count;
      }
    } else {
      order.sort((a, b) => (ids[a] as number) - (ids[b] as number));
      for (const i of order) digest.addValues(rows[i] as EventValues);
    }
    const sorted = order.map((i) => ids[i] as number);
    out.push(sealEntry(now, { count: digest.count, ids: idRanges(sorted), digest: digest.hex() }));
  }
  return out;
}

function covers(texts: readonly SealedText[], rows: number): boolean {
  let n = 0;
  for (const t of texts) n += t.count;
  return n === rows;
}

function ascending(ids: readonly number[]): boolean {
  for (let i = 1; i < ids.length; i++) if ((ids[i] as number) <= (ids[i - 1] as number)) return false;
  return true;
}

function decisionEntry(row: EventValues, id: number): AuditEntryInput {
  let attrs: Record<string, unknown> = {};
  try {
    attrs = JSON.parse(row[COL.attrs] as string) as Record<string, unknown>;
  } catch {
    // attrs are written by enforce/decision-record.ts as JSON; a malformed value only loses the details
  }
  const personId = row[COL.person_id] as string | null;
  const details: Record<string, unknown> = { event_id: id, source: row[COL.source], surface: row[COL.surface] };
  for (const k of [
    'point',
    'stage',
    'rule_id',
    'policy_version',
    'enforced',
    'shadow',
    'detector_types',
    'content_classes',
  ]) {
    if (attrs[k] !== undefined && attrs[k] !== null) details[k] = attrs[k];
  }
  for (const c of ['session_id', 'tool', 'mcp_server', 'mcp_tool', 'model', 'request_id'] as const) {
    const v = row[COL[c]];
    if (v !== null && v !== undefined) details[c] = v;
  }
  const tool = (row[COL.mcp_tool] ?? row[COL.tool]) as string | null;
  return {
    time: row[COL.time] as number,
    actor: personId ? { kind: 'person', id: personId } : { kind: 'anonymous', id: 'unidentified' },
    action: `decision.${row[COL.decision] as string}`,
    subject: tool ? { kind: 'tool', id: tool } : { kind: 'stage', id: String(attrs.stage ?? 'unknown') },
    details,
  };
}
