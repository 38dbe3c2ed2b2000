import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { ErrorCode } from '../errors/catalog.js';
import { fromFastifyError, sendError } from '../errors/http-error-handler.js';
import type { ClaudeCodeHooks, HookReply } from '../enforce/hooks/claude-code-hooks.js';
import { MAX_SPOOL_BYTES } from '../enforce/hooks/offline-decisions.js';
import type { InferenceHooks } from '../enforce/inference/inference-hooks.js';
import { INGEST, PUBLIC } from '../identity/roles.js';

/**
 * Enforcement surfaces (DESIGN §5):
 *   POST /hooks/claude-code         Claude Code `http` hooks and `steward hook` (ingest or admin token)
 *   GET  /hooks/claude-code/policy  the active policy for `steward hook`'s local copy (ingest or admin token)
 *   POST /hooks/claude-code/decisions  decisions `steward hook` took offline, recorded late (ingest or admin token)
 *   POST /hooks/inference           Claude Enterprise inference hooks (Standard Webhooks signature, no bearer token:
 *                                   Anthropic signs, it does not send Steward's tokens)
 * Bodies are read raw whatever their Content-Type: the inference signature covers the exact bytes, and a hook body
 * Steward cannot read must still get the policy's fail-closed answer rather than Fastify's generic 4xx.
 */
export function registerHookRoutes(
  app: FastifyInstance,
  hooks: { claudeCode: ClaudeCodeHooks; inference: InferenceHooks },
  limits: { hookBodyBytes: number; inferenceBodyBytes: number },
): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    // Refusals before the handler (too large, no parser): through the hook's failure stance, never a silent allow.
    scope.setErrorHandler(async (rawErr: FastifyError, request, reply) => {
      const err = fromFastifyError(rawErr, request);
      if (request.routeOptions.url === '/hooks/claude-code' && isInputError(err.code)) {
        return send(reply, await hooks.claudeCode.refuse(err.code, err.message, null));
      }
      if (err.code === 'internal') request.log.error({ err: rawErr }, 'unhandled error');
      return sendError(reply, err);
    });

    scope.post(
      '/hooks/claude-code',
      { config: { access: INGEST }, bodyLimit: limits.hookBodyBytes },
      async (request, reply) => {
        const device = request.headers['x-steward-device-id'];
        const body = request.body as Buffer | undefined;
        return send(reply, await hooks.claudeCode.answer(body, typeof device === 'string' ? device : null));
      },
    );

    scope.post(
      '/hooks/claude-code/decisions',
      { config: { access: INGEST }, bodyLimit: 2 * MAX_SPOOL_BYTES },
      async (request, reply) => {
        const device = request.headers['x-steward-device-id'];
        const body = request.body as Buffer | undefined;
        return send(reply, await hooks.claudeCode.recordOffline(body, typeof device === 'string' ? device : null));
      },
    );

    scope.get('/hooks/claude-code/policy', { config: { access: INGEST } }, async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return hooks.claudeCode.snapshot();
    });

    scope.post(
      '/hooks/inference',
      { config: { access: PUBLIC }, bodyLimit: limits.inferenceBodyBytes },
      async (request, reply) => {
        const result = await hooks.inference.answer(request.headers, request.body as Buffer | undefined);
        if (!result.ok) return sendError(reply, new AppError(result.code, result.message));
        return reply.status(200).send(result.answer);
      },
    );
  });
}

function isInputError(code: ErrorCode): boolean {
  return (
    code === 'payload_too_large' ||
    code === 'invalid_json' ||
    code === 'bad_request' ||
    code === 'unsupported_media_type'
  );
}

function send(reply: FastifyReply, r: HookReply): FastifyReply {
  for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
  if (r.error) return sendError(reply, new AppError(r.error.code, r.error.message));
  if (r.body === null) return reply.status(r.status).send('');
  return reply.status(r.status).send(r.body);
}
