import type { EventKind, NormalisedBatch, NormalisedEvent } from '../../contracts/canonical.js';
import { emptyBatch } from '../../contracts/canonical.js';
import {
  attributesToObject,
  clipText,
  identifier,
  idToHex,
  MAX_KEY_LENGTH,
  nanosToMillis,
  num,
  str,
  toNumber,
} from '../otlp/values.js';
import { isContentKey } from './content-capture.js';
import { redactValue, type RedactionCounts } from './content-redaction.js';
import { timedDedupeKey } from './dedupe-key.js';
import { identityHints, sessionHints } from './identity-hints.js';
import { field, type NormaliseOptions } from './normalise-logs.js';
import { surfaceOf } from './surface.js';

/**
 * OTLP traces → canonical events. Three families:
 * - Claude Code beta spans `claude_code.*` (reference §1.7, observed §3.3): kept as kind `span` for the thread view;
 *   their tokens stay in attrs because the `api_request` log events already count usage (no double counting).
 * - OTel GenAI semconv spans (reference §7): `chat`-like operations become `api_request` with usage, `execute_tool`
 *   becomes `tool_result`. `gen_ai.usage.input_tokens` includes cache reads/writes for Anthropic, so the non-cached
 *   input is derived; old (`prompt_tokens`, `cache_creation`) and new (`cache_write`) names are both read.
 * - Office agents (reference §2.6): `office_agent.token.usage` span events become `api_request` usage events.
 */
const STATUS_ERROR = 2;

/** Identifiers already held by the person, session and columns; not repeated in attrs. */
const SPAN_LIFTED = new Set([
  'session.id',
  'prompt.id',
  'user.id',
  'user.email',
  'user.account_uuid',
  'user.account_id',
  'enduser.id',
  'process.owner',
  'terminal.type',
]);

export function normaliseTraces(request: unknown, opts: NormaliseOptions): NormalisedBatch {
  const batch = emptyBatch();
  const resourceSpans = field(request, 'resourceSpans');
  if (resourceSpans === undefined) return batch;
  if (!Array.isArray(resourceSpans)) {
    batch.rejected += 1;
    batch.errors.push('resourceSpans must be an array');
    return batch;
  }
  for (const rs of resourceSpans as unknown[]) {
    const resource = attributesToObject(field(field(rs, 'resource'), 'attributes'), opts.limits);
    const scopes = field(rs, 'scopeSpans');
    if (!Array.isArray(scopes)) continue;
    for (const ss of scopes as unknown[]) {
      const spans = field(ss, 'spans');
      if (!Array.isArray(spans)) continue;
      for (const span of spans as unknown[]) {
        if (typeof span !== 'object' || span === null) {
          batch.rejected += 1;
          continue;
        }
        normaliseSpan(span as Record<string, unknown>, resource, opts, batch);
      }
    }
  }
  return batch;
}

