import type { ContentCaptureMode } from '../../config/schema.js';
import type { IdentityHints, NormalisedBatch, NormalisedEvent, SessionHints } from '../../contracts/canonical.js';
import { emptyBatch } from '../../contracts/canonical.js';
import {
  attributesToObject,
  clipText,
  identifier,
  MAX_KEY_LENGTH,
  MAX_TIME_MS,
  nanosToMillis,
  num,
  str,
  type AttributeLimits,
} from '../otlp/values.js';
import { eventColumns, kindOfEvent } from './claude-code-event.js';
import { isContentKey, pickContent } from './content-capture.js';
import { redactValue, type RedactionCounts } from './content-redaction.js';
import { stableJson, timedDedupeKey } from './dedupe-key.js';
import { IDENTITY_ATTRIBUTE_KEYS, identityHints, sessionHints } from './identity-hints.js';
import { surfaceOf } from './surface.js';

export interface NormaliseOptions {
  capture: ContentCaptureMode;
  limits: AttributeLimits;
  now: () => number;
  /**
   * The request may be taken apart as it is read: each log record is dropped from its array once normalised, so
   * the garbage collector stops copying what has been read (the decode worker; measured in bench:ingest).
   */
  consume?: boolean;
}

/**
 * Attributes not repeated in `events.attrs`: they became columns, aliases or session fields already
 * (claude-code-event.ts lifts the Claude Code ones). Keeping attrs small keeps rows narrow — row width is the
 * largest cost of an insert.
 */
const LIFTED = new Set([
  'session.id',
  'prompt.id',
  'event.name',
  'event.sequence',
  'event.timestamp',
  'user.email',
  'user.account_uuid',
  'user.account_id',
  'user.id',
  'enduser.id',
  'process.owner',
  'terminal.type',
  'workspace.host_paths',
  'model',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'cost_usd',
  'cost_usd_micros',
  'duration_ms',
  'tool_name',
  'tool_use_id',
  'decision',
  'source',
  'success',
  'request_id',
  'agent.name',
  'skill.name',
  'plugin.name',
  'mcp_server.name',
  'mcp_tool.name',
  'workflow.name',
]);

const PREFIX_RE = /^(claude_code|claude_cowork)\.(.+)$/;

/** Per-request memo: one person and one session repeat across hundreds of records in an export. */
interface Memo {
  identities: Map<string, IdentityHints>;
  sessions: Map<string, SessionHints>;
  /** The resource whose identity attributes `resourceKey` renders (resources change once per resourceLogs). */
  resource: Record<string, unknown> | null;
  resourceKey: string;
}

const IDENTITY_KEYS: ReadonlySet<string> = new Set(IDENTITY_ATTRIBUTE_KEYS);

/**
 * OTLP logs → canonical events. Claude Code and Cowork events ride the logs signal: the name is in the
 * `event.name` attribute (unprefixed), the body (`claude_code.<name>` / `claude_cowork.<name>`), or the
 * LogRecord `eventName` field — accept all three (reference §1.8 GAP). Records are validated structurally here
 * rather than with zod: this is the 50k events/s hot path (ARCHITECTURE.md records the decision).
 */
export function normaliseLogs(request: unknown, opts: NormaliseOptions): NormalisedBatch {
  const batch = emptyBatch();
  const resourceLogs = field(request, 'resourceLogs');
  if (resourceLogs === undefined) return batch;
  if (!Array.isArray(resourceLogs)) {
    batch.rejected += 1;
    batch.errors.push('resourceLogs must be an array');
    return batch;
  }
  const memo: Memo = { identities: new Map(), sessions: new Map(), resource: null, resourceKey: '' };
  for (let ri = 0; ri < resourceLogs.length; ri++) {
    const rl = resourceLogs[ri] as unknown;
    const resource = attributesToObject(field(field(rl, 'resource'), 'attributes'), opts.limits);
    memo.sessions.clear();
    const scopeLogs = field(rl, 'scopeLogs');
    if (!Array.isArray(scopeLogs)) continue;
    for (let si = 0; si < scopeLogs.length; si++) {
      const records = field(scopeLogs[si], 'logRecords');
      if (!Array.isArray(records)) continue;
      for (let li = 0; li < records.length; li++) {
        const rec = records[li] as unknown;
        if (typeof rec !== 'object' || rec === null) {
          batch.rejected += 1;
          if (batch.errors.length < 5) {
            batch.errors.push(`resourceLogs[${ri}].scopeLogs[${si}].logRecords[${li}] is not an object`);
          }
          continue;
        }
        batch.events.push(normaliseRecord(rec as Record<string, unknown>, resource, opts, memo));
        if (opts.consume) records[li] = undefined;
      }
    }
  }
  return batch;
}

