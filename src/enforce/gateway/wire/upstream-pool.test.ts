import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResponseHead } from './http1-head.js';
import { UpstreamPool, type UpstreamFailure, type UpstreamPoolSettings } from './upstream-pool.js';

/**
 * The gateway's upstream client against real servers on port 0: node:http and node:https (the default upstream is
 * https://api.anthropic.com), and raw sockets for the framings node:http does not produce on request.
 */
interface Result {
  head: ResponseHead | null;
  framed: Buffer;
  content: Buffer;
  failure: UpstreamFailure | null;
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function exchange(pool: UpstreamPool, body = '{}'): Promise<Result> {
  return new Promise((resolve) => {
    const framed: Buffer[] = [];
    const content: Buffer[] = [];
    let head: ResponseHead | null = null;
    const done = (failure: UpstreamFailure | null) =>
      resolve({ head, framed: Buffer.concat(framed), content: Buffer.concat(content), failure });
    const request = `${pool.requestStart('POST', '/v1/messages')}content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    pool.send('POST', Buffer.from(request), Buffer.from(body), {
      onHead: (h) => (head = h),
      onBody: (b) => framed.push(Buffer.from(b)),
      onContent: (c) => content.push(Buffer.from(c)),
      onEnd: () => done(null),
      onError: (f) => done(f),
    });
  });
}

function poolFor(upstream: string, extra: Partial<UpstreamPoolSettings> = {}): UpstreamPool {
  const pool = new UpstreamPool({ upstream, connectTimeoutMs: 2_000, idleTimeoutMs: 2_000, ...extra });
  closers.push(() => void pool.close());
  return pool;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

/** A raw server answering every request on a connection with `answer` (the request is read up to its body). */
async function rawServer(
  answer: string | ((socket: net.Socket) => void),
): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.on('error', () => undefined);
    socket.on('data', () => (typeof answer === 'string' ? socket.write(answer) : answer(socket)));
  });
  closers.push(() => server.close());
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, connections: () => connections };
}

describe('UpstreamPool', () => {
  it('speaks TLS to an https upstream and keeps the connection for the next requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-tls-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' }); // prettier-ignore
    const cert = readFileSync(join(dir, 'cert.pem'));
    let handshakes = 0;
    const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_tls' });
        res.write('event: ping\ndata: {}\n\n');
        res.end('event: message_stop\ndata: {}\n\n');
      });
    });
    server.on('secureConnection', () => handshakes++);
    const port = await listen(server);
    const pool = poolFor(`https://localhost:${port}`, { tls: { ca: cert } });
    for (let i = 0; i < 3; i++) {
      const r = await exchange(pool);
      expect(r.failure).toBeNull();
      expect(r.head?.status).toBe(200);
      expect(r.head?.framing).toBe('chunked');
      expect(r.content.toString()).toBe('event: ping\ndata: {}\n\nevent: message_stop\ndata: {}\n\n');
      expect(r.framed.toString()).toMatch(/^[0-9a-f]+\r\nevent: ping/);
      expect(r.framed.toString()).toMatch(/\r\n0\r\n\r\n$/);
    }
    expect(handshakes).toBe(1);
  });

  it('refuses an https upstream whose certificate it cannot verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-tls-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' }); // prettier-ignore
    let served = 0;
    const server = https.createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => {
        served++;
        res.end('{}');
      },
    );
    const port = await listen(server);
    const r = await exchange(poolFor(`https://localhost:${port}`));
    expect(r.failure).toBe('unreachable');
    expect(served).toBe(0);
  });

  it('opens a new connection after an upstream that answered Connection: close', async () => {
    let connections = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
        res.end('{"ok":true}');
      });
    });
    server.on('connection', () => connections++);
    const pool = poolFor(`http://127.0.0.1:${await listen(server)}`);
    for (let i = 0; i < 2; i++) {
      const r = await exchange(pool);
      expect(r.head?.close).toBe(true);
      expect(r.content.toString()).toBe('{"ok":true}');
    }
    expect(connections).toBe(2);
  });

  it('reads a body delimited by the upstream’s close (RFC 9112 §6.3 rule 8)', async () => {
    const up = await rawServer((socket) => {
      socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"until":"close"}');
    });
    const r = await exchange(poolFor(up.url));
    expect(r.failure).toBeNull();
    expect(r.head?.framing).toBe('close');
    expect(r.framed.toString()).toBe('{"until":"close"}');
    expect(r.content.toString()).toBe('{"until":"close"}');
  });

  it('skips interim 1xx responses and reads the final one', async () => {
    const up = await rawServer(
      'HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
    );
    const r = await exchange(poolFor(up.url));
    expect(r.head?.status).toBe(200);
    expect(r.content.toString()).toBe('ok');
  });

  it('fails an exchange whose response breaks HTTP/1.1, and does not reuse the socket', async () => {
    const up = await rawServer('HTTP/1.1 2xx Nope\r\n\r\n');
    const pool = poolFor(up.url);
    expect((await exchange(pool)).failure).toBe('unreachable');
    const broken = await rawServer('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n');
    const r = await exchange(poolFor(broken.url));
    expect(r.head?.status).toBe(200);
    expect(r.failure).toBe('disconnected');
  });

  it('gives up on a silent upstream after the idle timeout', async () => {
    const up = await rawServer(() => undefined);
    const r = await exchange(poolFor(up.url, { idleTimeoutMs: 200 }));
    expect(r.failure).toBe('idle_timeout');
  });

  it('closes the upstream socket when the exchange is aborted', async () => {
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    const up = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
      socket.on('close', () => closed());
    });
    const pool = poolFor(up.url);
    const head = await new Promise<ResponseHead>((resolve) => {
      const x = pool.send(
        'POST',
        Buffer.from(`${pool.requestStart('POST', '/')}content-length: 2\r\n\r\n`),
        Buffer.from('{}'),
        {
          onHead: (h) => resolve(h),
          onBody: () => x.abort(),
          onContent: () => undefined,
          onEnd: () => undefined,
          onError: () => undefined,
        },
      );
    });
    expect(head.status).toBe(200);
    await gone;
    expect(up.connections()).toBe(1);
  });
});
