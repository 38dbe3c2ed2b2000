import { randomBytes } from 'node:crypto';
import { anthropicErrorBody } from './anthropic-error.js';
import type { ClientReply } from './client-reply.js';
import { composeHead, requestFieldKept, upstreamExtraLines } from './forward-headers.js';
import { SseUsageTap } from './sse-usage.js';
import { emptyUsage, foldUsage, type Usage } from './usage.js';
import type { FieldLines, ResponseHead } from './wire/http1-head.js';
import type { ExchangeHandler, UpstreamExchange, UpstreamFailure, UpstreamPool } from './wire/upstream-pool.js';

/**
 * Forwards one request and streams the answer back as it arrives: status, headers (`request-id` included) and body
 * bytes exactly as the upstream sent them, each chunk written to the client before it is looked at. Usage is read on
 * the side (SSE: SseUsageTap over the content; JSON: the collected body once complete). A client that goes away
 * aborts the upstream request (claude-surfaces.md §6.2); upstream failures before any byte become 502/504 in the
 * Anthropic error format.
 */
export interface ForwardPlan {
  method: string;
  /** Path and query after the gateway prefix. */
  path: string;
  /** The client's header fields, in order. */
  clientFields: FieldLines;
  body: Buffer | null;
  upstreamApiKey: string | undefined;
  /** Added to the response (budget warnings). */
  extraHeaders: Record<string, string>;
  /** Read usage from the response. */
  meter: boolean;
  /** > 0: keep up to this many characters of the response's text for response scanning (`gateway.scanResponses`). */
  responseTextChars: number;
}

export interface ForwardOutcome {
  status: number;
  requestId: string;
  /** Usage reported by the upstream (null: none seen). */
  usage: Usage | null;
  model: string | null;
  stream: boolean;
  completed: boolean;
  /** The client went away before the response ended. */
  aborted: boolean;
  errorType: string | null;
  /** performance.now() when the upstream request was sent, and when the response ended. */
  sentAt: number;
  endedAt: number;
  /** The model's text (text blocks / text deltas), when the plan asked for it. */
  responseText: string | null;
}

/** Larger JSON responses are passed through but not parsed for usage. */
const MAX_METERED_JSON = 16 * 1024 * 1024;

export function localRequestId(): string {
  return 'req_stw_' + randomBytes(12).toString('hex');
}

