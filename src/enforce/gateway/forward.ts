import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { anthropicErrorBody } from './anthropic-error.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './forward-headers.js';
import { SseUsageTap } from './sse-usage.js';
import { isEventStream, isJson, timeoutPhase, type UpstreamClient, type UpstreamHandler } from './upstream-client.js';
import { emptyUsage, foldUsage, type Usage } from './usage.js';

/**
 * Forwards one request and streams the answer back as it arrives: status, headers (`request-id` included) and body
 * bytes exactly as the upstream sent them, each chunk written to the client before it is looked at. Usage is read on
 * the side (SSE: SseUsageTap; JSON: the collected body once complete). A client that goes away aborts the upstream
 * request (claude-surfaces.md §6.2); upstream failures before any byte become 502/504 in the Anthropic error format.
 */
export interface ForwardPlan {
  method: Dispatcher.HttpMethod;
  /** Path and query after the gateway prefix. */
  path: string;
  clientHeaders: IncomingHttpHeaders;
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

/** Why the upstream request was aborted when the client went away. */
const CLIENT_GONE = new Error('the client went away');

export function localRequestId(): string {
  return 'req_stw_' + randomBytes(12).toString('hex');
}

export function forward(
  upstream: UpstreamClient,
  res: ServerResponse,
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
  let corked = false;
  let controller: Dispatcher.DispatchController | null = null;

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
  const uncork = (): void => {
    corked = false;
    res.uncork();
  };
  const resume = (): void => controller?.resume();

  res.on('close', () => {
    if (res.writableFinished || finished) return;
    outcome.aborted = true;
    // Before the request reached a connection there is no controller yet: onRequestStart aborts it then.
    controller?.abort(CLIENT_GONE);
    // A client that half-closed its side must not keep the socket (and server shutdown) waiting.
    res.destroy();
    finish();
  });

  const handler: UpstreamHandler = {
    onRequestStart(c) {
      controller = c;
      if (outcome.aborted) c.abort(CLIENT_GONE);
    },

    onResponseStart(_c, status, headers) {
      outcome.status = status;
      const out = clientResponseHeaders(headers);
      const given = headers['request-id'];
      outcome.requestId = typeof given === 'string' && given !== '' ? given : localRequestId();
      if (given === undefined) out['request-id'] = outcome.requestId;
      Object.assign(out, plan.extraHeaders);
      res.writeHead(status, out);
      const ok = status >= 200 && status < 300;
      outcome.stream = isEventStream(headers);
      const read = plan.meter || plan.responseTextChars > 0;
      tap = read && ok && outcome.stream ? new SseUsageTap(plan.responseTextChars) : null;
      collect = read && ok && !outcome.stream && isJson(headers);
    },

    onResponseData(c, chunk) {
      // The client first; usage is read after the write. Corked until the end of this event-loop turn (setImmediate,
      // never a timer): when the upstream's last chunk and its end arrive together, the chunk and the chunked
      // encoding's terminator leave in one write instead of two (one syscall per response fewer; profiled at ~5% of
      // the gateway's CPU under load). Chunks arriving in later turns are not held back.
      if (!corked) {
        corked = true;
        res.cork();
        setImmediate(uncork);
      }
      if (!res.write(chunk)) {
        c.pause();
        res.once('drain', resume);
      }
      if (tap !== null) tap.push(chunk);
      else if (collect && collected <= MAX_METERED_JSON) {
        chunks.push(chunk);
        collected += chunk.length;
      }
    },

    onResponseEnd() {
      if (tap === null) {
        if (collect && collected <= MAX_METERED_JSON) {
          readJsonUsage(Buffer.concat(chunks, collected), outcome, plan.responseTextChars);
          chunks = [];
        } else outcome.completed = true;
      }
      res.end();
      finish();
    },

    onResponseError(_c, err) {
      if (outcome.aborted || finished) return;
      const phase = timeoutPhase(err);
      if (res.headersSent) {
        // Cut mid-response: the client sees a broken stream (Claude Code retries, then falls back to non-streaming).
        outcome.errorType = phase ? 'upstream_timeout' : 'upstream_disconnected';
        res.destroy();
        finish();
        return;
      }
      outcome.status = phase ? 504 : 502;
      outcome.errorType = phase ? `upstream_${phase}_timeout` : 'upstream_unreachable';
      outcome.requestId = localRequestId();
      const message =
        phase === 'connect'
          ? 'Steward gateway: timed out connecting to the upstream.'
          : phase === 'idle'
            ? 'Steward gateway: the upstream went silent.'
            : 'Steward gateway could not reach the upstream Messages API.';
      res.writeHead(outcome.status, {
        'content-type': 'application/json',
        'request-id': outcome.requestId,
        ...plan.extraHeaders,
      });
      res.end(anthropicErrorBody('api_error', message));
      finish();
    },
  };

  const headers = upstreamRequestHeaders(plan.clientHeaders, plan.upstreamApiKey, plan.body ? plan.body.length : null);
  upstream.dispatch(plan.method, plan.path, headers, plan.body, handler);
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
