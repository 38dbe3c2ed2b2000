import { describe, expect, it } from 'vitest';
import { regFileBytes, renderRegFile } from './registry-file.js';

const KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Example';

describe('.reg files', () => {
  it('write the header, the key and each value on its own CRLF line', () => {
    const text = renderRegFile(KEY, [
      ['name', { type: 'sz', value: 'plain' }],
      ['on', { type: 'dword', value: 1 }],
      ['big', { type: 'dword', value: 0xffffffff }],
    ]);
    expect(text).toBe(
      'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Example]\r\n' +
        '"name"="plain"\r\n"on"=dword:00000001\r\n"big"=dword:ffffffff\r\n',
    );
  });

  it('escape backslashes and quotes in names and strings', () => {
    const text = renderRegFile(KEY, [['a"b\\c', { type: 'sz', value: 'C:\\Users\\x "y"' }]]);
    expect(text.split('\r\n')[3]).toBe('"a\\"b\\\\c"="C:\\\\Users\\\\x \\"y\\""');
  });

  it.each([
    ['a line break in a string', [['n', { type: 'sz', value: 'a\nb' }]]],
    ['a NUL', [['n', { type: 'sz', value: 'a\0' }]]],
    ['a negative DWORD', [['n', { type: 'dword', value: -1 }]]],
    ['a DWORD over 32 bits', [['n', { type: 'dword', value: 2 ** 32 }]]],
    ['a fractional DWORD', [['n', { type: 'dword', value: 1.5 }]]],
  ] as const)('refuse %s', (_name, values) => {
    expect(() => renderRegFile(KEY, values)).toThrow();
  });

  it('refuse a key outside HKLM/HKCU or with brackets', () => {
    expect(() => renderRegFile('SOFTWARE\\Policies\\X', [])).toThrow(/registry key/);
    expect(() => renderRegFile('HKEY_LOCAL_MACHINE\\SOFTWARE\\[X]', [])).toThrow(/registry key/);
  });

  it('are UTF-16LE with a byte-order mark', () => {
    const bytes = regFileBytes('Windows Registry Editor Version 5.00\r\n');
    expect([...bytes.subarray(0, 4)]).toEqual([0xff, 0xfe, 0x57, 0x00]);
    expect(bytes.subarray(2).toString('utf16le')).toBe('Windows Registry Editor Version 5.00\r\n');
  });
});