export function forward(
  upstream: UpstreamPool,
  reply: ClientReply,
  plan: ForwardPlan,
  done: (outcome: ForwardOutcome) => void,
): void {
  const outcome: ForwardOutcome = {
    status: 0,
    requestId: '',
    usage: null,
    model: null,
    stream: false,
    completed: false,
    aborted: false,
    errorType: null,
    sentAt: performance.now(),
    endedAt: 0,
    responseText: null,
  };
  let finished = false;
  let tap: SseUsageTap | null = null;
  let collect = false;
  let chunks: Buffer[] = [];
  let collected = 0;
  let exchange: UpstreamExchange | null = null;
  const framed = reply.framed;

  const finish = (): void => {
    if (finished) return;
    finished = true;
    // A stream cut short still reports what it used so far (spend is never dropped).
    if (tap) {
      outcome.usage = tap.sawUsage ? tap.usage : null;
      outcome.model = tap.model;
      outcome.completed = tap.completed;
      outcome.errorType ??= tap.errorType;
      if (plan.responseTextChars > 0) outcome.responseText = tap.responseText();
    }
    outcome.endedAt = performance.now();
    done(outcome);
  };
  const resume = (): void => exchange?.resume();
  const send = (bytes: Buffer): void => {
    if (!reply.write(bytes)) {
      exchange?.pause();
      reply.onDrain(resume);
    }
  };

  reply.onGone(() => {
    if (finished) return;
    outcome.aborted = true;
    exchange?.abort();
    finish();
  });

  const handler: ExchangeHandler = {
    onHead(head: ResponseHead) {
      if (finished) return;
      outcome.status = head.status;
      const given = head.headers['request-id'];
      const hasId = typeof given === 'string' && given !== '';
      outcome.requestId = hasId ? given : localRequestId();
      reply.start(head, hasId ? null : outcome.requestId, plan.extraHeaders);
      const ok = head.status >= 200 && head.status < 300;
      const type = head.headers['content-type'];
      outcome.stream = typeof type === 'string' && type.startsWith('text/event-stream');
      const read = plan.meter || plan.responseTextChars > 0;
      tap = read && ok && outcome.stream ? new SseUsageTap(plan.responseTextChars) : null;
      collect = read && ok && !outcome.stream && typeof type === 'string' && type.includes('json');
    },

    onBody(bytes: Buffer) {
      // The client first; usage is read after the write.
      if (framed && !finished) send(bytes);
    },

    onContent(content: Buffer) {
      if (finished) return;
      if (!framed) send(content);
      if (tap !== null) tap.push(content);
      else if (collect && collected <= MAX_METERED_JSON) {
        chunks.push(content);
        collected += content.length;
      }
    },

    onEnd() {
      if (finished) return;
      // Alone in flight, the answer leaves now; reading its usage and metering it (finish → done) come after.
      reply.end(upstream.inFlight() <= 1);
      if (tap === null) {
        if (collect && collected <= MAX_METERED_JSON) {
          readJsonUsage(Buffer.concat(chunks, collected), outcome, plan.responseTextChars);
          chunks = [];
        } else outcome.completed = true;
      }
      finish();
    },

    onError(failure: UpstreamFailure, headSeen: boolean) {
      if (finished) return;
      const timedOut = failure === 'connect_timeout' || failure === 'idle_timeout';
      if (headSeen) {
        // Cut mid-response: the client sees a broken stream (Claude Code retries, then falls back to non-streaming).
        outcome.errorType = timedOut ? 'upstream_timeout' : 'upstream_disconnected';
        reply.cut();
        finish();
        return;
      }
      outcome.status = timedOut ? 504 : 502;
      outcome.errorType =
        failure === 'connect_timeout'
          ? 'upstream_connect_timeout'
          : failure === 'idle_timeout'
            ? 'upstream_idle_timeout'
            : 'upstream_unreachable';
      outcome.requestId = localRequestId();
      const message =
        failure === 'connect_timeout'
          ? 'Steward gateway: timed out connecting to the upstream.'
          : failure === 'idle_timeout'
            ? 'Steward gateway: the upstream went silent.'
            : 'Steward gateway could not reach the upstream Messages API.';
      reply.answer(
        outcome.status,
        { 'request-id': outcome.requestId, ...plan.extraHeaders },
        anthropicErrorBody('api_error', message),
      );
      finish();
    },
  };

  if (reply.gone()) {
    outcome.aborted = true;
    return finish();
  }
  const length = plan.body === null ? '' : `content-length: ${plan.body.length}\r\n`;
  const head = composeHead(
    upstream.requestStart(plan.method, plan.path),
    plan.clientFields,
    requestFieldKept(plan.clientFields),
    upstreamExtraLines(plan.upstreamApiKey) + length + '\r\n',
  );
  exchange = upstream.send(plan.method, head, plan.body, handler);
}

function readJsonUsage(body: Buffer, outcome: ForwardOutcome, textChars: number): void {
  outcome.completed = true;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  if (typeof o.model === 'string') outcome.model = o.model;
  if (o.usage && typeof o.usage === 'object') {
    const usage = emptyUsage();
    foldUsage(usage, o.usage);
    outcome.usage = usage;
  }
  if (textChars > 0 && Array.isArray(o.content)) {
    const text = o.content
      .map((b: unknown) => {
        const block = b as { type?: unknown; text?: unknown } | null;
        return block?.type === 'text' && typeof block.text === 'string' ? block.text : '';
      })
      .join('');
    outcome.responseText = text.slice(0, textChars);
  }
}
