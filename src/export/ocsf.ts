import type { ExportSeverity } from '../config/export.schema.js';
import { version } from '../version.js';
import type { ExportEventRow } from '../store/export-sources.repo.js';
import type { ExportRecord } from './export-record.js';

type AuditPart = NonNullable<ExportRecord['audit']>;

/**
 * OCSF 1.8.0 rendering (schema.ocsf.io, ocsf/ocsf-schema v1.8.0; anchors-audit-siem-dlp.md B1). Every event carries
 * the base attributes (activity_id, category_uid, class_uid, type_uid = class_uid × 100 + activity_id, severity_id,
 * time, metadata with product and version) and what its class requires:
 *   6003 API Activity          actor, api.operation, src_endpoint; AI activity adds the `ai_operation` profile
 *                              (ai_model, message_context with token counts)
 *   2004 Detection Finding     finding_info (uid, title, analytic) — policy decisions other than allow
 *   2006 Data Security Finding finding_info + data_security — decisions on secrets, personal, financial or
 *                              organisation data (DLP)
 *   3002 Authentication        user — logins and failed logins
 * Steward's own fields that OCSF has no attribute for go under `unmapped.steward`; content never leaves.
 */
export const OCSF_VERSION = '1.8.0';

type Json = Record<string, unknown>;

const SEVERITY_ID: Record<ExportSeverity, [number, string]> = {
  info: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
  critical: [5, 'Critical'],
};

