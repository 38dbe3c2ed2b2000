import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOREIGN, INCOMPLETE, readRequestHead, readResponseHead, type RequestHead } from './http1-head.js';
import { MAX_HEAD, prng, CLAUDE_LINES, BODY, head, minimal, accepted, rawNames } from './http1-head.test-heads.js';

/**
 * The wire loop's strict head reader. What it accepts it serves itself, so it must read exactly what node:http's
 * llhttp reads (RFC 9112 §6.3, §11.2: no request-smuggling gap); what it does not accept goes to node:http whole.
 */

interface NodeView {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  rawHeaders: string[];
  bodyLength: number;
  keepAlive: boolean;
}

interface Exchange {
  /** The responses node:http wrote, in order. */
  responses: { status: number; body: string }[];
  /** Bytes after the last whole response (none expected). */
  rest: number;
  /** node:http did not close the connection after the responses expected. */
  leftOpen: boolean;
  timedOut: boolean;
}

/** Sent after a keep-alive request: node answers it only if the request before it ended where ours did. */
const SENTINEL = Buffer.from('GET /__sentinel HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n');

let server: http.Server;
let port = 0;

function parseResponses(raw: Buffer): { responses: Exchange['responses']; rest: number } {
  const responses: Exchange['responses'] = [];
  let p = 0;
  for (;;) {
    const end = raw.indexOf('\r\n\r\n', p);
    if (end < 0) break;
    const lines = raw.toString('latin1', p, end).split('\r\n');
    const status = Number((lines[0] ?? '').split(' ')[1]);
    const cl = lines.find((l) => /^content-length:/i.test(l));
    const length = cl === undefined ? raw.length - end - 4 : Number(cl.slice(cl.indexOf(':') + 1).trim());
    if (end + 4 + length > raw.length) break;
    responses.push({ status, body: raw.toString('utf8', end + 4, end + 4 + length) });
    p = end + 4 + length;
  }
  return { responses, rest: raw.length - p };
}

/**
 * Sends `bytes` on a fresh connection and collects what node:http answers until it closes — or, once `expected`
 * responses are in, until a short grace period shows it keeps the connection open.
 */
function exchange(bytes: Buffer, expected: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    let leftOpen = false;
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, 5_000);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (grace === undefined && parseResponses(Buffer.concat(chunks)).responses.length >= expected) {
        grace = setTimeout(() => {
          leftOpen = true;
          socket.destroy();
        }, 300);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(grace);
      resolve({ ...parseResponses(Buffer.concat(chunks)), leftOpen, timedOut });
    });
    socket.write(bytes);
  });
}

/** Sends an accepted head with its body (and the sentinel unless it asks to close) and compares the readings. */
async function compareWithNode(headBytes: Buffer, ours: RequestHead): Promise<NodeView> {
  const body = Buffer.alloc(ours.contentLength, 0x61);
  const input = Buffer.concat(ours.close ? [headBytes, body] : [headBytes, body, SENTINEL]);
  const ex = await exchange(input, ours.close ? 1 : 2);
  const label = JSON.stringify(headBytes.toString('latin1'));
  expect(ex.timedOut, label).toBe(false);
  expect(ex.rest, label).toBe(0);
  // One request — then the sentinel when the connection stays open: the framing stayed aligned.
  expect(
    ex.responses.map((r) => r.status),
    label,
  ).toEqual(ours.close ? [200] : [200, 200]);
  if (!ours.close) expect(ex.responses[1]?.body, label).toBe('sentinel');
  const node = JSON.parse(ex.responses[0]?.body ?? 'null') as NodeView;
  expect(node.method, label).toBe('POST');
  expect(node.url, label).toBe('/gateway/anthropic' + ours.path);
  expect(node.bodyLength, label).toBe(ours.contentLength);
  // Where node:http would close, the loop closes too; it may close where llhttp's Connection reading would not
  // (llhttp does not take `close<HTAB>` or `close<NBSP>` as the token), which costs a reconnect, never a request.
  if (!node.keepAlive) expect(ours.close, label).toBe(true);
  else if (ours.close) {
    const connection = headBytes
      .toString('latin1')
      .split('\r\n')
      .filter((l) => /^connection:/i.test(l));
    expect(
      connection.some((l) => /[\t\xa0]/.test(l)),
      label,
    ).toBe(true);
  }
  expect(ex.leftOpen, label).toBe(node.keepAlive && ours.close);
  // Field lines as sent: same names, same (trimmed) values, same order.
  const flat: string[] = [];
  const names = rawNames(ours.fields);
  for (let f = 0; f < names.length; f++) flat.push(names[f]!, ours.fields.values[f]!);
  expect(node.rawHeaders, label).toEqual(flat);
  // node's req.headers is an ordinary object: `__proto__` cannot be one of its own fields.
  const mine = Object.fromEntries(Object.entries(ours.headers).filter(([k]) => k !== '__proto__'));
  expect(node.headers, label).toEqual(mine);
  return node;
}

