import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY } from '../../identity/roles.js';
import type { GatewayErrorReply } from './anthropic-error.js';
import type { AnthropicGateway, GatewayRequest, MessagesEndpoint } from './anthropic-gateway.js';
import { fieldLinesOf } from './forward-headers.js';
import { NodeReply } from './node-reply.js';

/**
 * `/gateway/anthropic` (DESIGN §5): `ANTHROPIC_BASE_URL=http://host:4318/gateway/anthropic`.
 *   POST /v1/messages                 streaming (SSE passed through as it arrives) and non-streaming
 *   POST /v1/messages/count_tokens    forwarded (policy applies; not metered, not budgeted: it is free)
 *   GET  /v1/models, /v1/models/:id   forwarded (CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY, claude-surfaces.md §6.1)
 *   HEAD /api/hello                   answered here: Claude Code's reachability probe (§6.2)
 * Bodies arrive as raw Buffers whatever their Content-Type (no JSON parse by Fastify: the bytes are forwarded as
 * sent), and answers are written to the raw response after `reply.hijack()`, so Fastify adds no serialisation or
 * hooks on the way out. Every error this prefix produces, Fastify's included, is in the Anthropic format. On a
 * listening server `POST /v1/messages` (and count_tokens) is answered before node:http by the gateway's own loop
 * (wire/wire-gateway.ts); these routes serve what the loop hands over (other routes, unusual framing such as a
 * chunked request body or `Expect: 100-continue`, malformed heads, which node:http refuses) and `inject()`.
 */
export const GATEWAY_PREFIX = '/gateway/anthropic';

/** The answer to an unexpected failure after the reply was taken over (the store down while a key is checked). */
export const UNAVAILABLE: GatewayErrorReply = {
  status: 503,
  type: 'api_error',
  message: 'Steward gateway is temporarily unable to serve this request; try again shortly.',
  headers: { 'retry-after': '5' },
};

export const bodyTooLarge = (maxBodyBytes: number): GatewayErrorReply => ({
  status: 413,
  type: 'request_too_large',
  message: `Request exceeds the gateway's maximum size (${maxBodyBytes} bytes).`,
});

export function registerGatewayRoutes(app: FastifyInstance, gateway: AnthropicGateway, maxBodyBytes: number): void {
  void app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) =>
        done(null, body),
      );

      scope.setErrorHandler(async (err: FastifyError, request, reply) => {
        const status = err.statusCode ?? 500;
        const reject = (r: GatewayErrorReply): void => {
          reply.hijack();
          gateway.refuse(new NodeReply(reply.raw), r);
        };
        if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
          return reject(bodyTooLarge(maxBodyBytes));
        }
        if (status >= 400 && status < 500) {
          return reject({ status, type: 'invalid_request_error', message: err.message });
        }
        request.log.error({ err }, 'gateway: unhandled error');
        return reject({ status: 500, type: 'api_error', message: 'Steward gateway internal error.' });
      });

      scope.setNotFoundHandler((request, reply) => {
        reply.hijack();
        gateway.refuse(new NodeReply(reply.raw), {
          status: 404,
          type: 'not_found_error',
          message: `The Steward gateway does not serve ${request.method} ${request.url.split('?')[0]}.`,
        });
      });

      // After hijack() Fastify no longer answers errors: an unexpected failure (the store down while a key is
      // checked) is answered here, still in the Anthropic format.
      const hijacked =
        (handle: (request: FastifyRequest, reply: FastifyReply) => Promise<void>) =>
        async (request: FastifyRequest, reply: FastifyReply) => {
          reply.hijack();
          try {
            await handle(request, reply);
          } catch (err) {
            request.log.error({ err }, 'gateway: request failed');
            gateway.refuse(new NodeReply(reply.raw), UNAVAILABLE);
          }
        };
      const messages = (endpoint: MessagesEndpoint) =>
        hijacked((request, reply) =>
          gateway.messages(
            requestOf(request),
            new NodeReply(reply.raw),
            request.body as Buffer | undefined,
            pathOf(request),
            endpoint,
          ),
        );
      const passThrough = hijacked((request, reply) =>
        gateway.passThrough(requestOf(request), new NodeReply(reply.raw), pathOf(request)),
      );

      scope.post('/v1/messages', { config: { access: GATEWAY } }, messages('messages'));
      scope.post('/v1/messages/count_tokens', { config: { access: GATEWAY } }, messages('count_tokens'));
      scope.get('/v1/models', { config: { access: GATEWAY } }, passThrough);
      scope.get('/v1/models/:id', { config: { access: GATEWAY } }, passThrough);
      scope.route({
        method: 'HEAD',
        url: '/api/hello',
        config: { access: GATEWAY },
        handler: async (_request, reply) => reply.status(200).send(),
      });
    },
    { prefix: GATEWAY_PREFIX },
  );
}

function requestOf(request: FastifyRequest): GatewayRequest {
  const raw = request.raw;
  return { method: raw.method ?? 'GET', headers: raw.headers, fields: fieldLinesOf(raw.rawHeaders) };
}

/** The path and query after the prefix, exactly as the client sent them (`/v1/messages?beta=true`). */
function pathOf(request: FastifyRequest): string {
  return request.raw.url?.slice(GATEWAY_PREFIX.length) ?? '/';
}
