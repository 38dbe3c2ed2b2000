import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ChunkedBody, MALFORMED, MORE } from './chunked-body.js';
import { prng } from './http1-head.test-heads.js';

/** A chunked upstream body arrives in whatever reads the network makes (RFC 9112 §7.1). */

interface Outcome {
  /** The feed's final answer: an absolute offset into the concatenated pieces, MORE or MALFORMED. */
  result: number;
  content: Buffer;
}

/** Feeds `pieces` in order until the body ends or breaks; the end is reported as an offset into their concatenation. */
function feedPieces(pieces: Buffer[], starts: number[] = []): Outcome {
  const body = new ChunkedBody();
  const parts: Buffer[] = [];
  let offset = 0;
  for (let p = 0; p < pieces.length; p++) {
    const piece = pieces[p] as Buffer;
    // With a `start`, the piece sits after bytes the feed must not read.
    const skip = starts[p] ?? 0;
    const data = skip === 0 ? piece : Buffer.concat([Buffer.alloc(skip, 0x5a), piece]);
    const r = body.feed(data, skip, (c) => {
      expect(c.buffer).toBe(data.buffer);
      parts.push(Buffer.from(c));
    });
    if (r === MALFORMED) return { result: MALFORMED, content: Buffer.concat(parts) };
    if (r >= 0) {
      expect(body.done).toBe(true);
      return { result: offset + r - skip, content: Buffer.concat(parts) };
    }
    expect(r).toBe(MORE);
    expect(body.done).toBe(false);
    offset += piece.length;
  }
  return { result: MORE, content: Buffer.concat(parts) };
}

const feedWhole = (s: string | Buffer) => feedPieces([Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1')]);

const SIMPLE = '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';

describe('ChunkedBody', () => {
  it('decodes a body fed whole and stops at its end', () => {
    const r = feedWhole(SIMPLE + 'HTTP/1.1 200 OK\r\n');
    expect(r).toEqual({ result: SIMPLE.length, content: Buffer.from('hello world') });
    expect(feedWhole('0\r\n\r\n')).toEqual({ result: 5, content: Buffer.alloc(0) });
  });

  it('decodes a body fed byte by byte', () => {
    const bytes = Buffer.from(SIMPLE + 'next');
    const body = new ChunkedBody();
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const r = body.feed(bytes.subarray(i, i + 1), 0, (c) => parts.push(Buffer.from(c)));
      if (i < SIMPLE.length - 1) expect(r, `byte ${i}`).toBe(MORE);
      else {
        expect(r).toBe(1);
        break;
      }
    }
    expect(Buffer.concat(parts).toString()).toBe('hello world');
  });

  it('decodes a body split at every offset, with or without a start offset', () => {
    const bytes = Buffer.from('a;x=1\r\n0123456789\r\nB\r\n0123456789a\r\n0;last\r\nX-T: v\r\n\r\nrest', 'latin1');
    const end = bytes.length - 4;
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (const starts of [[], [3, 7]]) {
        const r = feedPieces([bytes.subarray(0, cut), bytes.subarray(cut)], starts);
        expect(r.result, `cut ${cut}`).toBe(end);
        expect(r.content.toString(), `cut ${cut}`).toBe('01234567890123456789a');
      }
    }
  });

  it('skips chunk extensions and drops trailers', () => {
    const ext = '5;name=value\r\nhello\r\n3 ; q="a;b" ;flag\r\nabc\r\n1\t;x\r\n!\r\n0;end=1\r\n\r\n';
    expect(feedWhole(ext)).toEqual({ result: ext.length, content: Buffer.from('helloabc!') });
    const trailers = '2\r\nhi\r\n0\r\nServer-Timing: x;dur=1\r\nX-Checksum: abc\r\n\r\n';
    expect(feedWhole(trailers + 'tail')).toEqual({ result: trailers.length, content: Buffer.from('hi') });
  });

  it('reads hex sizes in either case, leading zeros up to 12 digits', () => {
    const data = 'x'.repeat(0xaf);
    for (const size of ['AF', 'af', 'aF', '00000000000A'.slice(0, 10) + 'AF']) {
      const enc = `${size}\r\n${data}\r\n0\r\n\r\n`;
      expect(feedWhole(enc), size).toEqual({ result: enc.length, content: Buffer.from(data) });
    }
  });

  it('carries binary data (CR, LF, NUL) inside chunks untouched', () => {
    const data = Buffer.from([0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0xff]);
    const enc = Buffer.concat([Buffer.from('b\r\n'), data, Buffer.from('\r\n0\r\n\r\n')]);
    expect(feedWhole(enc)).toEqual({ result: enc.length, content: data });
  });

  it('answers MORE while the body is incomplete', () => {
    for (const partial of ['', '5', '5\r', '5\r\n', '5\r\nhel', '5\r\nhello', '5\r\nhello\r', '5\r\nhello\r\n0\r\n']) {
      expect(feedWhole(partial).result, JSON.stringify(partial)).toBe(MORE);
    }
    expect(feedWhole('0\r\nX-T: v\r\n').result).toBe(MORE);
    const body = new ChunkedBody();
    expect(body.feed(Buffer.from('abc'), 3, null)).toBe(MORE);
    expect(body.feed(Buffer.from('0\r\n\r\n'), 0, null)).toBe(5);
  });

  it('answers MALFORMED for a broken frame', () => {
    const long = 'a'.repeat(5000);
    const bad = [
      '5\r\nhelloXX\r\n0\r\n\r\n', // no CRLF after the data
      '5\r\nhello\n0\r\n\r\n', // bare LF after the data
      '5\r\nhello\r\r\n',
      'g\r\n', // not hex
      '\r\n', // no size
      ' 5\r\nhello\r\n', // whitespace before the size
      '-5\r\n',
      '0x5\r\nhello\r\n',
      '5x\r\nhello\r\n', // a size followed by something other than an extension
      '5 x\r\nhello\r\n',
      '5\n', // bare LF after the size
      '0000000000001\r\nx\r\n', // 13 hex digits
      'fffffffffffff\r\n',
      `5;${long}\r\nhello\r\n0\r\n\r\n`, // an over-long size line
      `0\r\nX-Long: ${long}\r\n\r\n`, // an over-long trailer line
      '0\r\nX-T: v\n\r\n',
    ];
    for (const b of bad) expect(feedWhole(b).result, JSON.stringify(b.slice(0, 40))).toBe(MALFORMED);
    // An over-long line is refused while it is still arriving.
    const body = new ChunkedBody();
    expect(body.feed(Buffer.from('5;' + long.slice(0, 3000)), 0, null)).toBe(MORE);
    expect(body.feed(Buffer.from(long.slice(0, 2000)), 0, null)).toBe(MALFORMED);
    // 12 hex digits is the most it reads.
    const twelve = '000000000001\r\nx\r\n0\r\n\r\n';
    expect(feedWhole(twelve)).toEqual({ result: twelve.length, content: Buffer.from('x') });
  });
});

