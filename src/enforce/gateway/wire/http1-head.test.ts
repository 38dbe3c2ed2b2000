import { describe, expect, it } from 'vitest';
import { FOREIGN, INCOMPLETE, readRequestHead, readResponseHead } from './http1-head.js';
import { MAX_HEAD, CLAUDE_LINES, BODY, head, minimal, accepted, rawNames } from './http1-head.test-heads.js';

/**
 * The wire loop's strict head reader. What it accepts it serves itself, so it must read exactly what node:http's
 * llhttp reads (RFC 9112 §6.3, §11.2: no request-smuggling gap); what it does not accept goes to node:http whole.
 */

describe('readRequestHead: the served shape', () => {
  it('reads a Claude Code request head', () => {
    const bytes = head(CLAUDE_LINES);
    const r = accepted(Buffer.concat([bytes, Buffer.from(BODY)]));
    expect(r.endpoint).toBe('messages');
    expect(r.path).toBe('/v1/messages?beta=true');
    expect(r.contentLength).toBe(23);
    expect(r.close).toBe(false);
    expect(r.headEnd).toBe(bytes.length);
    expect(Object.getPrototypeOf(r.headers)).toBeNull();
    expect({ ...r.headers }).toEqual({
      host: '127.0.0.1:8787',
      connection: 'keep-alive',
      accept: 'application/json',
      'x-stainless-retry-count': '0',
      'x-stainless-timeout': '600',
      'x-stainless-lang': 'js',
      'x-stainless-package-version': '0.60.0',
      'x-stainless-os': 'Linux',
      'x-stainless-arch': 'x64',
      'x-stainless-runtime': 'node',
      'x-stainless-runtime-version': 'v22.17.0',
      'anthropic-dangerous-direct-browser-access': 'true',
      'anthropic-version': '2023-06-01',
      'x-api-key': 'sk-ant-api03-test-key',
      'x-app': 'cli',
      'user-agent': 'claude-cli/2.0.14 (external, cli)',
      'content-type': 'application/json',
      'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14',
      'x-claude-code-session-id': '6f1c2a0e-8d3b-4c7a-9e21-5b0f4d3c2a19',
      'accept-language': '*',
      'sec-fetch-mode': 'cors',
      'accept-encoding': 'gzip, deflate',
      'content-length': '23',
    });
    const fieldLines = CLAUDE_LINES.slice(1).map((l) => l.split(': '));
    expect(rawNames(r.fields)).toEqual(fieldLines.map(([n]) => n));
    expect(r.fields.names).toEqual(fieldLines.map(([n]) => (n as string).toLowerCase()));
    expect(r.fields.values).toEqual(fieldLines.map(([, v]) => v));
  });

  it('reads count_tokens, a query, Connection: close, OWS and joined repeats', () => {
    const r = accepted(
      minimal(
        ['Connection: keep-alive, Close', 'X-Multi:  a \t', 'x-multi: b', 'Content-Length: 5 ', 'Accept:'],
        '/gateway/anthropic/v1/messages/count_tokens?beta=true',
      ),
    );
    expect(r.endpoint).toBe('count_tokens');
    expect(r.path).toBe('/v1/messages/count_tokens?beta=true');
    expect(r.close).toBe(true);
    expect(r.contentLength).toBe(5);
    expect(r.headers['x-multi']).toBe('a, b');
    expect(r.headers.accept).toBe('');
    expect(r.fields.values).toEqual(['gw', 'keep-alive, Close', 'a', 'b', '5', '']);
    expect(accepted(minimal([])).contentLength).toBe(0);
    expect(accepted(minimal(['Content-Length: 000000000000007'])).contentLength).toBe(7);
    expect(accepted(minimal(['Content-Length: 999999999999999'])).contentLength).toBe(999_999_999_999_999);
    expect(accepted(minimal(['Host2: x', 'X-Obs: caf\xe9 \x80\xff'])).headers['x-obs']).toBe('caf\xe9 \x80\xff');
  });

  it('keeps a __proto__ field as data, never as a prototype', () => {
    const r = accepted(minimal(['__proto__: polluted', 'constructor: c', '__proto__: again']));
    expect(Object.getPrototypeOf(r.headers)).toBeNull();
    expect(Object.hasOwn(r.headers, '__proto__')).toBe(true);
    expect(r.headers['__proto__' as 'host']).toBe('polluted, again');
    expect(r.headers['constructor' as 'host']).toBe('c');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('again');
  });

  it('reads each name right whatever names it has seen before (the name cache)', () => {
    // "a~" and "b_" hash alike (31·97 + 126 = 31·98 + 95): the second must not be read as the first.
    for (let round = 0; round < 3; round++) {
      const r = accepted(minimal(['A~: 1', 'b_: 2', 'X-API-Key: k', 'x-api-key2: k2', 'X-App: cli']));
      expect(r.fields.names).toEqual(['host', 'a~', 'b_', 'x-api-key', 'x-api-key2', 'x-app']);
      expect(r.fields.values).toEqual(['gw', '1', '2', 'k', 'k2', 'cli']);
      expect(r.headers['a~' as 'host']).toBe('1');
      expect(r.headers['b_' as 'host']).toBe('2');
    }
    // More fields than the arrays start with.
    const many = Array.from({ length: 70 }, (_, i) => `X-F${i}: v${i}`);
    const r = accepted(minimal(many));
    expect(r.fields.names.length).toBe(71);
    expect(r.fields.spans?.length).toBe(142);
    expect(r.fields.names[70]).toBe('x-f69');
    expect(r.fields.values[70]).toBe('v69');
  });

  it('waits for the rest of a head that may still be ours', () => {
    const bytes = head(CLAUDE_LINES);
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(readRequestHead(bytes.subarray(0, cut), MAX_HEAD), `cut at ${cut}`).toBe(INCOMPLETE);
    }
    expect(readRequestHead(Buffer.from('POST /gate'), MAX_HEAD)).toBe(INCOMPLETE);
  });

  it('is exact about the head size limit', () => {
    const bytes = minimal(['X-Pad: ' + 'p'.repeat(200)]);
    expect(accepted(bytes, bytes.length).headEnd).toBe(bytes.length);
    expect(readRequestHead(bytes, bytes.length - 1)).toBe(FOREIGN);
    // Incomplete and already at the limit: node:http answers 431.
    expect(readRequestHead(bytes.subarray(0, 100), 100)).toBe(FOREIGN);
    expect(readRequestHead(bytes.subarray(0, 100), 101)).toBe(INCOMPLETE);
  });
});

