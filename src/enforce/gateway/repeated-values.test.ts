import { describe, expect, it } from 'vitest';
import { skipValue } from './json-scan.js';
import { RepeatedValues } from './repeated-values.js';

/** A value skipped from memory ends exactly where a scan of the same bytes ends; anything else is scanned. */
const tools = (n: number, tail = ''): string =>
  JSON.stringify(
    Array.from({ length: n }, (_, i) => ({
      name: `Tool${i}`,
      description: `Does thing ${i}. "Quoted" and \\ escaped` + tail,
      input_schema: { type: 'object', properties: { path: { type: 'string' } } },
    })),
  );

function body(toolsJson: string): Buffer {
  return Buffer.from(`{"model":"m","tools":${toolsJson},"max_tokens":5}`);
}

describe('RepeatedValues', () => {
  it('ends a value it has seen where the scan ends it, and scans values it has not', () => {
    const r = new RepeatedValues(new Set(['tools']));
    for (const json of [tools(20), tools(20), tools(20, 'x'), tools(20), tools(21), tools(20, 'x')]) {
      const b = body(json);
      const at = b.indexOf('[');
      expect(r.skip('tools', b, at)).toBe(skipValue(b, at));
      expect(r.skip('tools', b, at)).toBe(at + Buffer.byteLength(json));
    }
  });

  it('never ends a value early on a remembered prefix: a longer value with the same start is scanned', () => {
    const r = new RepeatedValues(new Set(['tools']));
    const short = body(tools(20));
    r.skip('tools', short, short.indexOf('['));
    // Same first bytes, but the remembered value's last byte is followed by more elements here.
    const longer = Buffer.from(`{"model":"m","tools":${tools(20).slice(0, -1)},{"name":"Extra"}],"max_tokens":5}`);
    const at = longer.indexOf('[');
    expect(r.skip('tools', longer, at)).toBe(skipValue(longer, at));
  });

  it('leaves other members, scalars and small values to the caller or the scan', () => {
    const r = new RepeatedValues(new Set(['tools', 'system']));
    const b = Buffer.from('{"model":"m","system":123456789012,"tools":[1,2]}');
    expect(r.skip('model', b, b.indexOf('"m"'))).toBe(-1);
    expect(r.skip('system', b, b.indexOf('1'))).toBe(-1);
    const at = b.indexOf('[');
    expect(r.skip('tools', b, at)).toBe(at + 5);
  });

  it('keeps copies, not views of the request body', () => {
    const r = new RepeatedValues(new Set(['tools']));
    const json = tools(20);
    const b = body(json);
    r.skip('tools', b, b.indexOf('['));
    b.fill(0x20); // the request's buffer reused for something else
    const again = body(json);
    expect(r.skip('tools', again, again.indexOf('['))).toBe(again.indexOf('[') + Buffer.byteLength(json));
  });
});