/** Encodes `payload` with random chunk sizes, size spellings, extensions and trailers. */
function encode(payload: Buffer, rand: () => number): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  const ext = () => {
    if (rand() < 0.7) return '';
    return [';a', ';name=value', ' ; q="x;y"', '\t;flag;k=v', `;n=${int(1000)}`][int(5)] as string;
  };
  const hex = (n: number) => {
    let h = n.toString(16);
    if (rand() < 0.3) h = h.toUpperCase();
    if (rand() < 0.2) h = '0'.repeat(int(12 - h.length + 1)) + h;
    return h;
  };
  const parts: Buffer[] = [];
  let at = 0;
  while (at < payload.length) {
    const size = Math.min(payload.length - at, 1 + int(rand() < 0.2 ? 4 : 400));
    parts.push(Buffer.from(`${hex(size)}${ext()}\r\n`), payload.subarray(at, at + size), Buffer.from('\r\n'));
    at += size;
  }
  parts.push(Buffer.from(`${rand() < 0.2 ? '000' : '0'}${ext()}\r\n`));
  for (let t = rand() < 0.7 ? 0 : 1 + int(3); t > 0; t--) parts.push(Buffer.from(`X-Trailer-${t}: v${int(99)}\r\n`));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

function randomSplits(bytes: Buffer, rand: () => number): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = rand() < 0.3 ? 1 + Math.floor(rand() * 3) : 1 + Math.floor(rand() * 600);
    pieces.push(bytes.subarray(at, at + n));
    at += n;
  }
  return pieces;
}

