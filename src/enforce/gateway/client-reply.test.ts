import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TurnCork } from './client-reply.js';

/** A stream that records each write it is handed (writev: several chunks in one call, as a socket gets them). */
function recorder(): { stream: Writable; writes: string[][] } {
  const writes: string[][] = [];
  const stream = new Writable({
    writev(chunks, done) {
      writes.push(chunks.map((c) => String(c.chunk)));
      done();
    },
    write(chunk: Buffer, _enc, done) {
      writes.push([String(chunk)]);
      done();
    },
  });
  return { stream, writes };
}

describe('TurnCork', () => {
  it('holds a turn’s writes and lets them leave together at the end of the turn', async () => {
    const { stream, writes } = recorder();
    const cork = new TurnCork(stream);
    cork.hold();
    stream.write('head');
    cork.hold();
    stream.write('body');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([['head', 'body']]);
  });

  it('flush lets the held writes leave at once, before the rest of the turn runs', async () => {
    const { stream, writes } = recorder();
    const cork = new TurnCork(stream);
    cork.hold();
    stream.write('head');
    stream.write('body');
    cork.flush();
    expect(writes).toEqual([['head', 'body']]);
    // The pending end-of-turn release finds nothing held and does not uncork a later hold early.
    cork.flush();
    await new Promise((resolve) => setImmediate(resolve));
    cork.hold();
    stream.write('next');
    expect(writes).toEqual([['head', 'body']]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([['head', 'body'], ['next']]);
  });
});
