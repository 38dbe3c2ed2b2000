import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { AppError } from '../errors/app-error.js';
import { fromFastifyError } from '../errors/http-error-handler.js';
import { INGEST } from '../identity/roles.js';
import type { IngestOutcome, IngestService, OtlpSignal } from './ingest-service.js';
import {
  decodeLogsRequest,
  decodeMetricsRequest,
  decodeTraceRequest,
  encodeExportResponse,
  OtlpDecodeError,
} from './otlp/protobuf.js';
import { otlpStatusBody } from './otlp/http-status-body.js';

const gunzipAsync = promisify(gunzip);
const utf8 = new TextDecoder('utf-8', { fatal: true });

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

const REJECTED_FIELD: Record<OtlpSignal, string> = {
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
  traces: 'rejectedSpans',
};

/**
 * OTLP/HTTP receivers (https://opentelemetry.io/docs/specs/otlp/#otlphttp): POST /v1/logs, /v1/metrics,
 * /v1/traces with `application/json` or `application/x-protobuf`, optionally `Content-Encoding: gzip`.
 * The response uses the request's encoding; partial success reports rejected records with 200.
 * Bodies are read as raw bytes with a wire limit (413), then decompressed with an output cap (413, gzip-bomb
 * guard), then decoded (400 naming the problem).
 */
export function registerOtlpHttpRoutes(app: FastifyInstance, config: Config, ingest: IngestService): void {
  app.register(async (scope) => {
    // Errors on these routes (auth included: hooks use the route's error handler) answer with an OTLP Status.
    scope.setErrorHandler((rawErr: FastifyError, request, reply) => {
      const err = fromFastifyError(rawErr);
      if (err.code === 'internal') request.log.error({ err: rawErr }, 'otlp ingest failed');
      const isProtobuf = (request.headers['content-type'] ?? '').toLowerCase().startsWith(PROTOBUF);
      const { contentType, body } = otlpStatusBody(err, isProtobuf);
      if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.status(err.status).header('content-type', contentType).send(body);
    });
    scope.removeAllContentTypeParsers();
    for (const type of [JSON_TYPE, PROTOBUF]) {
      scope.addContentTypeParser(
        type,
        { parseAs: 'buffer', bodyLimit: config.ingest.maxRequestBytes },
        (_req, body, done) => {
          done(null, body);
        },
      );
    }
    const signals: [string, OtlpSignal][] = [
      ['/v1/logs', 'logs'],
      ['/v1/metrics', 'metrics'],
      ['/v1/traces', 'traces'],
    ];
    for (const [url, signal] of signals) {
      scope.post(url, { config: { access: INGEST }, bodyLimit: config.ingest.maxRequestBytes }, (request, reply) =>
        handle(request, reply, signal, config, ingest),
      );
    }
  });
}

async function handle(
  request: FastifyRequest,
  reply: FastifyReply,
  signal: OtlpSignal,
  config: Config,
  ingest: IngestService,
): Promise<FastifyReply> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const isProtobuf = contentType === PROTOBUF;
  const raw = request.body;
  if (!Buffer.isBuffer(raw)) throw new AppError('bad_request', 'empty request body');
  const body = await decompress(raw, request.headers['content-encoding'], config.ingest.maxDecompressedBytes);
  const decoded = isProtobuf ? decodeProtobuf(signal, body) : decodeJson(body);
  const outcome = await ingest.ingest(signal, decoded, isProtobuf ? 'http/protobuf' : 'http/json');
  return isProtobuf ? sendProtobuf(reply, signal, outcome) : sendJson(reply, signal, outcome);
}

async function decompress(body: Buffer, encodingHeader: string | string[] | undefined, max: number): Promise<Buffer> {
  const encoding = (Array.isArray(encodingHeader) ? encodingHeader.join(',') : (encodingHeader ?? ''))
    .trim()
    .toLowerCase();
  if (encoding === '' || encoding === 'identity') {
    if (body.length > max) throw new AppError('payload_too_large', `body exceeds ${max} bytes`);
    return body;
  }
  if (encoding !== 'gzip') {
    throw new AppError('unsupported_media_type', `Content-Encoding "${encoding}" is not supported (use gzip or none)`);
  }
  try {
    return await gunzipAsync(body, { maxOutputLength: max });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new AppError('payload_too_large', `decompressed body exceeds ${max} bytes`);
    }
    throw new AppError('invalid_encoding', `body is not valid gzip: ${(err as Error).message}`);
  }
}

function decodeJson(body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new AppError('invalid_encoding', 'JSON body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_json', `invalid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('invalid_otlp', 'OTLP/JSON body must be a JSON object (an Export*ServiceRequest)');
  }
  return value;
}

function decodeProtobuf(signal: OtlpSignal, body: Buffer): unknown {
  try {
    if (signal === 'logs') return decodeLogsRequest(body);
    if (signal === 'metrics') return decodeMetricsRequest(body);
    return decodeTraceRequest(body);
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw new AppError('invalid_protobuf', err.message);
    throw new AppError('invalid_protobuf', `invalid protobuf: ${(err as Error).message}`);
  }
}

function sendJson(reply: FastifyReply, signal: OtlpSignal, outcome: IngestOutcome): FastifyReply {
  const body =
    outcome.rejected > 0
      ? { partialSuccess: { [REJECTED_FIELD[signal]]: outcome.rejected, errorMessage: outcome.errorMessage ?? '' } }
      : {};
  return reply.status(200).header('content-type', JSON_TYPE).send(body);
}

function sendProtobuf(reply: FastifyReply, signal: OtlpSignal, outcome: IngestOutcome): FastifyReply {
  const bytes =
    outcome.rejected > 0
      ? encodeExportResponse(signal, { rejected: outcome.rejected, errorMessage: outcome.errorMessage ?? '' })
      : encodeExportResponse(signal);
  return reply.status(200).header('content-type', PROTOBUF).send(Buffer.from(bytes));
}