describe('ChunkedBody under seeded fuzzing', () => {
  it('decodes random payloads in random chunkings and reads', () => {
    const rand = prng(0xc4a11);
    const CASES = 1500;
    let bytesDecoded = 0;
    for (let n = 0; n < CASES; n++) {
      const payload = Buffer.alloc(Math.floor(rand() * (rand() < 0.1 ? 20_000 : 1500)));
      for (let i = 0; i < payload.length; i++) payload[i] = Math.floor(rand() * 256);
      const encoded = encode(payload, rand);
      // What follows the body (the next response) must not be consumed.
      const next = Buffer.from('HTTP/1.1 200 OK\r\n'.slice(0, Math.floor(rand() * 18)));
      const pieces = randomSplits(Buffer.concat([encoded, next]), rand);
      const starts = pieces.map(() => (rand() < 0.2 ? 1 + Math.floor(rand() * 8) : 0));
      const r = feedPieces(pieces, starts);
      expect(r.result, `case ${n}`).toBe(encoded.length);
      expect(r.content.equals(payload), `case ${n}`).toBe(true);
      bytesDecoded += payload.length;
    }
    expect(bytesDecoded).toBeGreaterThan(1_000_000);
  });

  it('never throws on mutated frames, and never reads past its input', () => {
    const rand = prng(0xbad5eed);
    const CASES = 3000;
    const pool = [0x0d, 0x0a, 0x3b, 0x20, 0x09, 0x30, 0x46, 0x66, 0x67, 0x00, 0xff];
    const seen = new Set<number>();
    for (let n = 0; n < CASES; n++) {
      const payload = Buffer.alloc(Math.floor(rand() * 300), 0x61);
      let bytes = encode(payload, rand);
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) {
        const at = Math.floor(rand() * bytes.length);
        const byte = rand() < 0.6 ? (pool[Math.floor(rand() * pool.length)] as number) : Math.floor(rand() * 256);
        const mode = rand();
        if (mode < 0.4) bytes[at] = byte;
        else if (mode < 0.7) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.of(byte), bytes.subarray(at)]);
        else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
      }
      const r = feedPieces(randomSplits(bytes, rand));
      seen.add(r.result < 0 ? r.result : 0);
      if (r.result >= 0) expect(r.result).toBeLessThanOrEqual(bytes.length);
      else expect([MORE, MALFORMED]).toContain(r.result);
      expect(r.content.length).toBeLessThanOrEqual(bytes.length);
    }
    // The mutations reach all three answers.
    expect([...seen].sort()).toEqual([MALFORMED, MORE, 0].sort());
  });

  it('ends every body where llhttp, the client’s parser, ends it', () => {
    // The framed bytes go to the client as they came: a body end the two parsers placed differently would desync
    // the client's connection. llhttp may refuse what the decoder allows (BWS before `;`), never end elsewhere.
    const rand = prng(0x11177);
    const CASES = 3000;
    const tally = { bothEnd: 0, llhttpRefuses: 0, bothWait: 0, decoderRefuses: 0 };
    for (let n = 0; n < CASES; n++) {
      const payload = Buffer.alloc(Math.floor(rand() * 200));
      for (let i = 0; i < payload.length; i++) payload[i] = Math.floor(rand() * 256);
      let bytes = encode(payload, rand);
      for (let k = n % 4 === 0 ? 0 : Math.floor(rand() * 3); k > 0; k--) {
        const at = Math.floor(rand() * bytes.length);
        const byte = CHUNK_BYTES[Math.floor(rand() * CHUNK_BYTES.length)] as number;
        const mode = rand();
        if (mode < 0.4) bytes[at] = byte;
        else if (mode < 0.7) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.of(byte), bytes.subarray(at)]);
        else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
      }
      const ours = feedPieces(randomSplits(bytes, rand));
      if (ours.result === MALFORMED) {
        tally.decoderRefuses++;
        continue;
      }
      const label = JSON.stringify(bytes.toString('latin1'));
      const end = ours.result === MORE ? bytes.length : ours.result;
      const theirs = llhttpRead(bytes.subarray(0, end));
      if (theirs.error) {
        tally.llhttpRefuses++;
        continue;
      }
      if (ours.result === MORE) {
        // The decoder waits for more: llhttp must not have seen the end either.
        expect(theirs.completeAt, label).toBe(-1);
        tally.bothWait++;
      } else {
        expect(theirs.completeAt, label).toBe(end);
        expect(theirs.body.equals(ours.content), label).toBe(true);
        tally.bothEnd++;
      }
    }
    expect(tally.bothEnd).toBeGreaterThan(CASES / 4);
    expect(tally.decoderRefuses).toBeGreaterThan(100);
  });
});

/** node's own binding to llhttp, as `http.request` uses it (strict: no lenient flags). */
interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  [key: number]: unknown;
}
const { HTTPParser } = createRequire(import.meta.url)('_http_common') as {
  HTTPParser: {
    new (): LlhttpParser;
    RESPONSE: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kOnExecute: number;
  };
};
const RESPONSE_HEAD = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
const CHUNK_BYTES = [0x0d, 0x0a, 0x3b, 0x20, 0x09, 0x3d, 0x22, 0x30, 0x31, 0x41, 0x61, 0x67, 0x3a, 0x00, 0x7f, 0xff];

/** Where llhttp ends a chunked response body (an offset into `body`, -1: not yet) fed one byte at a time. */
function llhttpRead(body: Buffer): { completeAt: number; body: Buffer; error: boolean } {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.RESPONSE, {}, 0, 0);
  const parts: Buffer[] = [];
  let complete = false;
  parser[HTTPParser.kOnHeaders] = () => {};
  parser[HTTPParser.kOnHeadersComplete] = () => 0;
  parser[HTTPParser.kOnBody] = (b: Buffer) => parts.push(Buffer.from(b));
  parser[HTTPParser.kOnMessageComplete] = () => {
    complete = true;
  };
  parser[HTTPParser.kOnExecute] = () => {};
  if (parser.execute(RESPONSE_HEAD) instanceof Error) throw new Error('llhttp refused the head');
  for (let i = 0; i < body.length; i++) {
    if (parser.execute(body.subarray(i, i + 1)) instanceof Error)
      return { completeAt: -1, body: Buffer.alloc(0), error: true };
    if (complete) return { completeAt: i + 1, body: Buffer.concat(parts), error: false };
  }
  return { completeAt: -1, body: Buffer.concat(parts), error: false };
}