const API_ACTIVITY: Record<number, string> = { 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete', 99: 'Other' };

/** Drops undefined, null and empty-object members so events carry only what is known. */
function compact(o: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

function base(
  r: ExportRecord,
  c: { category: [number, string]; cls: [number, string]; activity: [number, string] },
): Json {
  const [severityId, severity] = SEVERITY_ID[r.severity];
  const statusId = r.outcome === 'success' ? 1 : r.outcome === 'failure' ? 2 : 0;
  return {
    activity_id: c.activity[0],
    activity_name: c.activity[1],
    category_uid: c.category[0],
    category_name: c.category[1],
    class_uid: c.cls[0],
    class_name: c.cls[1],
    type_uid: c.cls[0] * 100 + c.activity[0],
    type_name: `${c.cls[1]}: ${c.activity[1]}`,
    severity_id: severityId,
    severity,
    time: r.time,
    message: r.title,
    status_id: statusId,
    status: ['Unknown', 'Success', 'Failure'][statusId],
  };
}

function metadata(r: ExportRecord, profiles: string[], extra: Json = {}): Json {
  return compact({
    version: OCSF_VERSION,
    product: { name: 'Steward', vendor_name: 'Steward', version },
    uid: r.uid,
    profiles,
    log_name: r.source,
    event_code: r.kind,
    ...extra,
  });
}

function user(r: ExportRecord): Json {
  const systemActor = r.actor.kind === 'system';
  return compact({
    uid: r.actor.id ?? undefined,
    name: r.actor.name ?? r.actor.email ?? undefined,
    email_addr: r.actor.email ?? undefined,
    type_id: systemActor ? 3 : r.actor.kind === 'person' ? 1 : 99,
    type: systemActor ? 'System' : r.actor.kind === 'person' ? 'User' : r.actor.kind,
  });
}

function num(v: number | null | undefined): number | undefined {
  return v === null || v === undefined ? undefined : v;
}

/** Steward's columns with no OCSF attribute, for events. */
function eventExtras(r: ExportRecord): Json {
  const e = r.event;
  if (!e) return {};
  return compact({
    kind: e.kind,
    source: e.source,
    surface: e.surface,
    org: e.org_id,
    department: e.department ?? undefined,
    team: e.team ?? undefined,
    prompt_id: e.prompt_id ?? undefined,
    agent: e.agent ?? undefined,
    skill: e.skill ?? undefined,
    plugin: e.plugin ?? undefined,
    tool: e.tool ?? undefined,
    tool_use_id: e.tool_use_id ?? undefined,
    mcp_server: e.mcp_server ?? undefined,
    mcp_tool: e.mcp_tool ?? undefined,
    decision: e.decision ?? undefined,
    decision_source: e.decision_source ?? undefined,
    cache_read_tokens: num(e.cache_read_tokens),
    cache_write_tokens: num(e.cache_write_tokens),
    cost_usd: e.cost_micros === null ? undefined : e.cost_micros / 1_000_000,
    attributes: boundedAttrs(r.attrs),
  });
}

/** Attribute maps can be large (OTel resource attributes); a record carries at most 4 KB of them. */
const MAX_ATTRS_BYTES = 4096;
function boundedAttrs(attrs: Json): Json | undefined {
  if (Object.keys(attrs).length === 0) return undefined;
  const text = JSON.stringify(attrs);
  return text.length <= MAX_ATTRS_BYTES ? attrs : { omitted_bytes: text.length };
}

function apiActivityFromEvent(r: ExportRecord, e: ExportEventRow): Json {
  const ai = ['api_request', 'api_error', 'api_refusal', 'prompt', 'response'].includes(e.kind);
  const activity: [number, string] = ai ? [1, 'Create'] : [99, e.kind];
  const input = (e.input_tokens ?? 0) + (e.cache_read_tokens ?? 0) + (e.cache_write_tokens ?? 0);
  const hasTokens = e.input_tokens !== null || e.output_tokens !== null;
  const aiModel = e.model ? { name: e.model, ai_provider: 'Anthropic' } : undefined;
  const messageContext =
    ai || hasTokens
      ? compact({
          uid: e.prompt_id ?? undefined,
          ai_role_id: e.kind === 'prompt' ? 1 : 2,
          ai_role: e.kind === 'prompt' ? 'User' : 'Assistant',
          prompt_tokens: hasTokens ? input : undefined,
          completion_tokens: num(e.output_tokens),
          total_tokens: hasTokens ? input + (e.output_tokens ?? 0) : undefined,
        })
      : undefined;
  const profiled = aiModel !== undefined || messageContext !== undefined;
  return compact({
    ...base(r, { category: [6, 'Application Activity'], cls: [6003, 'API Activity'], activity }),
    metadata: metadata(r, profiled ? ['ai_operation'] : [], { correlation_uid: e.session_id ?? undefined }),
    actor: compact({
      user: user(r),
      session: e.session_id ? { uid: e.session_id } : undefined,
      app_name: `Claude (${e.surface})`,
    }),
    api: compact({
      operation: e.name || e.kind,
      request: e.request_id ? { uid: e.request_id } : undefined,
      service: e.mcp_server ? { name: e.mcp_server } : undefined,
    }),
    src_endpoint: { name: e.surface, svc_name: e.source },
    duration: num(e.duration_ms),
    ai_model: aiModel,
    message_context: messageContext,
    unmapped: { steward: eventExtras(r) },
  });
}

function apiActivityFromAudit(r: ExportRecord, audit: AuditPart): Json {
  const { row } = audit;
  const verb = row.action.split('.').pop() ?? '';
  const id = /^(create|add|issue|record|append)$/.test(verb)
    ? 1
    : /^(read|list|export|view|search|get|download|proof)$/.test(verb)
      ? 2
      : /^(update|publish|activate|set|pause|resume|rotate|edit|change|requeue)$/.test(verb)
        ? 3
        : /^(delete|revoke|remove|retire|release|prune)$/.test(verb)
          ? 4
          : 99;
  const activity: [number, string] = [id, id === 99 ? row.action : (API_ACTIVITY[id] ?? 'Other')];
  return compact({
    ...base(r, { category: [6, 'Application Activity'], cls: [6003, 'API Activity'], activity }),
    metadata: metadata(r, []),
    actor: compact({ user: user(r), app_name: 'Steward' }),
    api: { operation: row.action, service: { name: 'Steward' } },
    src_endpoint: row.source_ip ? { ip: row.source_ip } : { name: 'steward' },
    resources: row.subject_kind ? [compact({ type: row.subject_kind, uid: row.subject_id ?? undefined })] : undefined,
    unmapped: { steward: auditExtras(audit) },
  });
}

function auditExtras({ row, entry }: AuditPart): Json {
  return compact({
    audit_index: row.idx,
    leaf_hash: row.leaf_hash.toString('hex'),
    action: row.action,
    actor_kind: row.actor_kind,
    outcome: row.outcome ?? undefined,
    user_agent: entry?.source?.userAgent,
    details: entry?.details && JSON.stringify(entry.details).length <= MAX_ATTRS_BYTES ? entry.details : undefined,
    pruned: row.leaf === null ? true : undefined,
  });
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function finding(r: ExportRecord, e: ExportEventRow, dlp: boolean): Json {
  const a = r.attrs;
  const rule = typeof a.rule_id === 'string' ? a.rule_id : (e.decision_source ?? 'default');
  const types = strings(a.detector_types);
  const cls: [number, string] = dlp ? [2006, 'Data Security Finding'] : [2004, 'Detection Finding'];
  const tool = e.mcp_server ? `${e.mcp_server}/${e.mcp_tool ?? ''}` : e.tool;
  const action = typeof a.action === 'string' ? a.action : e.decision;
  return compact({
    ...base(r, { category: [2, 'Findings'], cls, activity: [1, 'Create'] }),
    // A finding's own status is its triage state (New), not the outcome of an activity.
    status_id: 1,
    status: 'New',
    metadata: metadata(r, [], { correlation_uid: e.session_id ?? undefined }),
    finding_info: compact({
      uid: r.uid,
      title: r.title,
      desc: `Steward policy decision "${action ?? 'unknown'}" at ${String(a.point ?? e.source)} (${String(a.stage ?? e.kind)})`,
      analytic: { uid: rule, name: rule, type_id: 1, type: 'Rule' },
      types: types.length ? types : undefined,
      created_time: r.time,
      data_sources: [`steward:${e.source}`],
    }),
    is_alert: true,
    actor: dlp ? compact({ user: user(r), session: e.session_id ? { uid: e.session_id } : undefined }) : undefined,
    src_endpoint: dlp ? { name: e.surface, svc_name: e.source } : undefined,
    data_security: dlp
      ? compact({
          detection_system_id: 10,
          detection_system: 'Application-Level DLP',
          // Prompts and tool traffic judged on their way to or from the model: data in transit.
          data_lifecycle_state_id: 2,
          data_lifecycle_state: 'Data in-Transit',
          detection_pattern: types.join(',') || undefined,
          policy: compact({
            uid: rule,
            name: rule,
            version: typeof a.policy_version === 'string' ? a.policy_version : undefined,
          }),
        })
      : undefined,
    evidences: dlp ? undefined : [compact({ actor: compact({ user: user(r) }), api: { operation: e.name || e.kind } })],
    resources: tool ? [{ type: e.mcp_server ? 'mcp_tool' : 'tool', name: tool }] : undefined,
    unmapped: { steward: eventExtras(r) },
  });
}

function authentication(r: ExportRecord): Json {
  const e = r.event;
  const row = r.audit?.row;
  const viaToken = r.actor.kind === 'token';
  return compact({
    ...base(r, {
      category: [3, 'Identity & Access Management'],
      cls: [3002, 'Authentication'],
      activity: [1, 'Logon'],
    }),
    metadata: metadata(r, []),
    user: user(r),
    auth_protocol_id: viaToken ? 99 : 0,
    auth_protocol: viaToken ? 'Steward API token' : 'Unknown',
    service: { name: e ? `Claude (${e.surface})` : 'Steward' },
    src_endpoint: row?.source_ip ? { ip: row.source_ip } : undefined,
    session: e?.session_id ? { uid: e.session_id } : undefined,
    unmapped: { steward: r.audit ? auditExtras(r.audit) : eventExtras(r) },
  });
}

export function toOcsf(r: ExportRecord): Json {
  switch (r.class) {
    case 'authentication':
      return authentication(r);
    case 'detection_finding':
    case 'data_security_finding':
      if (r.event) return finding(r, r.event, r.class === 'data_security_finding');
      break;
    case 'api_activity':
      if (r.audit) return apiActivityFromAudit(r, r.audit);
      if (r.event) return apiActivityFromEvent(r, r.event);
      break;
  }
  throw new Error(`record ${r.uid} has no ${r.source === 'audit' ? 'audit entry' : 'event'} to render`);
}