/** Field lines mutations add: framing, duplicates, odd values, and fields node:http treats specially. */
const EXTRA_LINES = [
  'Transfer-Encoding: chunked',
  'transfer-encoding: identity',
  'Content-Length: 0',
  'Content-Length: 5',
  'Content-Length:  007 ',
  'Content-Length:\t3\t',
  'Content-Length: +5',
  'Content-Length: 5, 5',
  'Content-Length: 0x5',
  'Host: other',
  'Host:',
  'Connection: close',
  'Connection: Keep-Alive, CLOSE',
  'Connection: close\xa0',
  'Connection: upgrade',
  'Connection: close x',
  'Connection: x close',
  'Connection: ,close,',
  'Connection: keep-alive\t,\tclose',
  'Connection: closed',
  'Proxy-Connection: close',
  'Keep-Alive: timeout=5',
  'X-Empty:',
  'X-Spaces:  \t ',
  '__proto__: polluted',
  'constructor: x',
  'toString: y',
  'Expect: 100-continue',
  'Upgrade: h2c',
  'Cookie: a=b',
  'Set-Cookie: a=b',
  'x-api-key: other',
  'Authorization: Bearer x',
  'Proxy-Authorization: Basic x',
  'anthropic-beta: extra',
  'X-Obs: caf\xe9\xa0\xff',
  'Accept: */*',
  'TE: trailers',
  'Trailer: x',
  'Content-Type: text/plain',
  'content-disposition: a',
  'X-Tab:\tv\tw\t',
  "X-Token-!#$%&'*+-.^_`|~: v",
  'X-Quote: "a, b"',
];
const BYTES = [0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x00, 0x7f, 0x80, 0xa0, 0xff, 0x2c, 0x3b, 0x22, 0x23, 0x3f, 0x30, 0x39];

function mutate(rand: () => number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const lines = [...CLAUDE_LINES];
  const field = () => 1 + Math.floor(rand() * (lines.length - 1));
  const ops = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < ops; k++) {
    const r = rand();
    if (r < 0.14) lines.splice(field(), 0, lines[field()] as string);
    else if (r < 0.22 && lines.length > 2) lines.splice(field(), 1);
    else if (r < 0.3) {
      const a = field();
      const b = field();
      [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
    } else if (r < 0.4) {
      const a = field();
      const line = lines[a] as string;
      const colon = line.indexOf(':');
      const name = [...line.slice(0, colon)].map((c) => (rand() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
      lines[a] = name + line.slice(colon);
    } else if (r < 0.62) lines.splice(field(), 0, pick(EXTRA_LINES));
    else if (r < 0.7) {
      const i = lines.findIndex((l) => /^content-length:/i.test(l));
      if (i > 0) lines[i] = `content-length: ${Math.floor(rand() * 400)}`;
    } else if (r < 0.74)
      lines[0] =
        pick(['/v1/messages/count_tokens', '/v1/messages', '/v1/messages?a=b&c=%20d']).replace(
          /^/,
          'POST /gateway/anthropic',
        ) + ' HTTP/1.1';
    else {
      // A byte-level edit somewhere in the head, the request line included.
      let bytes = Buffer.from(lines.join('\r\n'), 'latin1');
      const at = Math.floor(rand() * bytes.length);
      const s = rand();
      const insert =
        s < 0.15
          ? Buffer.from('\r\n ')
          : s < 0.2
            ? Buffer.from('\r\n')
            : s < 0.3
              ? Buffer.from([Math.floor(rand() * 256)])
              : Buffer.from([pick(BYTES)]);
      const mode = rand();
      if (mode < 0.5) bytes = Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]);
      else if (mode < 0.8) bytes = Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at + 1)]);
      else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
      lines.splice(0, lines.length, ...bytes.toString('latin1').split('\r\n'));
      if (lines.length < 2) lines.push('Host: gw');
    }
  }
  return head(lines);
}

/** Deterministic edge heads that random mutation reaches only rarely. */
function edgeCases(): Buffer[] {
  const out: Buffer[] = [];
  for (const line of EXTRA_LINES) {
    out.push(minimal([line]), minimal([line, line]), head([...CLAUDE_LINES.slice(0, -1), line, 'Content-Length: 2']));
  }
  for (const v of [
    ' close',
    'close ',
    'close,',
    ',close',
    'close , x',
    'CLOSE',
    'clos',
    'close;',
    'close\t',
    '\xa0close',
  ]) {
    out.push(minimal([`Connection: ${v}`]));
  }
  for (const t of ['?a"<>\\^`{|}~', '?%zz', '?/count_tokens', "?!$&'()*+,;=:@", '/count_tokens?']) {
    out.push(minimal([], '/gateway/anthropic/v1/messages' + t));
  }
  return out;
}

