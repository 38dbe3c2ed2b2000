import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from '../support/gateway/gateway-steward.js';

/**
 * The gateway's own HTTP/1.1 loop (src/enforce/gateway/wire) and node:http share Steward's port. The loop serves
 * plain `POST /gateway/anthropic/v1/messages` requests and hands a connection to node:http at the first request it
 * does not serve, with the bytes already read; everything node:http served before still works on the same socket,
 * pipelined requests are answered in order, unusual framing goes to node:http, and shutdown is not held up by the
 * loop's idle connections.
 */
let h: GatewayHarness;
let key: string;
let url: URL;

beforeAll(async () => {
  h = await startGatewayHarness({ config: { gateway: { maxBodyBytes: 100_000 } } });
  key = await h.key('person', 'wire@example.com');
  url = new URL(h.t.url);
});

afterAll(async () => {
  await h?.stop();
});

const BODY = JSON.stringify({
  model: 'claude-sonnet-5',
  max_tokens: 64,
  stream: false,
  messages: [{ role: 'user', content: 'hello over the wire' }],
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  socket: net.Socket;
}

function send(agent: Agent, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
      const parts: Buffer[] = [];
      const socket = res.socket;
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString(), socket }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const messages = (agent: Agent, extra: Record<string, string> = {}) =>
  send(
    agent,
    'POST',
    '/gateway/anthropic/v1/messages?beta=true',
    { 'content-type': 'application/json', 'x-api-key': key, ...extra },
    BODY,
  );

/** Writes raw bytes on a new connection and collects what comes back until the server closes or `until` holds. */
function raw(bytes: Buffer | string, until: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let text = '';
    const done = (): void => {
      socket.destroy();
      resolve(text);
    };
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (until(text)) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
    socket.setTimeout(10_000, () => reject(new Error(`no complete answer; got ${JSON.stringify(text)}`)));
    socket.write(bytes);
  });
}

const count = (text: string, what: string): number => text.split(what).length - 1;

