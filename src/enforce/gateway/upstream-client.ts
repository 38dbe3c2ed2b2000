import http, { type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Config } from '../../config/schema.js';

/**
 * The upstream connection pool: node:http(s) with keep-alive agents — the same machinery a bare Node pass-through
 * proxy uses, so the gateway's added latency is its own work and not a heavier client's (DESIGN §9). Connect and
 * idle timeouts are configuration (`gateway.connectTimeoutMs`, `gateway.idleTimeoutMs`).
 */
export class UpstreamTimeout extends Error {
  constructor(readonly phase: 'connect' | 'idle') {
    super(phase === 'connect' ? 'timed out connecting to the upstream' : 'the upstream went silent');
  }
}

export class UpstreamClient {
  private readonly base: URL;
  private readonly basePath: string;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(private readonly settings: Config['gateway']) {
    this.base = new URL(settings.upstream);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    const secure = this.base.protocol === 'https:';
    this.transport = secure ? https : http;
    // The idle timeout is set once per socket by the agent (re-arming a socket timer per request was measurable).
    const options = {
      keepAlive: true,
      keepAliveMsecs: 10_000,
      scheduling: 'lifo' as const,
      timeout: settings.idleTimeoutMs,
    };
    this.agent = secure ? new https.Agent(options) : new http.Agent(options);
  }

  /** `path` is what followed `/gateway/anthropic`, query string included (`/v1/messages?beta=true`). */
  request(method: string, path: string, headers: OutgoingHttpHeaders): ClientRequest {
    const req = this.transport.request({
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      port: this.base.port || undefined,
      method,
      path: this.basePath + path,
      headers: { ...headers, host: this.base.host },
      agent: this.agent,
    });
    const connectMs = this.settings.connectTimeoutMs;
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => req.destroy(new UpstreamTimeout('connect')), connectMs);
      socket.once('connect', () => clearTimeout(timer));
      req.once('close', () => clearTimeout(timer));
    });
    req.on('timeout', () => req.destroy(new UpstreamTimeout('idle')));
    return req;
  }

  close(): void {
    this.agent.destroy();
  }
}

export function isEventStream(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && type.startsWith('text/event-stream');
}

export function isJson(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && type.includes('json');
}
