import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type MethodDefinition,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { toGrpcFailure } from './grpc-failure.js';
import { decodeRequest, encodeExportResponse, OtlpDecodeError, type OtlpSignal } from './protobuf.js';

/**
 * OTLP/gRPC receiver (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc): the three collector services, each with
 * one unary `Export` method. The service definition is built by hand over the protobufjs codec in ./protobuf.js,
 * so no .proto loading happens at run time. grpc-js itself handles gzip/deflate request compression, unknown
 * services (UNIMPLEMENTED) and the message size limit (RESOURCE_EXHAUSTED, checked after decompression too).
 */

export type { OtlpSignal } from './protobuf.js';

export interface OtlpExportOutcome {
  /** Items (log records, data points, spans) not accepted; > 0 produces an OTLP partial_success response. */
  rejected: number;
  errorMessage?: string;
}

/**
 * Receives one decoded Export*ServiceRequest (a protobufjs message; see ./values.js for reading it) with the call
 * metadata. Throw an AppError-shaped `{ code, status, message, retryAfterSeconds? }` to fail the export.
 */
export type OtlpGrpcHandler = (
  signal: OtlpSignal,
  request: unknown,
  headers: Record<string, string>,
) => Promise<OtlpExportOutcome>;

export interface GrpcListener {
  port: number;
  /** Stops accepting calls and lets in-flight ones finish; forces the rest closed after 5 s. */
  close(): Promise<void>;
}

export interface OtlpGrpcServerOptions {
  host: string;
  port: number;
  /** Largest accepted message after decompression (grpc.max_receive_message_length). */
  maxReceiveMessageBytes: number;
  handler: OtlpGrpcHandler;
  /** Called with unexpected handler errors, which clients only see as INTERNAL "internal error". */
  onError?: (error: unknown, signal: OtlpSignal) => void;
  /**
   * Hand the handler the raw (already decompressed) protobuf bytes instead of a decoded message, so decoding can
   * happen off the event loop (Steward's decode workers). The handler then answers malformed bodies itself.
   */
  rawRequests?: boolean;
}

const FORCE_SHUTDOWN_AFTER_MS = 5_000;

const services: ReadonlyArray<{ signal: OtlpSignal; path: string }> = [
  { signal: 'logs', path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export' },
  { signal: 'metrics', path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export' },
  { signal: 'traces', path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export' },
];

/**
 * What requestDeserialize returns for an undecodable body. Throwing there instead would make grpc-js answer
 * INTERNAL "Error deserializing request" — a server-fault code — whereas OTLP wants the non-retryable
 * INVALID_ARGUMENT with a message naming the problem.
 */
class DecodeFailure {
  constructor(readonly error: OtlpDecodeError) {}
}

function exportMethod(signal: OtlpSignal, path: string, raw: boolean): MethodDefinition<unknown, Uint8Array> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: () => {
      throw new Error('OTLP server definition: requests are never serialized server-side');
    },
    requestDeserialize: (bytes: Buffer): unknown => {
      if (raw) return bytes;
      try {
        return decodeRequest(signal, bytes);
      } catch (err) {
        return new DecodeFailure(err instanceof OtlpDecodeError ? err : new OtlpDecodeError(String(err)));
      }
    },
    responseSerialize: (value: Uint8Array) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
    responseDeserialize: (bytes: Buffer) => bytes,
  };
}

/** gRPC metadata → lower-case header map; repeated keys joined with ", " and binary (-bin) values base64, as on the wire. */
export function flattenMetadata(metadata: Metadata): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const key of Object.keys(metadata.getMap())) {
    const values = metadata.get(key).map((v) => (typeof v === 'string' ? v : v.toString('base64')));
    headers[key.toLowerCase()] = values.join(', ');
  }
  return headers;
}

function exportHandler(signal: OtlpSignal, opts: OtlpGrpcServerOptions) {
  return (call: ServerUnaryCall<unknown, Uint8Array>, callback: sendUnaryData<Uint8Array>): void => {
    const request = call.request;
    if (request instanceof DecodeFailure) {
      callback({ code: status.INVALID_ARGUMENT, details: request.error.message });
      return;
    }
    void respond(signal, request, flattenMetadata(call.metadata), opts, callback);
  };
}

async function respond(
  signal: OtlpSignal,
  request: unknown,
  headers: Record<string, string>,
  opts: OtlpGrpcServerOptions,
  callback: sendUnaryData<Uint8Array>,
): Promise<void> {
  let outcome: OtlpExportOutcome;
  try {
    outcome = await opts.handler(signal, request, headers);
  } catch (err) {
    const failure = toGrpcFailure(err);
    if (failure.internal) opts.onError?.(err, signal);
    callback(failure.status);
    return;
  }
  const errorMessage = outcome.errorMessage ?? '';
  const partial =
    outcome.rejected > 0 || errorMessage !== '' ? { rejected: outcome.rejected, errorMessage } : undefined;
  callback(null, encodeExportResponse(signal, partial));
}

function bindAddress(host: string, port: number): string {
  // grpc-js parses "host:port", so an IPv6 literal needs its brackets (RFC 3986 §3.2.2).
  const literal = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${literal}:${port}`;
}

export function startOtlpGrpcServer(opts: OtlpGrpcServerOptions): Promise<GrpcListener> {
  const server = new Server({ 'grpc.max_receive_message_length': opts.maxReceiveMessageBytes });
  for (const { signal, path } of services) {
    const definition: ServiceDefinition = { Export: exportMethod(signal, path, opts.rawRequests === true) };
    server.addService(definition, { Export: exportHandler(signal, opts) });
  }
  return new Promise((resolve, reject) => {
    server.bindAsync(bindAddress(opts.host, opts.port), ServerCredentials.createInsecure(), (err, port) => {
      if (err) {
        server.forceShutdown();
        reject(err);
        return;
      }
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> =>
        (closing ??= new Promise<void>((done) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            done();
          }, FORCE_SHUTDOWN_AFTER_MS);
          force.unref();
          server.tryShutdown(() => {
            clearTimeout(force);
            done();
          });
        }));
      resolve({ port, close });
    });
  });
}
