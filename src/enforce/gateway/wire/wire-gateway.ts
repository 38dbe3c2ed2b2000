import http from 'node:http';
import type net from 'node:net';
import type { AnthropicGateway } from '../anthropic-gateway.js';
import { WireConnection, type WireContext } from './wire-connection.js';

/**
 * Puts the gateway's own HTTP/1.1 loop in front of node:http on Steward's listening server. Every new connection
 * is read by a WireConnection first: while its requests are `POST /gateway/anthropic/v1/messages` (or
 * `count_tokens`) in the plain shape Claude Code and the SDKs send, the loop serves them; the first request it does
 * not serve hands the connection, with the bytes already read, to node:http's own connection listener — the console,
 * the REST API, OTLP, hooks and every unusual gateway request are served by node:http and Fastify as before.
 *
 * Why (docs/gateway-benchmark.md, "Where Steward's CPU goes"): two thirds of a node:http pass-through proxy's CPU
 * per request is Node's two HTTP stacks, not forwarding; the latency budget (p99 within 1.5× of that proxy's) needs
 * Steward's whole request — checks, metering and budgets included — to cost about what the bare proxy costs.
 *
 * node:http documents emitting 'connection' to inject a socket; the loop calls the listener node:http registered
 * instead of emitting, so the socket is not read twice. Shutdown: `server.close()` closes node:http's idle
 * connections through `closeIdleConnections` (and Fastify's forced close through `closeAllConnections`); both are
 * extended to the loop's connections, which otherwise end after their exchange in flight.
 */
export function installWireGateway(
  server: http.Server,
  gateway: AnthropicGateway,
  maxBodyBytes: number,
  onError: (err: unknown) => void,
): boolean {
  const listeners = server.listeners('connection') as ((socket: net.Socket) => void)[];
  const nodeHttp = listeners[0];
  if (listeners.length !== 1 || nodeHttp === undefined) return false;
  server.removeListener('connection', nodeHttp);

  const live = new Set<WireConnection>();
  let closing = false;
  const context: WireContext = {
    gateway,
    maxBodyBytes,
    // The server's `maxHeaderSize` option (node:http keeps it on the server; @types/node does not declare it).
    maxHeadBytes: () => (server as { maxHeaderSize?: number }).maxHeaderSize ?? http.maxHeaderSize,
    keepAliveTimeoutMs: () => server.keepAliveTimeout,
    requestTimeoutMs: () => server.headersTimeout,
    closing: () => closing,
    handOver: (socket, pending) => {
      nodeHttp.call(server, socket);
      // node:http now reads the socket; what the loop had already read goes to its parser first.
      if (pending !== null && pending.length > 0) socket.emit('data', pending);
    },
    forget: (c) => live.delete(c),
    onError,
  };
  server.on('connection', (socket: net.Socket) => {
    live.add(new WireConnection(socket, context));
  });

  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    closing = true;
    closeIdle();
    for (const c of live) c.closeIfIdle();
  };
  const closeAll = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closing = true;
    closeAll();
    for (const c of live) c.socket.destroy();
  };
  return true;
}
