import protobuf from 'protobufjs/minimal.js';
import type { AppError } from '../../errors/app-error.js';
import { toGrpcFailure } from './grpc-failure.js';

/**
 * OTLP/HTTP failure bodies. The spec (https://opentelemetry.io/docs/specs/otlp/#failures-1): "The response body for
 * all HTTP 4xx and HTTP 5xx responses MUST be a Protobuf-encoded Status message that describes the problem", in the
 * request's encoding (JSON for OTLP/JSON). google.rpc.Status { int32 code = 1; string message = 2; … } with the gRPC
 * code the gRPC receiver would use; the message leads with Steward's stable error code (docs/errors.md).
 */
export interface StatusBody {
  contentType: string;
  body: Buffer | string;
}

export function otlpStatusBody(err: AppError, protobufRequest: boolean): StatusBody {
  const code = toGrpcFailure(err).status.code;
  const message = `${err.code}: ${err.message}`;
  if (protobufRequest) {
    const bytes = protobuf.Writer.create().uint32(8).int32(code).uint32(18).string(message).finish();
    return {
      contentType: 'application/x-protobuf',
      body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    };
  }
  return { contentType: 'application/json', body: JSON.stringify({ code, message, details: [] }) };
}

/** Decodes a Status body (tests and clients). */
export function decodeOtlpStatus(bytes: Uint8Array): { code: number; message: string } {
  const r = protobuf.Reader.create(bytes);
  let code = 0;
  let message = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 8) code = r.int32();
    else if (tag === 18) message = r.string();
    else r.skipType(tag & 7);
  }
  return { code, message };
}
