import http from 'node:http';
import https from 'node:https';
import { guardedLookup, hostProblem, RefusedDestinationError, type DestinationPolicy } from './outbound-url.js';

/**
 * POSTs for the HTTP sinks: node:http(s) with a keep-alive agent per sink (the gateway's choice too, ARCHITECTURE
 * "node:http, not the undici package"), plus what exports need: every connection's DNS answer goes through the
 * destination guard (outbound-url.ts), literal addresses are checked before connecting, redirects are never
 * followed (a 3xx is a failed delivery: following one would let a receiver point Steward anywhere), one deadline
 * covers connect, send and the whole response, and at most 64 KB of the response body is kept.
 */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

export class HttpPoster {
  private readonly agent: http.Agent;
  private readonly lookup;

  constructor(
    private readonly policy: DestinationPolicy,
    private readonly timeoutMs: number,
    secure: boolean,
  ) {
    this.lookup = guardedLookup(policy);
    const options = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 4 };
    this.agent = secure ? new https.Agent(options) : new http.Agent(options);
  }

  post(url: URL, body: string | Buffer, headers: http.OutgoingHttpHeaders, signal?: AbortSignal): Promise<HttpAnswer> {
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const problem = hostProblem(hostname, this.policy);
    if (problem) return Promise.reject(new RefusedDestinationError(`refused destination ${hostname}: ${problem}`));
    const transport = url.protocol === 'https:' ? https : http;
    const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = transport.request({
        protocol: url.protocol,
        hostname,
        port: url.port || undefined,
        method: 'POST',
        path: url.pathname + url.search,
        headers: { 'content-length': payload.length, 'user-agent': 'steward-export', ...headers },
        agent: this.agent,
        lookup: this.lookup,
        servername: hostname,
        ...(signal ? { signal } : {}),
      });
      const deadline = setTimeout(
        () => req.destroy(new Error(`no answer from ${url.host} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      req.once('error', (err) => {
        clearTimeout(deadline);
        reject(err);
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
          size += chunk.length;
        });
        res.once('error', (err) => {
          clearTimeout(deadline);
          reject(err);
        });
        res.once('end', () => {
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * How an HTTP status reads for delivery: 2xx delivered; 408, 429, 5xx and the rest of 4xx (auth, not found — the
 * configuration may be fixed) are retried with backoff; 400, 413 and 422 say the record itself is unacceptable.
 */
export function statusVerdict(status: number): 'delivered' | 'retry' | 'rejected' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 400 || status === 413 || status === 422) return 'rejected';
  return 'retry';
}

export function describeAnswer(a: HttpAnswer): string {
  const text = a.body.replace(/\s+/g, ' ').trim().slice(0, 300);
  const location = a.status >= 300 && a.status < 400 && a.headers.location ? ` (redirect not followed)` : '';
  return `HTTP ${a.status}${location}${text ? `: ${text}` : ''}`;
}
