import type { ContentCaptureMode } from '../../config/schema.js';
import type { NormalisedBatch, NormalisedEvent } from '../../contracts/canonical.js';
import { emptyBatch } from '../../contracts/canonical.js';
import { attributesToObject, nanosToMillis, num, str, type AttributeLimits } from '../otlp/values.js';
import { eventColumns, kindOfEvent } from './claude-code-event.js';
import { isContentKey, pickContent } from './content-capture.js';
import { dedupeKey, stableJson } from './dedupe-key.js';
import { identityHints, sessionHints } from './identity-hints.js';
import { surfaceOf } from './surface.js';

export interface NormaliseOptions {
  capture: ContentCaptureMode;
  limits: AttributeLimits;
  now: () => number;
}

/** Attributes that become columns, aliases or session fields and so are not repeated in `events.attrs`. */
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
]);

const PREFIX_RE = /^(claude_code|claude_cowork)\.(.+)$/;

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
  for (let ri = 0; ri < resourceLogs.length; ri++) {
    const rl = resourceLogs[ri] as unknown;
    const resource = attributesToObject(field(field(rl, 'resource'), 'attributes'), opts.limits);
    const scopeLogs = field(rl, 'scopeLogs');
    if (!Array.isArray(scopeLogs)) continue;
    for (let si = 0; si < scopeLogs.length; si++) {
      const records = field(scopeLogs[si], 'logRecords');
      if (!Array.isArray(records)) continue;
      for (let li = 0; li < records.length; li++) {
        const rec = records[li] as unknown;
        if (typeof rec !== 'object' || rec === null) {
          batch.rejected += 1;
          if (batch.errors.length < 5)
            batch.errors.push(`resourceLogs[${ri}].scopeLogs[${si}].logRecords[${li}] is not an object`);
          continue;
        }
        batch.events.push(normaliseRecord(rec as Record<string, unknown>, resource, opts));
      }
    }
  }
  return batch;
}

function normaliseRecord(
  rec: Record<string, unknown>,
  resource: Record<string, unknown>,
  opts: NormaliseOptions,
): NormalisedEvent {
  const own = attributesToObject(rec.attributes, opts.limits);
  const a: Record<string, unknown> = { ...resource, ...own };
  const body = bodyString(rec.body);
  const rawName =
    str(own, 'event.name') ??
    (typeof rec.eventName === 'string' && rec.eventName ? rec.eventName : null) ??
    body ??
    'log';
  const prefixed = PREFIX_RE.exec(body ?? '') ?? PREFIX_RE.exec(rawName);
  const name = PREFIX_RE.exec(rawName)?.[2] ?? rawName;
  const surface = surfaceOf(str(resource, 'service.name'), prefixed?.[1] ?? null);
  const time =
    nanosToMillis(rec.timeUnixNano) ??
    nanosToMillis(rec.observedTimeUnixNano) ??
    parseIso(str(own, 'event.timestamp')) ??
    opts.now();
  const sessionId = str(a, 'session.id');
  const sequence = num(own, 'event.sequence');
  const identity = identityHints(a);
  const cols = eventColumns(name, a);
  const content = pickContent(own, opts.capture);

  const attrs: Record<string, unknown> = {};
  for (const key in own) {
    if (LIFTED.has(key)) continue;
    if (resource[key] !== undefined && resource[key] === own[key]) continue; // resource copies (observed §3)
    if (isContentKey(key) && opts.capture !== 'full') continue;
    attrs[key] = own[key];
  }
  const severity = str(rec as Record<string, unknown>, 'severityText');
  if (severity) attrs['severity'] = severity;

  const key =
    sessionId !== null && sequence !== null
      ? dedupeKey(['ev', surface, sessionId, sequence, time, name])
      : dedupeKey(['log', stableJson(resource), stableJson(own), time, body]);

  return {
    dedupeKey: key,
    time,
    source: 'otlp',
    surface,
    kind: kindOfEvent(name),
    name,
    sessionId,
    promptId: str(a, 'prompt.id'),
    sequence,
    ...cols,
    department: identity.department,
    team: identity.team,
    content,
    attrs,
    identity,
    session: sessionHints(a),
  };
}

function bodyString(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const s = (body as { stringValue?: unknown }).stringValue;
  return typeof s === 'string' && s.length ? s : null;
}

function parseIso(s: string | null): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

export function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}
