import { createHash } from 'node:crypto';
import { appendEntries } from '../../src/audit/vault-append.js';
import type { AuditEntryInput } from '../../src/contracts/audit.js';
import type { EventsTable } from '../../src/store/database.js';
import type { ExportAuditRow, ExportEventRow } from '../../src/store/export-sources.repo.js';
import type { Store } from '../../src/store/store.js';

/**
 * Records for export tests, stored the way Steward stores them: events as rows of the events table (the columns
 * ingest writes), audit entries through the vault's own append (leaf, hashes, frontier).
 */
export type TestEvent = Partial<Omit<EventsTable, 'id'>>;

let seq = 0;

export function eventRow(e: TestEvent = {}): Omit<EventsTable, 'id'> {
  seq += 1;
  return {
    dedupe_key: `test-${process.pid}-${Date.now().toString(36)}-${seq}`,
    time: Date.now(),
    org_id: 'default',
    source: 'otlp',
    surface: 'claude_code',
    kind: 'api_request',
    name: 'claude_code.api_request',
    person_id: null,
    session_id: 'sess-1',
    prompt_id: null,
    sequence: null,
    agent: null,
    workflow: null,
    skill: null,
    plugin: null,
    model: 'claude-sonnet-4-5',
    tool: null,
    tool_use_id: null,
    mcp_server: null,
    mcp_tool: null,
    decision: null,
    decision_source: null,
    success: 1,
    input_tokens: 100,
    output_tokens: 20,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_micros: 1234,
    duration_ms: 800,
    request_id: null,
    department: null,
    team: null,
    content: null,
    attrs: '{}',
    ...e,
  };
}

/** A `policy_decision` event as enforce/decision-record.ts writes it. */
export function decisionRow(
  action: 'allow' | 'warn' | 'redact' | 'ask' | 'deny',
  o: { rule?: string; types?: string[]; classes?: string[]; tool?: string; time?: number } = {},
): Omit<EventsTable, 'id'> {
  return eventRow({
    source: 'hook',
    kind: 'policy_decision',
    name: 'steward.policy_decision',
    model: null,
    tool: o.tool ?? null,
    decision: action,
    decision_source: o.rule ?? 'default',
    success: null,
    input_tokens: null,
    output_tokens: null,
    cache_read_tokens: null,
    cache_write_tokens: null,
    cost_micros: null,
    duration_ms: null,
    ...(o.time !== undefined ? { time: o.time } : {}),
    attrs: JSON.stringify({
      action,
      enforced: action,
      rule_id: o.rule ?? null,
      matched_rules: o.rule ? [o.rule] : [],
      policy_version: 'v1',
      point: 'claude_code_hook',
      stage: 'prompt',
      shadow: false,
      detector_types: o.types ?? [],
      content_classes: o.classes ?? [],
      findings: (o.types ?? []).length,
    }),
  });
}

/** Inserts events; returns their ids in order. */
export async function insertTestEvents(store: Store, rows: readonly Omit<EventsTable, 'id'>[]): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const inserted = await store.db
      .insertInto('events')
      .values(rows.slice(i, i + 200))
      .returning('id')
      .execute();
    ids.push(...inserted.map((r) => Number(r.id)));
  }
  return ids;
}

export async function insertPerson(store: Store, id: string, email: string): Promise<void> {
  await store.db
    .insertInto('people')
    .values({
      id,
      org_id: 'default',
      display_name: email.split('@')[0] ?? email,
      email,
      department: null,
      team: null,
      cost_center: null,
      manager: null,
      is_demo: 0,
      first_seen: 0,
      last_seen: 0,
      merged_into: null,
    })
    .execute();
}

export async function appendAudit(store: Store, entries: readonly AuditEntryInput[]): Promise<void> {
  await store.db.transaction().execute((trx) => appendEntries(trx, store, entries, Date.now()));
}

export function auditEntry(action: string, o: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    time: Date.now(),
    actor: { kind: 'token', id: 'tok_1', name: 'ops admin', role: 'admin' },
    action,
    ...o,
  };
}

/** An event as the feeder reads it (eventsForExport), without a database: for format tests. */
export function exportEventRow(
  e: Omit<EventsTable, 'id'>,
  o: { id?: number; email?: string | null; name?: string | null } = {},
): ExportEventRow {
  const rest: Partial<Omit<EventsTable, 'id'>> = { ...e };
  delete rest.content;
  delete rest.sequence;
  delete rest.workflow;
  return {
    ...(rest as Omit<ExportEventRow, 'id' | 'person_email' | 'person_name'>),
    id: o.id ?? 1,
    person_email: o.email ?? null,
    person_name: o.name ?? null,
  };
}

/** An audit row as the feeder reads it (auditForExport), without a database. */
export function exportAuditRow(entry: AuditEntryInput, idx = 0): ExportAuditRow {
  const leaf = JSON.stringify({ v: 1, ...entry });
  return {
    idx,
    time: entry.time,
    actor_kind: entry.actor.kind,
    actor_id: entry.actor.id,
    actor_name: entry.actor.name ?? null,
    action: entry.action,
    subject_kind: entry.subject?.kind ?? null,
    subject_id: entry.subject?.id ?? null,
    outcome: entry.outcome ?? null,
    source_ip: entry.source?.ip ?? null,
    leaf,
    leaf_hash: createHash('sha256').update(leaf).digest(),
  };
}