describe('readRequestHead: everything else is node:http’s', () => {
  const foreign: [string, Buffer][] = [
    ['GET to the REST API', Buffer.from('GET /api/health HTTP/1.1\r\nHost: gw\r\n\r\n')],
    ['GET prefix only', Buffer.from('G')],
    ['the models route', minimal([], '/gateway/anthropic/v1/models')],
    ['a longer route name', minimal([], '/gateway/anthropic/v1/messagesX')],
    ['a sub-route', minimal([], '/gateway/anthropic/v1/messages/batches')],
    ['count_tokens/', minimal([], '/gateway/anthropic/v1/messages/count_tokens/')],
    ['an encoded slash', minimal([], '/gateway/anthropic/v1/messages%2Fcount_tokens')],
    ['a short prefix', Buffer.from('POST /gateway\r\n\r\n')],
    ['a fragment', minimal([], '/gateway/anthropic/v1/messages#x')],
    ['a control byte in the target', minimal([], '/gateway/anthropic/v1/messages?\x7f')],
    ['obs-text in the target', minimal([], '/gateway/anthropic/v1/messages?\xe9')],
    ['two spaces after the target', Buffer.from('POST /gateway/anthropic/v1/messages  HTTP/1.1\r\nHost: gw\r\n\r\n')],
    ['HTTP/1.0', Buffer.from('POST /gateway/anthropic/v1/messages HTTP/1.0\r\nHost: gw\r\n\r\n')],
    ['HTTP/2 prior knowledge', Buffer.from('POST /gateway/anthropic/v1/messages HTTP/2.0\r\nHost: gw\r\n\r\n')],
    ['lower-case version', Buffer.from('POST /gateway/anthropic/v1/messages http/1.1\r\nHost: gw\r\n\r\n')],
    ['bare LF everywhere', Buffer.from('POST /gateway/anthropic/v1/messages HTTP/1.1\nHost: gw\n\n')],
    ['bare LF in one line', Buffer.from('POST /gateway/anthropic/v1/messages HTTP/1.1\r\nHost: gw\nX: y\r\n\r\n')],
    ['bare LF, head not ended', Buffer.from('POST /gateway/anthropic/v1/messages HTTP/1.1\r\nHost: gw\n')],
    ['bare CR', Buffer.from('POST /gateway/anthropic/v1/messages HTTP/1.1\r\nHost: gw\rX: y\r\n\r\n')],
    ['obs-fold', minimal(['X-Folded: a', ' b'])],
    ['obs-fold with a tab', minimal(['X-Folded: a', '\tb'])],
    ['a leading space before the first field', head(['POST /gateway/anthropic/v1/messages HTTP/1.1', ' Host: gw'])],
    ['space before the colon', minimal(['Content-Length : 5'])],
    ['tab before the colon', minimal(['X-Key\t: 5'])],
    ['a non-token name', minimal(['X(y): 5'])],
    ['an empty name', minimal([': 5'])],
    ['no colon', minimal(['X-Nothing'])],
    ['CL and TE', minimal(['Content-Length: 5', 'Transfer-Encoding: chunked'])],
    ['TE alone', minimal(['transfer-encoding: chunked'])],
    ['TE identity', minimal(['Transfer-Encoding: identity'])],
    ['two equal Content-Lengths', minimal(['Content-Length: 5', 'Content-Length: 5'])],
    ['two Content-Lengths', minimal(['Content-Length: 5', 'content-length: 6'])],
    ['a list Content-Length', minimal(['Content-Length: 5, 5'])],
    ['a signed Content-Length', minimal(['Content-Length: +5'])],
    ['a negative Content-Length', minimal(['Content-Length: -1'])],
    ['a hex Content-Length', minimal(['Content-Length: 0x5'])],
    ['an inner space in Content-Length', minimal(['Content-Length: 5 5'])],
    ['an empty Content-Length', minimal(['Content-Length:'])],
    ['a 16-digit Content-Length', minimal(['Content-Length: 1000000000000000'])],
    ['no Host', head(['POST /gateway/anthropic/v1/messages HTTP/1.1', 'X: y'])],
    ['two Hosts', minimal(['host: gw'])],
    ['a repeated x-api-key', minimal(['x-api-key: a', 'X-Api-Key: b'])],
    ['a repeated authorization', minimal(['Authorization: Bearer a', 'authorization: Bearer a'])],
    ['a repeated content-type', minimal(['content-type: application/json', 'content-type: text/plain'])],
    ['a repeated user-agent', minimal(['user-agent: a', 'user-agent: b'])],
    ['Expect', minimal(['Expect: 100-continue'])],
    ['Upgrade', minimal(['Connection: upgrade', 'Upgrade: h2c'])],
    ['Cookie', minimal(['Cookie: a=b'])],
    ['Set-Cookie', minimal(['Set-Cookie: a=b'])],
    ['Proxy-Connection', minimal(['Proxy-Connection: close'])],
    ['NUL in a value', minimal(['X: a\x00b'])],
    ['DEL in a value', minimal(['X: a\x7fb'])],
    ['ESC in a value', minimal(['X: a\x1bb'])],
    ['VT in a value', minimal(['X: a\x0bb'])],
    ['a head larger than the limit', minimal(['X-Pad: ' + 'p'.repeat(MAX_HEAD)])],
  ];
  it.each(foreign)('%s', (_, bytes) => {
    expect(readRequestHead(bytes, MAX_HEAD)).toBe(FOREIGN);
  });

  it('decides on the first bytes for anything but the served routes', () => {
    for (const start of [
      'GET /',
      'PUT /gateway/anthropic/v1/messages',
      'POST /api',
      'POST /gateway/openai',
      'P0',
      '\r\n',
    ]) {
      expect(readRequestHead(Buffer.from(start), MAX_HEAD), start).toBe(FOREIGN);
    }
  });

  it('closes on every Connection value llhttp closes on', () => {
    expect(accepted(minimal(['Connection: \tclose\t'])).close).toBe(true);
    expect(accepted(minimal(['Connection: x, close', 'Connection: y'])).close).toBe(true);
    expect(accepted(minimal(['Connection: closed'])).close).toBe(false);
    expect(accepted(minimal(['Connection: close x'])).close).toBe(false);
    // llhttp keeps these alive (no HTAB or NBSP after its token); the loop closes: a reconnect, never a request.
    expect(accepted(minimal(['Connection: close\t'])).close).toBe(true);
    expect(accepted(minimal(['Connection: close\xa0'])).close).toBe(true);
  });

  it('leaves a Content-Length with an HTAB after its digits to node:http (llhttp answers 400)', () => {
    expect(readRequestHead(minimal(['Content-Length: 3\t']), MAX_HEAD)).toBe(FOREIGN);
    expect(readRequestHead(minimal(['Content-Length:\t3 \t ']), MAX_HEAD)).toBe(FOREIGN);
    expect(accepted(minimal(['Content-Length: \t3  '])).contentLength).toBe(3);
    expect(accepted(minimal(['X-Other: 3\t'])).headers['x-other']).toBe('3');
  });
});