async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

describe('readRequestHead against node:http (llhttp)', () => {
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/__sentinel') {
        res.end('sentinel');
        return;
      }
      let bodyLength = 0;
      req.on('data', (d: Buffer) => (bodyLength += d.length));
      req.on('end', () => {
        const view: NodeView = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: { ...req.headers } as NodeView['headers'],
          rawHeaders: req.rawHeaders,
          bodyLength,
          keepAlive: res.shouldKeepAlive,
        };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(view));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('the sentinel exchange works as the differential expects', async () => {
    expect(BODY.length).toBe(23);
    const bytes = head(CLAUDE_LINES);
    const node = await compareWithNode(bytes, accepted(bytes));
    expect(node).toMatchObject({ url: '/gateway/anthropic/v1/messages?beta=true', bodyLength: 23, keepAlive: true });
    expect(node.headers['user-agent']).toBe('claude-cli/2.0.14 (external, cli)');
    // A reader that got the length wrong would be caught: node sees the rest as a second, bad request.
    const long = Buffer.concat([bytes, Buffer.from(BODY + '}'), SENTINEL]);
    const ex = await exchange(long, 2);
    expect(ex.responses.map((r) => r.status)).toContain(400);
    expect(ex.responses.map((r) => r.status)).not.toEqual([200, 200]);
  });

  it('reads every head it accepts as llhttp does (seeded mutations of a Claude Code head)', async () => {
    const rand = prng(0x5eed1e77);
    const edges = edgeCases();
    const cases: Buffer[] = [...edges];
    const FUZZ = 4000;
    for (let n = 0; n < FUZZ; n++) cases.push(mutate(rand));
    let foreign = 0;
    let incomplete = 0;
    const work: { bytes: Buffer; ours: RequestHead }[] = [];
    for (const h of cases) {
      const ours = readRequestHead(h, MAX_HEAD);
      if (ours === FOREIGN) foreign++;
      else if (ours === INCOMPLETE) incomplete++;
      else {
        // An inserted CRLF can end the head early: what follows it is not sent.
        expect(ours.headEnd).toBeLessThanOrEqual(h.length);
        work.push({ bytes: h.subarray(0, ours.headEnd), ours });
      }
    }
    const failures: string[] = [];
    await runLimited(work, 32, async ({ bytes, ours }) => {
      try {
        await compareWithNode(bytes, ours);
      } catch (err) {
        failures.push(((err as Error).message.split('\n')[0] as string).slice(-700));
      }
    });
    expect(failures.slice(0, 20), `${failures.length} of ${work.length} read differently`).toEqual([]);
    // Every complete head gets an answer at once.
    expect(incomplete).toBe(0);
    // The comparison is not vacuous: a good share of the mutations stays acceptable, and many do not.
    expect(work.length).toBeGreaterThan(1000);
    expect(foreign).toBeGreaterThan(1000);
  }, 60_000);
});

describe('readRequestHead and readResponseHead never throw', () => {
  it('on random bytes, random heads and every truncation', () => {
    const rand = prng(7);
    const valid = Buffer.concat([head(CLAUDE_LINES), Buffer.from(BODY)]);
    const results = new Set<string>();
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(rand() * 300);
      const prefix = n % 2 === 0 ? valid.subarray(0, Math.floor(rand() * valid.length)) : Buffer.alloc(0);
      const noise = Buffer.alloc(len);
      for (let i = 0; i < len; i++)
        noise[i] = n % 3 === 0 ? (BYTES[Math.floor(rand() * BYTES.length)] as number) : Math.floor(rand() * 256);
      const buf = Buffer.concat([prefix, noise]);
      const max = 1 + Math.floor(rand() * 1024);
      const r = readRequestHead(buf, max);
      results.add(typeof r === 'string' ? r : 'head');
      const s = readResponseHead(buf, max, n % 5 === 0 ? 'HEAD' : 'POST');
      if (s !== null && s !== INCOMPLETE) expect(s.headEnd).toBeLessThanOrEqual(max);
    }
    expect(results.has(FOREIGN) && results.has(INCOMPLETE)).toBe(true);
    for (let cut = 0; cut <= valid.length; cut++) {
      const r = readRequestHead(valid.subarray(0, cut), MAX_HEAD);
      expect(r === INCOMPLETE || (typeof r === 'object' && r.headEnd <= cut)).toBe(true);
    }
  });
});
