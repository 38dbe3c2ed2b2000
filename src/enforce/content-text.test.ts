import { describe, expect, it } from 'vitest';
import type { Finding } from '../contracts/detection.js';
import { collectText, findingsBySegment, rewriteLeaves } from './content-text.js';

function finding(text: string, needle: string): Finding {
  const start = text.indexOf(needle);
  if (start < 0) throw new Error(`${needle} not in text`);
  return { type: 'email', class: 'personal', start, end: start + needle.length, confidence: 0.9, validator: 'none' };
}

const upper = (leaf: string, fs: readonly Finding[]) => {
  let out = leaf;
  for (const f of [...fs].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, f.start) + `[${out.slice(f.start, f.end).toUpperCase()}]` + out.slice(f.end);
  }
  return out;
};

describe('structured content as one text', () => {
  it('a string is its own text, without a copy or a separator', () => {
    expect(collectText('hello')).toEqual({ text: 'hello', segments: [{ path: [], start: 0, end: 5 }] });
  });

  it('joins string leaves in order with a newline and remembers each path', () => {
    const value = { command: 'echo a@b.io', nested: { list: ['x', 2, true, null, 'y'] }, empty: '' };
    const c = collectText(value);
    expect(c.text).toBe('echo a@b.io\nx\ny');
    expect(c.segments).toEqual([
      { path: ['command'], start: 0, end: 11 },
      { path: ['nested', 'list', 0], start: 12, end: 13 },
      { path: ['nested', 'list', 4], start: 14, end: 15 },
    ]);
    for (const s of c.segments) {
      let node: unknown = value;
      for (const k of s.path) node = (node as Record<string | number, unknown>)[k];
      expect(c.text.slice(s.start, s.end)).toBe(node);
    }
  });

  it('skips keys that are not content', () => {
    const c = collectText([{ type: 'text', text: 'hi' }], { skipKeys: new Set(['type']) });
    expect(c.text).toBe('hi');
  });

  it('maps findings back to their leaves with local offsets', () => {
    const value = { a: 'mail me at a@b.io', b: ['nothing', 'or c@d.io please'] };
    const c = collectText(value);
    const by = findingsBySegment(c, [finding(c.text, 'c@d.io'), finding(c.text, 'a@b.io')]);
    expect([...by.keys()].sort()).toEqual([0, 2]);
    expect(by.get(0)![0]).toMatchObject({ start: 11, end: 17 });
    expect(by.get(2)![0]).toMatchObject({ start: 3, end: 9 });
  });

  it('rewrites only the leaves holding findings, keeping the shape and the original untouched', () => {
    const value = { command: 'curl -u a@b.io x', description: 'fetch', n: 3 };
    const c = collectText(value);
    const out = rewriteLeaves(value, c, [finding(c.text, 'a@b.io')], upper);
    expect(out).toEqual({ command: 'curl -u [A@B.IO] x', description: 'fetch', n: 3 });
    expect(value.command).toBe('curl -u a@b.io x');
    expect(rewriteLeaves('write a@b.io', collectText('write a@b.io'), [finding('write a@b.io', 'a@b.io')], upper)).toBe(
      'write [A@B.IO]',
    );
  });

  it('returns undefined when no leaf holds a finding', () => {
    const value = { command: 'ls' };
    expect(rewriteLeaves(value, collectText(value), [], upper)).toBeUndefined();
  });

  it('stops descending at a fixed depth (no stack overflow on hostile nesting)', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(collectText(deep).text).toBe('');
  });
});
