import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import protobuf from 'protobufjs/minimal.js';
import type { AppError } from '../../errors/app-error.js';

/**
 * How a failed OTLP/gRPC export is reported. Steward's handlers throw AppError (an HTTP status + stable code); OTLP
 * over gRPC needs a gRPC status whose retryability matches the HTTP one, per
 * https://opentelemetry.io/docs/specs/otlp/#failures-1 ("Retryable response codes"):
 *   400, 413 → INVALID_ARGUMENT (not retryable: resending the same batch cannot succeed)
 *   401 → UNAUTHENTICATED, 403 → PERMISSION_DENIED (not retryable)
 *   429, 503 → UNAVAILABLE (retryable), with google.rpc.RetryInfo when the error carries a retry delay
 *   5xx and anything that is not an AppError → INTERNAL with a generic message (details go to the server log only)
 */

/** The fields of AppError this mapping reads; duck-typed so any thrown object of that shape is honoured. */
export type HandlerFailure = Pick<AppError, 'status' | 'message'> & {
  code: string;
  retryAfterSeconds?: number | undefined;
};

export interface GrpcFailure {
  status: Partial<StatusObject> & { code: status; details: string };
  /** True when the cause is an unexpected/server-side error the operator should see in the log. */
  internal: boolean;
}

/** Trailer naming Steward's stable error code, so gRPC clients get the same code an HTTP client sees in the body. */
export const ERROR_CODE_TRAILER = 'steward-error-code';
/** Standard gRPC rich-error trailer: a serialized google.rpc.Status (https://grpc.io/docs/guides/error/). */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

export function isHandlerFailure(value: unknown): value is HandlerFailure {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.status === 'number' && typeof v.code === 'string' && typeof v.message === 'string';
}

export function toGrpcFailure(error: unknown): GrpcFailure {
  if (!isHandlerFailure(error) || (error.status >= 500 && error.status !== 503)) {
    return { status: withCode(status.INTERNAL, 'internal error', 'internal'), internal: true };
  }
  const { status: http, message, code } = error;
  if (http === 401) return { status: withCode(status.UNAUTHENTICATED, message, code), internal: false };
  if (http === 403) return { status: withCode(status.PERMISSION_DENIED, message, code), internal: false };
  if (http === 429 || http === 503) {
    const failure = withCode(status.UNAVAILABLE, message, code);
    const delay = error.retryAfterSeconds;
    if (delay !== undefined && Number.isFinite(delay) && delay >= 0) {
      failure.metadata.set(STATUS_DETAILS_TRAILER, encodeRetryStatus(status.UNAVAILABLE, message, delay));
    }
    return { status: failure, internal: false };
  }
  // 400, 413 and any other client error: the batch itself is at fault, so the client must not retry it.
  return { status: withCode(status.INVALID_ARGUMENT, message, code), internal: false };
}

function withCode(code: status, details: string, errorCode: string) {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_TRAILER, errorCode);
  return { code, details, metadata };
}

/**
 * google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; } carrying one
 * google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; } (googleapis google/rpc/{status,error_details}.proto).
 * Hand-encoded: four tiny messages do not justify vendoring googleapis.
 */
export function encodeRetryStatus(code: number, message: string, retryAfterSeconds: number): Buffer {
  const seconds = Math.floor(retryAfterSeconds);
  const nanos = Math.round((retryAfterSeconds - seconds) * 1e9);
  // Duration { int64 seconds = 1; int32 nanos = 2; }
  const duration = protobuf.Writer.create().uint32(8).int64(seconds).uint32(16).int32(nanos).finish();
  const retryInfo = protobuf.Writer.create().uint32(10).bytes(duration).finish();
  // Any { string type_url = 1; bytes value = 2; }
  const any = protobuf.Writer.create().uint32(10).string(RETRY_INFO_TYPE_URL).uint32(18).bytes(retryInfo).finish();
  const bytes = protobuf.Writer.create()
    .uint32(8)
    .int32(code)
    .uint32(18)
    .string(message)
    .uint32(26)
    .bytes(any)
    .finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Inverse of encodeRetryStatus, for tests and clients: the RetryInfo delay in seconds, if present. */
export function decodeRetryDelaySeconds(statusDetails: Uint8Array): number | undefined {
  const status = protobuf.Reader.create(statusDetails);
  while (status.pos < status.len) {
    const tag = status.uint32();
    if (tag !== 26) {
      status.skipType(tag & 7);
      continue;
    }
    const any = protobuf.Reader.create(status.bytes());
    let typeUrl = '';
    let value: Uint8Array | undefined;
    while (any.pos < any.len) {
      const anyTag = any.uint32();
      if (anyTag === 10) typeUrl = any.string();
      else if (anyTag === 18) value = any.bytes();
      else any.skipType(anyTag & 7);
    }
    if (typeUrl !== RETRY_INFO_TYPE_URL || value === undefined) continue;
    const retryInfo = protobuf.Reader.create(value);
    while (retryInfo.pos < retryInfo.len) {
      const infoTag = retryInfo.uint32();
      if (infoTag !== 10) {
        retryInfo.skipType(infoTag & 7);
        continue;
      }
      const duration = protobuf.Reader.create(retryInfo.bytes());
      let seconds = 0;
      let nanos = 0;
      while (duration.pos < duration.len) {
        const durationTag = duration.uint32();
        if (durationTag === 8) seconds = Number(duration.int64().toString());
        else if (durationTag === 16) nanos = duration.int32();
        else duration.skipType(durationTag & 7);
      }
      return seconds + nanos / 1e9;
    }
  }
  return undefined;
}