function normaliseRecord(
  rec: Record<string, unknown>,
  resource: Record<string, unknown>,
  opts: NormaliseOptions,
  memo: Memo,
): NormalisedEvent {
  // `a` reads record attributes with resource attributes as fallback (prototype chain, no copy).
  const a = attributesToObject(rec.attributes, opts.limits, 0, resource);
  const ownKeys = Object.keys(a);
  const body = bodyString(rec.body);
  const eventName = typeof rec.eventName === 'string' && rec.eventName ? rec.eventName : null;
  const rawName = (Object.hasOwn(a, 'event.name') ? str(a, 'event.name') : null) ?? eventName ?? body ?? 'log';
  const prefixed = PREFIX_RE.exec(body ?? '') ?? PREFIX_RE.exec(rawName);
  const name = clipText(PREFIX_RE.exec(rawName)?.[2] ?? rawName, MAX_KEY_LENGTH);
  const surface = surfaceOf(str(resource, 'service.name'), prefixed?.[1] ?? null);
  const time =
    nanosToMillis(rec.timeUnixNano) ??
    nanosToMillis(rec.observedTimeUnixNano) ??
    parseIso(str(a, 'event.timestamp')) ??
    opts.now();
  const sessionId = identifier(str(a, 'session.id'));
  const sequence = Object.hasOwn(a, 'event.sequence') ? num(a, 'event.sequence') : null;
  const identity = memoIdentity(a, ownKeys, resource, memo);
  const cols = eventColumns(name, a);

  const attrs: Record<string, unknown> = {};
  let redactions: RedactionCounts | null = null;
  for (const key of ownKeys) {
    if (LIFTED.has(key)) continue;
    const value = a[key];
    if (resource[key] !== undefined && resource[key] === value) continue; // resource copies (observed §3)
    if (opts.capture !== 'full' && isContentKey(key)) {
      if (opts.capture === 'off') continue;
      attrs[key] = redactValue(value, (redactions ??= {}));
      continue;
    }
    attrs[key] = value;
  }
  if (redactions !== null && Object.keys(redactions).length > 0) attrs['content_redactions'] = redactions;
  const severity = str(rec, 'severityText');
  if (severity) attrs['severity'] = severity;

  const key =
    sessionId !== null && sequence !== null
      ? timedDedupeKey(time, ['ev', surface, sessionId, sequence, name])
      : timedDedupeKey(time, ['log', stableJson(resource), stableJson(ownObject(a, ownKeys)), body]);

  return {
    dedupeKey: key,
    time,
    source: 'otlp',
    surface,
    kind: kindOfEvent(name),
    name,
    sessionId,
    promptId: identifier(str(a, 'prompt.id')),
    sequence,
    agent: cols.agent,
    workflow: cols.workflow,
    skill: cols.skill,
    plugin: cols.plugin,
    model: cols.model,
    tool: cols.tool,
    toolUseId: cols.toolUseId,
    mcpServer: cols.mcpServer,
    mcpTool: cols.mcpTool,
    decision: cols.decision,
    decisionSource: cols.decisionSource,
    success: cols.success,
    inputTokens: cols.inputTokens,
    outputTokens: cols.outputTokens,
    cacheReadTokens: cols.cacheReadTokens,
    cacheWriteTokens: cols.cacheWriteTokens,
    costMicros: cols.costMicros,
    durationMs: cols.durationMs,
    requestId: cols.requestId,
    department: identity.department,
    team: identity.team,
    content: pickContent(attrs, opts.capture),
    attrs,
    identity,
    session: memoSession(a, sessionId, memo),
  };
}

/**
 * The memo key is the resource's identity attributes (rendered once per resource) and then the record's own ones:
 * records with equal keys see the same identity attributes through `a`, so they get the same hints. Reading the
 * record's own keys, which normaliseRecord lists anyway, costs a set lookup each instead of ~18 lookups through the
 * prototype chain per record.
 */
function memoIdentity(
  a: Record<string, unknown>,
  ownKeys: readonly string[],
  resource: Record<string, unknown>,
  memo: Memo,
): IdentityHints {
  if (memo.resource !== resource) {
    memo.resource = resource;
    memo.resourceKey = identityKey(resource, Object.keys(resource));
  }
  const k = memo.resourceKey + '\u0002' + identityKey(a, ownKeys);
  let hints = memo.identities.get(k);
  if (!hints) {
    hints = identityHints(a);
    memo.identities.set(k, hints);
  }
  return hints;
}

function identityKey(a: Record<string, unknown>, keys: readonly string[]): string {
  let k = '';
  for (const key of keys) {
    if (!IDENTITY_KEYS.has(key)) continue;
    const v = a[key];
    // The type is part of the key: identityHints reads only strings, numbers and booleans, so ["x"] ≠ "x".
    k += `${key}=${typeof v === 'string' ? v : `${typeof v}:${String(v)}`}\u0001`;
  }
  return k;
}

function memoSession(a: Record<string, unknown>, sessionId: string | null, memo: Memo): SessionHints {
  const paths = a['workspace.host_paths'];
  const k = `${sessionId ?? ''}\u0001${String(a['terminal.type'])}\u0001${String(a['app.entrypoint'])}\u0001${Array.isArray(paths) ? paths.join('\u0002') : String(paths)}`;
  let hints = memo.sessions.get(k);
  if (!hints) {
    hints = sessionHints(a);
    memo.sessions.set(k, hints);
  }
  return hints;
}

function ownObject(a: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = a[k];
  return out;
}

function bodyString(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const s = (body as { stringValue?: unknown }).stringValue;
  return typeof s === 'string' && s.length ? s : null;
}

function parseIso(s: string | null): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) && t > 0 && t <= MAX_TIME_MS ? t : undefined;
}

export function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}
