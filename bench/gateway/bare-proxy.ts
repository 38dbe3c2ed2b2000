/**
 * The floor for any Node hop: a bare pass-through proxy (node:http server + http.request on a keep-alive agent,
 * request and response piped, headers copied, nothing parsed), run as its own process like a gateway would be:
 * `node --import tsx bench/gateway/bare-proxy.ts <upstream base URL>`. Prints `{"port":N}` on stdout once listening.
 * Whatever a gateway adds on top of this — auth, policy, DLP, budgets, metering — is its own cost.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:1');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 30_000 });
/** Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function forwarded(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP.has(k) && v !== undefined) out[k] = v;
  return out;
}

const server = createServer((req, res) => {
  const headers = forwarded(req.headers);
  headers.host = upstream.host;
  const up = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: upstream.pathname.replace(/\/$/, '') + (req.url ?? '/'),
      headers,
      agent,
    },
    (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, forwarded(upRes.headers));
      upRes.pipe(res);
    },
  );
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end('{"type":"error","error":{"type":"api_error","message":"upstream unreachable"}}');
  });
  req.pipe(up);
  // A client that goes away stops the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
