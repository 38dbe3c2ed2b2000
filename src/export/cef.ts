import type { ExportSeverity } from '../config/export.schema.js';
import { version } from '../version.js';
import type { ExportRecord } from './export-record.js';

/**
 * ArcSight Common Event Format (Micro Focus "Implementing ArcSight CEF" rev. 25; anchors-audit-siem-dlp.md B2):
 *   CEF:0|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|Severity|Extension
 * Header fields escape `\` and `|`; extension values escape `\` and `=` and write CR and LF as `\r` and `\n`
 * (a `|` needs no escape there). Keys are the standard CEF dictionary keys; Steward's own fields use the
 * custom-string slots with their labels (cs1 … cs6).
 */
const CEF_SEVERITY: Record<ExportSeverity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

export function escapeCefHeader(v: string): string {
  return v.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

export function escapeCefValue(v: string): string {
  return v
    .replace(/[\\=]/g, (c) => `\\${c}`)
    .replace(/\r\n|\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** The Device Event Class ID: the event kind (with the decision for policy decisions) or the audit action. */
export function signatureId(r: ExportRecord): string {
  if (r.kind === 'policy_decision' && typeof r.attrs.action === 'string') return `policy_decision.${r.attrs.action}`;
  return r.kind;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function toCef(r: ExportRecord): string {
  const ext: [string, string | number | null | undefined][] = [
    ['rt', r.time],
    ['externalId', r.uid],
    ['cat', r.class],
    ['msg', r.title],
    ['suser', r.actor.email ?? r.actor.name],
    ['suid', r.actor.id],
    ['outcome', r.outcome],
  ];
  const e = r.event;
  if (e) {
    const custom: [string, string | null | undefined][] = [
      ['policyRule', typeof r.attrs.rule_id === 'string' ? r.attrs.rule_id : null],
      ['detectorTypes', strings(r.attrs.detector_types).join(',') || null],
      ['model', e.model],
      ['surface', e.surface],
      ['sessionId', e.session_id],
      ['tool', e.mcp_server ? `${e.mcp_server}/${e.mcp_tool ?? ''}` : e.tool],
    ];
    ext.push(['act', typeof r.attrs.action === 'string' ? r.attrs.action : e.decision]);
    ext.push(['requestClientApplication', e.source]);
    custom.forEach(([label, value], i) => {
      if (value) ext.push([`cs${i + 1}Label`, label], [`cs${i + 1}`, value]);
    });
    if (e.input_tokens !== null) ext.push(['cn1Label', 'inputTokens'], ['cn1', e.input_tokens]);
    if (e.output_tokens !== null) ext.push(['cn2Label', 'outputTokens'], ['cn2', e.output_tokens]);
    if (e.cost_micros !== null) ext.push(['cn3Label', 'costMicroUsd'], ['cn3', e.cost_micros]);
  }
  const a = r.audit;
  if (a) {
    ext.push(['act', a.row.action], ['src', a.row.source_ip]);
    if (a.row.subject_kind) ext.push(['cs1Label', 'subjectKind'], ['cs1', a.row.subject_kind]);
    if (a.row.subject_id) ext.push(['cs2Label', 'subjectId'], ['cs2', a.row.subject_id]);
    ext.push(['cs3Label', 'actorKind'], ['cs3', a.row.actor_kind]);
    ext.push(['cn1Label', 'auditIndex'], ['cn1', a.row.idx]);
  }
  const extension = ext
    .filter((kv): kv is [string, string | number] => kv[1] !== null && kv[1] !== undefined && kv[1] !== '')
    .map(([k, v]) => `${k}=${escapeCefValue(String(v))}`)
    .join(' ');
  const header = ['Steward', 'Steward', version, signatureId(r), r.title].map(escapeCefHeader).join('|');
  return `CEF:0|${header}|${CEF_SEVERITY[r.severity]}|${extension}`;
}
