import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AnthropicGateway, MessagesEndpoint } from './anthropic-gateway.js';
import { bodyTooLarge, GATEWAY_PREFIX, UNAVAILABLE } from './gateway.routes.js';

/**
 * `POST /gateway/anthropic/v1/messages` (and `count_tokens`) answered straight from the node:http server, before
 * Fastify sees the request. Profiled under bench:gateway, Fastify's routing, hooks, request/reply objects and its
 * content-type parser (which concatenates the body into a copy) were ~8% of the gateway's CPU per request, spent on
 * a route that hijacks the reply and takes the raw body anyway. Everything this path does not handle — other
 * methods and paths, `/v1/models`, `/api/hello`, 404s — still goes through the Fastify routes in gateway.routes.ts,
 * and the answers here are those routes' answers: the same body limit (413), length check (400) and unexpected
 * failure (503), all in the Anthropic format. The gateway has no Fastify hooks of its own (the auth hook lets
 * `access: 'gateway'` routes through; the gateway key is checked by AnthropicGateway).
 */
type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;

const MESSAGES = GATEWAY_PREFIX + '/v1/messages';
const COUNT_TOKENS = MESSAGES + '/count_tokens';

/** Puts the fast path in front of Fastify's request listener; leaves the server alone if that is not one listener. */
export function installGatewayFastPath(
  server: Server,
  gateway: AnthropicGateway,
  maxBodyBytes: number,
  onError: (err: unknown) => void,
): boolean {
  const listeners = server.listeners('request') as RawHandler[];
  const fastify = listeners[0];
  if (listeners.length !== 1 || fastify === undefined) return false;
  server.removeListener('request', fastify);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const endpoint = req.method === 'POST' ? endpointOf(req.url) : null;
    if (endpoint === null) fastify(req, res);
    else readBody(req, res, gateway, maxBodyBytes, endpoint, onError);
  });
  return true;
}

function endpointOf(url: string | undefined): MessagesEndpoint | null {
  if (url === undefined || !url.startsWith(MESSAGES)) return null;
  const q = url.indexOf('?');
  const route = q < 0 ? url : url.slice(0, q);
  if (route === MESSAGES) return 'messages';
  if (route === COUNT_TOKENS) return 'count_tokens';
  return null;
}

function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  gateway: AnthropicGateway,
  limit: number,
  endpoint: MessagesEndpoint,
  onError: (err: unknown) => void,
): void {
  const path = (req.url as string).slice(GATEWAY_PREFIX.length);
  const run = (raw: Buffer | undefined): void => {
    gateway.messages(req, res, raw, path, endpoint).catch((err: unknown) => {
      onError(err);
      gateway.refuse(res, UNAVAILABLE);
    });
  };
  const declared = req.headers['content-length'];
  // As Fastify: no body without a length or a transfer encoding, or with a zero length.
  if (req.headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0'))
    return run(undefined);
  const tooLarge = (): void => gateway.refuse(res, bodyTooLarge(limit));
  if (Number(declared) > limit) return tooLarge();

  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > limit) {
      stop();
      tooLarge();
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (err?: Error): void => {
    stop();
    if (err) return gateway.refuse(res, { status: 400, type: 'invalid_request_error', message: err.message });
    if (declared !== undefined && received !== Number(declared)) {
      const message = 'Request body size did not match Content-Length';
      return gateway.refuse(res, { status: 400, type: 'invalid_request_error', message });
    }
    // One chunk (the common case for a ~20 KB body) is the body itself: no copy.
    run(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
  };
  const stop = (): void => {
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onEnd);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onEnd);
}