describe('readResponseHead', () => {
  const res = (lines: string[], method = 'POST') => {
    const r = readResponseHead(head(lines), MAX_HEAD, method);
    if (r === null || r === INCOMPLETE) throw new Error(`not read: ${String(r)}`);
    return r;
  };

  it('frames by Content-Length, chunked, or the close (RFC 9112 §6.3)', () => {
    const ok = res(['HTTP/1.1 200 OK', 'Content-Type: application/json', 'Content-Length: 42', 'request-id: req_1']);
    expect(ok).toMatchObject({ status: 200, framing: 'length', contentLength: 42, close: false });
    expect(ok.headers['request-id']).toBe('req_1');
    expect(ok.headEnd).toBe(
      head(['HTTP/1.1 200 OK', 'Content-Type: application/json', 'Content-Length: 42', 'request-id: req_1']).length,
    );
    expect(res(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked']).framing).toBe('chunked');
    expect(res(['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip, Chunked']).framing).toBe('chunked');
    expect(res(['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked']).framing).toBe('chunked');
    const both = res(['HTTP/1.1 200 OK', 'Content-Length: 10', 'Transfer-Encoding: chunked']);
    expect(both.framing).toBe('chunked');
    const gzip = res(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked, gzip']);
    expect(gzip).toMatchObject({ framing: 'close', close: true });
    const none = res(['HTTP/1.1 200 OK', 'Content-Type: text/event-stream']);
    expect(none).toMatchObject({ framing: 'close', close: true });
    expect(res(['HTTP/1.1 200 OK', 'Content-Length: 7', 'Content-Length: 7']).contentLength).toBe(7);
  });

  it('reads the final coding with OWS trimmed (RFC 9112 §6.3 rule 4)', () => {
    expect(res(['HTTP/1.1 200 OK', 'Transfer-Encoding: \tchunked ']).framing).toBe('chunked');
    expect(res(['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip ,\tchunked']).framing).toBe('chunked');
    expect(res(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked,']).framing).toBe('close');
  });

  it('has no body for HEAD, 1xx, 204 and 304', () => {
    expect(res(['HTTP/1.1 200 OK', 'Content-Length: 42'], 'HEAD')).toMatchObject({ framing: 'none', close: false });
    expect(res(['HTTP/1.1 204 No Content'])).toMatchObject({ status: 204, framing: 'none', close: false });
    expect(res(['HTTP/1.1 304 Not Modified', 'Content-Length: 42']).framing).toBe('none');
    const cont = readResponseHead(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n'), MAX_HEAD, 'POST');
    expect(cont).toMatchObject({ status: 100, framing: 'none', headEnd: 25 });
    const early = res(['HTTP/1.1 103 Early Hints', 'Link: </a>; rel=preload']);
    expect(early.status).toBeLessThan(200);
    expect(early.framing).toBe('none');
  });

  it('reads the connection’s fate', () => {
    expect(res(['HTTP/1.1 200 OK', 'Connection: close', 'Content-Length: 1']).close).toBe(true);
    expect(res(['HTTP/1.1 200 OK', 'Connection: keep-alive', 'connection: Close', 'Content-Length: 1']).close).toBe(
      true,
    );
    expect(res(['HTTP/1.0 200 OK', 'Content-Length: 1'])).toMatchObject({ framing: 'length', close: true });
    expect(res(['HTTP/1.0 200 OK', 'Connection: Keep-Alive', 'Content-Length: 1']).close).toBe(false);
    expect(res(['HTTP/1.1 200'])).toMatchObject({ status: 200, framing: 'close' });
  });

  it('keeps every Set-Cookie and joins other repeats', () => {
    const r = res(['HTTP/1.1 200 OK', 'Set-Cookie: a=1', 'Vary: a', 'set-cookie: b=2', 'Vary: b', 'Content-Length: 0']);
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(r.headers.vary).toBe('a, b');
    expect(rawNames(r.fields)).toEqual(['Set-Cookie', 'Vary', 'set-cookie', 'Vary', 'Content-Length']);
  });

  it('answers null for a malformed head and INCOMPLETE for a partial one', () => {
    const bad = [
      ['HTTP/1.1 20 OK'],
      ['HTTP/1.1 2000 OK'],
      ['HTTP/1.1 200OK'],
      ['HTTP/1.1 099 Low'],
      ['HTTP/1.2 200 OK'],
      ['HTTP/2 200 OK'],
      ['http/1.1 200 OK'],
      ['HTTP/1.1  200 OK'],
      ['HTTP/1.1 200 O\x00K'],
      ['HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 6'],
      ['HTTP/1.1 200 OK', 'Content-Length: 5, 6'],
      ['HTTP/1.1 200 OK', 'Content-Length: -1'],
      ['HTTP/1.1 200 OK', 'Bad Name: x'],
      ['HTTP/1.1 200 OK', 'X: a', ' folded'],
      ['HTTP/1.1 200 OK', 'X: a\x01'],
    ];
    for (const lines of bad) expect(readResponseHead(head(lines), MAX_HEAD, 'POST'), lines.join('|')).toBeNull();
    expect(readResponseHead(Buffer.from('HTTP/1.1 200 OK\nContent-Length: 1\n\n'), MAX_HEAD, 'POST')).toBeNull();
    expect(readResponseHead(Buffer.from('HTTP/1.1 200 OK\r\nX: 1'), MAX_HEAD, 'POST')).toBe(INCOMPLETE);
    expect(readResponseHead(Buffer.from('HTTP/1.1 200 OK\r\nX: 1'), 10, 'POST')).toBeNull();
    const full = head(['HTTP/1.1 200 OK', 'Content-Length: 1']);
    for (let cut = 0; cut < full.length; cut++) {
      expect(readResponseHead(full.subarray(0, cut), MAX_HEAD, 'POST'), `cut ${cut}`).toBe(INCOMPLETE);
    }
  });
});

/* ---------------------------------------------------------------------------------------------------------------- */
/* Differential: whatever readRequestHead accepts, node:http (llhttp) reads as one request with the same meaning.    */
/* ---------------------------------------------------------------------------------------------------------------- */