function normaliseSpan(
  span: Record<string, unknown>,
  resource: Record<string, unknown>,
  opts: NormaliseOptions,
  batch: NormalisedBatch,
): void {
  const traceId = idToHex(span.traceId);
  const spanId = idToHex(span.spanId);
  const name = typeof span.name === 'string' && span.name ? clipText(span.name, MAX_KEY_LENGTH) : 'span';
  const start = nanosToMillis(span.startTimeUnixNano);
  if (!traceId || !spanId || start === undefined) {
    batch.rejected += 1;
    if (batch.errors.length < 5) batch.errors.push(`span "${name}" lacks traceId, spanId or startTimeUnixNano`);
    return;
  }
  const end = nanosToMillis(span.endTimeUnixNano);
  const own = attributesToObject(span.attributes, opts.limits);
  const a = { ...resource, ...own };
  const serviceName = str(resource, 'service.name');
  const surface = surfaceOf(serviceName, name.startsWith('claude_code.') ? 'claude_code' : null);
  const statusCode = toNumber(field(span.status, 'code'));
  const failed = statusCode === STATUS_ERROR;
  const op = str(a, 'gen_ai.operation.name');
  const isClaudeCode = name.startsWith('claude_code.');
  const kind: EventKind = isClaudeCode
    ? 'span'
    : op === 'execute_tool' || name.startsWith('agent.tool_execution')
      ? 'tool_result'
      : op !== null && ['chat', 'text_completion', 'generate_content'].includes(op)
        ? 'api_request'
        : 'span';
  const usage = kind === 'api_request' ? genAiUsage(a) : null;
  const identity = identityHints(a);
  const attrs: Record<string, unknown> = { trace_id: traceId, span_id: spanId };
  const parent = idToHex(span.parentSpanId);
  if (parent) attrs['parent_span_id'] = parent;
  let redactions: RedactionCounts | null = null;
  for (const key in own) {
    if (SPAN_LIFTED.has(key)) continue;
    if (resource[key] !== undefined && resource[key] === own[key]) continue;
    if (isContentKey(key) && opts.capture !== 'full') {
      if (opts.capture === 'redacted') attrs[key] = redactValue(own[key], (redactions ??= {}));
      continue;
    }
    attrs[key] = own[key];
  }
  if (redactions !== null && Object.keys(redactions).length > 0) attrs['content_redactions'] = redactions;
  const base: NormalisedEvent = {
    dedupeKey: timedDedupeKey(start, ['span', traceId, spanId]),
    time: start,
    source: 'otlp',
    surface,
    kind,
    name,
    sessionId: identifier(str(a, 'session.id') ?? str(a, 'gen_ai.conversation.id')),
    promptId: identifier(str(a, 'prompt.id')),
    sequence: null,
    agent: str(a, 'gen_ai.agent.name') ?? str(a, 'agent.name') ?? str(a, 'agent_id'),
    workflow: str(a, 'gen_ai.workflow.name') ?? str(a, 'workflow.name'),
    skill: str(a, 'skill_name'),
    plugin: null,
    model: str(a, 'gen_ai.response.model') ?? str(a, 'gen_ai.request.model') ?? str(a, 'model'),
    tool: str(a, 'gen_ai.tool.name') ?? str(a, 'tool_name') ?? str(a, 'tool.name'),
    toolUseId: str(a, 'gen_ai.tool.call.id') ?? str(a, 'tool_use_id'),
    mcpServer: null,
    mcpTool: null,
    decision: str(a, 'decision') ?? str(a, 'tool.accept_decision'),
    decisionSource: str(a, 'source'),
    success: kind === 'tool_result' || name.endsWith('.execution') ? !failed : failed ? false : null,
    inputTokens: usage?.input ?? null,
    outputTokens: usage?.output ?? null,
    cacheReadTokens: usage?.cacheRead ?? null,
    cacheWriteTokens: usage?.cacheWrite ?? null,
    costMicros: null,
    durationMs: end !== undefined ? Math.max(0, end - start) : (num(a, 'duration_ms') ?? null),
    requestId: str(a, 'gen_ai.response.id') ?? str(a, 'request_id'),
    department: identity.department,
    team: identity.team,
    content: null,
    attrs,
    identity,
    session: sessionHints(a),
  };
  batch.events.push(base);
  officeTokenEvents(span, base, opts, batch);
}

interface Usage {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
}

function genAiUsage(a: Record<string, unknown>): Usage {
  const totalInput = num(a, 'gen_ai.usage.input_tokens') ?? num(a, 'gen_ai.usage.prompt_tokens');
  const output = num(a, 'gen_ai.usage.output_tokens') ?? num(a, 'gen_ai.usage.completion_tokens');
  const cacheRead = num(a, 'gen_ai.usage.cache_read.input_tokens');
  const cacheWrite =
    num(a, 'gen_ai.usage.cache_write.input_tokens') ?? num(a, 'gen_ai.usage.cache_creation.input_tokens');
  const input = totalInput === null ? null : Math.max(0, totalInput - (cacheRead ?? 0) - (cacheWrite ?? 0));
  return { input, output, cacheRead, cacheWrite };
}

/** Office agents report usage as span events {token_usage.type, token_usage.model, token_usage.token_count}. */
function officeTokenEvents(
  span: Record<string, unknown>,
  base: NormalisedEvent,
  opts: NormaliseOptions,
  batch: NormalisedBatch,
): void {
  const events = span.events;
  if (!Array.isArray(events)) return;
  events.forEach((ev: unknown, i: number) => {
    if (field(ev, 'name') !== 'office_agent.token.usage') return;
    const e = attributesToObject(field(ev, 'attributes'), opts.limits);
    const count = num(e, 'token_usage.token_count');
    const type = str(e, 'token_usage.type');
    if (count === null || type === null) return;
    const time = nanosToMillis(field(ev, 'timeUnixNano')) ?? base.time;
    batch.events.push({
      ...base,
      dedupeKey: timedDedupeKey(time, [
        'span-event',
        base.attrs['trace_id'] as string,
        base.attrs['span_id'] as string,
        i,
      ]),
      time,
      kind: 'api_request',
      name: 'office_agent.token.usage',
      model: str(e, 'token_usage.model') ?? base.model,
      inputTokens: type === 'input' ? count : null,
      outputTokens: type === 'output' ? count : null,
      cacheReadTokens: type === 'cacheRead' ? count : null,
      cacheWriteTokens: type === 'cacheCreation' ? count : null,
      durationMs: null,
      attrs: { ...base.attrs, ...e },
    });
  });
}
