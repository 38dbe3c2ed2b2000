import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { AppError } from '../errors/app-error.js';
import { fromFastifyError } from '../errors/http-error-handler.js';
import { INGEST } from '../identity/roles.js';
import type { IngestOutcome, IngestService, OtlpSignal } from './ingest-service.js';
import { encodeExportResponse } from './otlp/protobuf.js';
import { otlpStatusBody } from './otlp/http-status-body.js';

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
      let err = fromFastifyError(rawErr, request);
      if (rawErr.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        err = new AppError(
          'unsupported_media_type',
          `${err.message} (OTLP/HTTP accepts application/json or application/x-protobuf)`,
        );
      }
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
        handle(request, reply, signal, ingest),
      );
    }
  });
}

async function handle(
  request: FastifyRequest,
  reply: FastifyReply,
  signal: OtlpSignal,
  ingest: IngestService,
): Promise<FastifyReply> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const isProtobuf = contentType === PROTOBUF;
  const raw = request.body;
  if (!Buffer.isBuffer(raw)) throw new AppError('bad_request', 'empty request body');
  const outcome = await ingest.ingestBody(signal, raw, {
    protobuf: isProtobuf,
    gzip: isGzip(request.headers['content-encoding']),
  });
  return isProtobuf ? sendProtobuf(reply, signal, outcome) : sendJson(reply, signal, outcome);
}

/** gzip or none (OTLP/HTTP "Compression"); anything else is refused with 415 naming the encoding. */
function isGzip(header: string | string[] | undefined): boolean {
  const encoding = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return false;
  if (encoding === 'gzip') return true;
  throw new AppError('unsupported_media_type', `Content-Encoding "${encoding}" is not supported (use gzip or none)`);
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
