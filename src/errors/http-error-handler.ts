import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from './app-error.js';

/**
 * The single error → HTTP response mapping. Body shape: `{ error: { code, message, details? } }`.
 * Unexpected errors are logged with their stack and answered with a bare `internal` — never the stack.
 */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function toErrorBody(err: AppError): ErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}

export function fromFastifyError(err: FastifyError, request?: FastifyRequest): AppError {
  if (isAppError(err)) return err;
  const status = err.statusCode ?? 500;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('payload_too_large', err.message);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    const type = request?.headers['content-type'];
    return new AppError(
      'unsupported_media_type',
      type ? `Content-Type "${type}" is not supported by this endpoint` : 'a Content-Type header is required',
    );
  }
  if (err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return new AppError('bad_request', err.message);
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new AppError('invalid_json', err.message);
  if (err.validation) return new AppError('bad_request', err.message);
  if (status === 404) return new AppError('not_found', err.message);
  if (status === 413) return new AppError('payload_too_large', err.message);
  if (status === 400 && err instanceof SyntaxError) return new AppError('invalid_json', `invalid JSON: ${err.message}`);
  if (status >= 400 && status < 500) return new AppError('bad_request', err.message);
  return new AppError('internal', 'internal error', undefined, { cause: err });
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((rawErr: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const err = fromFastifyError(rawErr, request);
    if (err.code === 'internal') request.log.error({ err: rawErr }, 'unhandled error');
    sendError(reply, err);
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(reply, new AppError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });
}

export function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
  return reply.status(err.status).send(toErrorBody(err));
}
