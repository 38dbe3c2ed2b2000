import { auditEntrySchema, type AuditEntry } from '../contracts/audit.js';
import { exportSeverities, type ExportSeverity, type ExportSource } from '../config/export.schema.js';
import type { ExportAuditRow, ExportEventRow } from '../store/export-sources.repo.js';

/**
 * One exportable record, read from either source and described once, so every format (OCSF, CEF, HEC, webhooks,
 * PagerDuty, Slack) renders the same facts: what happened, to whom, how severe, and a stable id that is the same on
 * every redelivery (OCSF metadata.uid, webhook-id, PagerDuty dedup_key, HEC field) so receivers can deduplicate.
 */
export type RecordClass = 'api_activity' | 'detection_finding' | 'data_security_finding' | 'authentication';

export interface ExportRecord {
  source: ExportSource;
  sourceId: number;
  uid: string;
  time: number;
  /** Event kind or audit action. */
  kind: string;
  severity: ExportSeverity;
  class: RecordClass;
  /** One line for people (PagerDuty summary, Slack text, CEF name). */
  title: string;
  outcome: 'success' | 'failure' | null;
  actor: { kind: string; id: string | null; email: string | null; name: string | null };
  event: ExportEventRow | null;
  /** Parsed `attrs` of an event (decision details for policy_decision). */
  attrs: Record<string, unknown>;
  audit: { row: ExportAuditRow; entry: AuditEntry | null } | null;
}

const SEVERITY_RANK: Record<ExportSeverity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function severityAtLeast(s: ExportSeverity, min: ExportSeverity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}

export function isSeverity(v: unknown): v is ExportSeverity {
  return typeof v === 'string' && (exportSeverities as readonly string[]).includes(v);
}

/** Policy actions by how far they stopped the person (docs/exports.md "Severity"). */
const DECISION_SEVERITY: Record<string, ExportSeverity> = {
  deny: 'high',
  redact: 'medium',
  ask: 'medium',
  warn: 'low',
  allow: 'info',
};

/** Classes of content that make a decision a data-security (DLP) finding rather than a detection finding. */
const DLP_CLASSES = new Set(['secret', 'personal', 'financial', 'organisation']);

function parseAttrs(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function recordFromEvent(e: ExportEventRow): ExportRecord {
  const attrs = parseAttrs(e.attrs);
  let severity: ExportSeverity = 'info';
  let cls: RecordClass = 'api_activity';
  let title = `${e.kind.replace(/_/g, ' ')} (${e.surface})`;
  const who = e.person_email ?? e.person_name ?? 'unknown person';
  if (e.kind === 'policy_decision') {
    const action = typeof attrs.action === 'string' ? attrs.action : (e.decision ?? 'allow');
    severity = DECISION_SEVERITY[action] ?? 'info';
    if (action !== 'allow') {
      const classes = strings(attrs.content_classes);
      cls = classes.some((c) => DLP_CLASSES.has(c)) ? 'data_security_finding' : 'detection_finding';
    }
    const rule = typeof attrs.rule_id === 'string' ? ` by rule ${attrs.rule_id}` : '';
    const stage = typeof attrs.stage === 'string' ? ` ${attrs.stage.replace(/_/g, ' ')}` : '';
    const types = strings(attrs.detector_types);
    title = `Policy ${action}${rule}:${stage} of ${who}${types.length ? ` (${types.join(', ')})` : ''}`;
  } else if (e.kind === 'api_error' || e.kind === 'api_refusal') {
    severity = 'low';
    title = `${e.kind === 'api_error' ? 'API error' : 'API refusal'} for ${who}${e.model ? ` on ${e.model}` : ''}`;
  } else if (e.kind === 'auth') {
    cls = 'authentication';
    severity = e.success === 0 ? 'medium' : 'info';
    title = `Authentication ${e.success === 0 ? 'failed' : 'event'} for ${who}`;
  } else if (e.kind === 'api_request') {
    title = `Model request by ${who}${e.model ? ` to ${e.model}` : ''}`;
  } else if (e.kind === 'tool_decision' || e.kind === 'tool_result' || e.kind === 'mcp_call') {
    const tool = e.mcp_server ? `${e.mcp_server}/${e.mcp_tool ?? '?'}` : (e.tool ?? 'tool');
    title = `${e.kind.replace(/_/g, ' ')} ${tool} by ${who}${e.decision ? `: ${e.decision}` : ''}`;
  }
  return {
    source: 'events',
    sourceId: e.id,
    uid: `ev_${e.dedupe_key}`,
    time: e.time,
    kind: e.kind,
    severity,
    class: cls,
    title,
    outcome: e.success === null ? null : e.success ? 'success' : 'failure',
    actor: { kind: 'person', id: e.person_id, email: e.person_email, name: e.person_name },
    event: e,
    attrs,
    audit: null,
  };
}

/**
 * Actions that change who may do what or what is enforced, or that hand data out: worth a security team's attention
 * (medium). Action names follow docs/audit.md (`keys.create`, `policy.versions.activate`, `export.governance`…).
 */
const SENSITIVE_ACTION = /^(keys|gateway_keys|policy|budgets|audit|exports?)\./;

export function auditSeverity(action: string, outcome: string | null): ExportSeverity {
  if (action === 'decision.deny') return 'high';
  if (action.startsWith('audit.') && outcome === 'failure') return 'critical';
  if (action === 'auth.failure') return 'medium';
  if (outcome === 'failure') return 'low';
  if (SENSITIVE_ACTION.test(action)) return 'medium';
  return 'info';
}

function parseEntry(leaf: string | null): AuditEntry | null {
  if (leaf === null) return null;
  try {
    const parsed = auditEntrySchema.safeParse(JSON.parse(leaf));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function recordFromAudit(row: ExportAuditRow): ExportRecord {
  const entry = parseEntry(row.leaf);
  const outcome = row.outcome === 'success' || row.outcome === 'failure' ? row.outcome : null;
  const login = row.action === 'auth.login' || row.action === 'auth.failure';
  const failed = row.action === 'auth.failure' || outcome === 'failure';
  const actor = row.actor_name ?? row.actor_id;
  const subject = row.subject_kind ? ` ${row.subject_kind}${row.subject_id ? ` ${row.subject_id}` : ''}` : '';
  return {
    source: 'audit',
    sourceId: row.idx,
    // The leaf hash makes the id unique across logs (two installations both have an entry 0).
    uid: `au_${row.idx}_${row.leaf_hash.subarray(0, 8).toString('hex')}`,
    time: row.time,
    kind: row.action,
    severity: auditSeverity(row.action, row.outcome),
    class: login ? 'authentication' : 'api_activity',
    title: `${row.action}${subject} by ${actor}${failed ? ' (failed)' : ''}`,
    outcome: login ? (failed ? 'failure' : 'success') : outcome,
    actor: {
      kind: row.actor_kind,
      id: row.actor_id,
      email: entry?.actor.kind === 'person' && entry.actor.name?.includes('@') ? entry.actor.name : null,
      name: row.actor_name,
    },
    event: null,
    attrs: {},
    audit: { row, entry },
  };
}
