import { createRequire } from 'node:module';
import { toNumber } from './values.js';

/**
 * OTLP protobuf codec. The message classes come from the protobufjs static module that the OpenTelemetry JS
 * project compiles from opentelemetry-proto (≥ v1.5) and ships in @opentelemetry/otlp-transformer; that keeps the
 * wire schema identical to the one the exporters Claude Code embeds use (reference/claude-code-observed.md §3).
 *
 * Decoded messages are returned as protobufjs instances, not `toObject()` copies: ingest runs at tens of thousands
 * of events per second and src/ingest/otlp/values.ts reads both shapes (int64 as Long, bytes as Uint8Array, unset
 * oneof members null). Note that `bytes` fields decoded from a Buffer are views into that Buffer.
 */

export type OtlpSignal = 'logs' | 'metrics' | 'traces';

/** Any failure to parse a request body as the expected OTLP message. The message is safe to return to a client. */
export class OtlpDecodeError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`invalid protobuf: ${detail}`, options);
    this.name = 'OtlpDecodeError';
  }
}

/** The slice of a protobufjs static message class this module uses. */
interface MessageClass {
  decode(buf: Uint8Array): unknown;
  encode(message: object): { finish(): Uint8Array };
}

interface CollectorPackage {
  request: MessageClass;
  response: MessageClass;
}

// The generated module is CommonJS without an `exports` map, so a deep require is the supported way in from ESM.
const require = createRequire(import.meta.url);
const generatedRoot: unknown = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');

/** Walks the generated namespace and fails at start-up (not on the first request) if its layout ever changes. */
function messageClass(path: readonly string[]): MessageClass {
  let node: unknown = generatedRoot;
  for (const key of path) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  const candidate = node as Partial<MessageClass> | undefined;
  if (typeof candidate?.decode !== 'function' || typeof candidate.encode !== 'function') {
    throw new Error(`OTLP protobuf module lacks ${path.join('.')}; check the @opentelemetry/otlp-transformer version`);
  }
  return candidate as MessageClass;
}

function collector(pkg: string, service: string): CollectorPackage {
  const base = ['opentelemetry', 'proto', 'collector', pkg, 'v1'];
  return {
    request: messageClass([...base, `Export${service}ServiceRequest`]),
    response: messageClass([...base, `Export${service}ServiceResponse`]),
  };
}

const collectors: Record<OtlpSignal, CollectorPackage> = {
  logs: collector('logs', 'Logs'),
  metrics: collector('metrics', 'Metrics'),
  traces: collector('trace', 'Trace'),
};

/** Field name of the rejected-item count inside each signal's Export*PartialSuccess message (OTLP §partial-success). */
const rejectedField: Record<OtlpSignal, string> = {
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
  traces: 'rejectedSpans',
};

function decode(signal: OtlpSignal, buf: Uint8Array): unknown {
  try {
    return collectors[signal].request.decode(buf);
  } catch (err) {
    // protobufjs throws RangeError ("index out of range: …", or a stack overflow on absurd nesting) and plain
    // Error ("invalid wire type 7 at offset 3"); callers need one type to map to 400 / INVALID_ARGUMENT.
    const detail = err instanceof Error ? err.message : String(err);
    throw new OtlpDecodeError(detail, { cause: err });
  }
}

export function decodeRequest(signal: OtlpSignal, buf: Uint8Array): unknown {
  return decode(signal, buf);
}

export function decodeLogsRequest(buf: Uint8Array): unknown {
  return decode('logs', buf);
}

export function decodeMetricsRequest(buf: Uint8Array): unknown {
  return decode('metrics', buf);
}

export function decodeTraceRequest(buf: Uint8Array): unknown {
  return decode('traces', buf);
}

export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

// A full success is an empty Export*ServiceResponse (OTLP §full-success); encode it once per signal.
const emptySuccess: Record<OtlpSignal, Uint8Array> = {
  logs: collectors.logs.response.encode({}).finish(),
  metrics: collectors.metrics.response.encode({}).finish(),
  traces: collectors.traces.response.encode({}).finish(),
};

/**
 * Export*ServiceResponse bytes. Per OTLP §partial-success, `partial_success` is set when items were rejected
 * (rejected > 0) or to carry a warning (rejected = 0 with a non-empty message); otherwise the response is empty.
 */
export function encodeExportResponse(signal: OtlpSignal, partial?: PartialSuccess): Uint8Array {
  if (partial === undefined) return emptySuccess[signal];
  const rejected = Number.isFinite(partial.rejected) ? Math.max(0, Math.trunc(partial.rejected)) : 0;
  if (rejected === 0 && partial.errorMessage === '') return emptySuccess[signal];
  const partialSuccess: Record<string, unknown> = { errorMessage: partial.errorMessage };
  if (rejected > 0) partialSuccess[rejectedField[signal]] = rejected;
  return collectors[signal].response.encode({ partialSuccess }).finish();
}

/** Reads an Export*ServiceResponse (used by tests and interop checks); `partial` is undefined on full success. */
export function decodeExportResponse(signal: OtlpSignal, bytes: Uint8Array): { partial?: PartialSuccess } {
  let message: unknown;
  try {
    message = collectors[signal].response.decode(bytes);
  } catch (err) {
    throw new OtlpDecodeError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const partialSuccess = (message as { partialSuccess?: unknown }).partialSuccess;
  if (typeof partialSuccess !== 'object' || partialSuccess === null) return {};
  const fields = partialSuccess as Record<string, unknown>;
  const count = fields[rejectedField[signal]];
  const rejected = toNumber(count) ?? 0;
  const errorMessage = typeof fields.errorMessage === 'string' ? fields.errorMessage : '';
  return { partial: { rejected, errorMessage } };
}