describe('the gateway loop and node:http on one port', () => {
  it('serves a Messages request, then hands the same connection to node:http for another route, and keeps serving', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await messages(agent);
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body)).toMatchObject({ type: 'message' });
      const ready = await send(agent, 'GET', '/readyz', {});
      expect(ready.status).toBe(200);
      expect(ready.socket).toBe(first.socket);
      const models = await send(agent, 'GET', '/gateway/anthropic/v1/models', { 'x-api-key': key });
      expect(models.status).toBe(200);
      const again = await messages(agent);
      expect(again.status).toBe(200);
      expect(again.socket).toBe(first.socket);
      expect(h.upstream.requests.at(-1)?.body.toString()).toBe(BODY);
    } finally {
      agent.destroy();
    }
  });

  it('serves Messages requests on a connection node:http took first', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ready = await send(agent, 'GET', '/readyz', {});
      expect(ready.status).toBe(200);
      const answer = await messages(agent);
      expect(answer.status).toBe(200);
      expect(answer.socket).toBe(ready.socket);
    } finally {
      agent.destroy();
    }
  });

  it('keeps one connection for many Messages requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets = new Set<net.Socket>();
      for (let i = 0; i < 5; i++) {
        const answer = await messages(agent);
        expect(answer.status).toBe(200);
        expect(answer.headers.connection).toBeUndefined();
        sockets.add(answer.socket);
      }
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('answers pipelined requests in order, a Messages request and another route included (RFC 9112 §9.3.2)', async () => {
    const req = (body: string) =>
      `POST /gateway/anthropic/v1/messages HTTP/1.1\r\nHost: s\r\nx-api-key: ${key}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const before = h.upstream.requests.length;
    const text = await raw(
      req(BODY) + req(BODY) + 'GET /readyz HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n',
      (t) => count(t, 'HTTP/1.1 ') === 3 && t.endsWith('}'),
    );
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '200', '200']);
    expect(count(text, '"type":"message"')).toBe(2);
    expect(h.upstream.requests.length).toBe(before + 2);
  });

  it('passes a chunked request body and Expect: 100-continue to node:http, which serves them through the gateway', async () => {
    const before = h.upstream.requests.length;
    const half = Math.floor(BODY.length / 2);
    const chunked =
      `POST /gateway/anthropic/v1/messages HTTP/1.1\r\nHost: s\r\nx-api-key: ${key}\r\n` +
      'content-type: application/json\r\ntransfer-encoding: chunked\r\nConnection: close\r\n\r\n' +
      `${half.toString(16)}\r\n${BODY.slice(0, half)}\r\n${(BODY.length - half).toString(16)}\r\n${BODY.slice(half)}\r\n0\r\n\r\n`;
    const text = await raw(chunked, () => false);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(h.upstream.requests.at(-1)?.body.toString()).toBe(BODY);

    const agent = new Agent({ keepAlive: false });
    const answer = await messages(agent, { expect: '100-continue' });
    expect(answer.status).toBe(200);
    expect(h.upstream.requests.length).toBe(before + 2);
  });

  it('leaves malformed and oversized requests to node:http: 400 and 413, nothing reaches the upstream', async () => {
    const before = h.upstream.requests.length;
    const smuggle =
      'POST /gateway/anthropic/v1/messages HTTP/1.1\r\nHost: s\r\ncontent-length: 5\r\n' +
      'transfer-encoding: chunked\r\n\r\n0\r\n\r\n';
    expect(await raw(smuggle, () => false)).toMatch(/^HTTP\/1\.1 400 /);
    const folded = `POST /gateway/anthropic/v1/messages HTTP/1.1\r\nHost: s\r\nx-api-key: ${key}\r\n continued\r\ncontent-length: 2\r\n\r\n{}`;
    expect(await raw(folded, () => false)).toMatch(/^HTTP\/1\.1 400 /);
    const big = await raw(
      `POST /gateway/anthropic/v1/messages HTTP/1.1\r\nHost: s\r\nx-api-key: ${key}\r\ncontent-length: 200000\r\nConnection: close\r\n\r\n`,
      (t) => t.includes('}'),
    );
    expect(big).toMatch(/^HTTP\/1\.1 413 /);
    expect(big).toContain('request_too_large');
    expect(h.upstream.requests.length).toBe(before);
  });

  it('answers a refusal on the loop in the Anthropic format and keeps the connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await messages(agent, { 'x-api-key': 'not-a-key' });
      expect(refused.status).toBe(401);
      expect(refused.headers['request-id']).toMatch(/^req_stw_/);
      expect(JSON.parse(refused.body)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
      const next = await messages(agent);
      expect(next.status).toBe(200);
      expect(next.socket).toBe(refused.socket);
    } finally {
      agent.destroy();
    }
  });

  it('closes the connection after answering a request that asked for it', async () => {
    const text = await raw(
      `POST /gateway/anthropic/v1/messages HTTP/1.1\r\nHost: s\r\nx-api-key: ${key}\r\nConnection: close\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`,
      () => false, // resolves on the server's close
    );
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.toLowerCase()).toContain('connection: close');
  });
});

describe('bad bytes', () => {
  it('survives mutated, truncated and random requests on fresh connections, and keeps serving', async () => {
    const valid = Buffer.from(
      `POST /gateway/anthropic/v1/messages?beta=true HTTP/1.1\r\nHost: s\r\nx-api-key: ${key}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`,
    );
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const cases: Buffer[] = [];
    for (let i = 0; i < 120; i++) {
      const b = Buffer.from(valid);
      const kind = i % 3;
      if (kind === 0)
        for (let k = 0; k < 1 + rand(4); k++)
          b[rand(b.length)] = [0x0d, 0x0a, 0x20, 0x00, 0x3a, rand(256)][rand(6)] as number;
      if (kind === 1) cases.push(b.subarray(0, rand(b.length)));
      else if (kind === 2) cases.push(Buffer.from(Array.from({ length: 1 + rand(2000) }, () => rand(256))));
      else cases.push(b);
    }
    await Promise.all(
      cases.map(
        (bytes) =>
          new Promise<void>((resolve) => {
            const socket = net.connect(Number(url.port), url.hostname);
            const done = (): void => {
              socket.destroy();
              resolve();
            };
            socket.on('error', done);
            socket.on('close', done);
            socket.setTimeout(300, done);
            socket.end(bytes);
          }),
      ),
    );
    const agent = new Agent({ keepAlive: false });
    const answer = await messages(agent);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'message' });
  });
});

describe('backpressure', () => {
  it('streams a long answer intact to a client that reads slowly', async () => {
    const words = 40_000;
    h.upstream.next.push({ kind: 'text', text: Array.from({ length: words }, (_, i) => `w${i}`).join(' ') });
    const body = JSON.stringify({
      model: 'claude-sonnet-5',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'long' }],
    });
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/gateway/anthropic/v1/messages',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          agent: false,
        },
        (res) => {
          const parts: Buffer[] = [];
          let received = 0;
          res.on('data', (c: Buffer) => {
            parts.push(c);
            received += c.length;
            // A client slower than the upstream: every 256 KB it stops reading for a moment.
            if (received > 256 * 1024) {
              received = 0;
              res.pause();
              setTimeout(() => res.resume(), 20);
            }
          });
          res.on('end', () => resolve(Buffer.concat(parts).toString()));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(text.length).toBeGreaterThan(2_000_000);
    expect(count(text, 'event: content_block_delta')).toBe(words);
    expect(text).toContain(`"text":"w${words - 1} "`);
    expect(text.trimEnd().endsWith('"type":"message_stop"}')).toBe(true);
  });
});

describe('shutdown', () => {
  it('closes the loop’s idle keep-alive connections instead of waiting for them', async () => {
    const own = await startGatewayHarness();
    const ownKey = await own.key('person', 'close@example.com');
    const target = new URL(own.t.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const answer = await new Promise<net.Socket>((resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/gateway/anthropic/v1/messages',
          headers: { 'content-type': 'application/json', 'x-api-key': ownKey },
          agent,
        },
        (res) => {
          const socket = res.socket;
          res.resume();
          res.on('end', () => resolve(socket));
        },
      );
      req.on('error', reject);
      req.end(BODY);
    });
    const closed = new Promise<void>((resolve) => answer.once('close', () => resolve()));
    const started = Date.now();
    await own.stop();
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
    agent.destroy();
  });
});
