import { describe, expect, it } from 'vitest';
import { renderMobileconfig, renderPlist, uuidV5 } from './mobileconfig.js';
import { parsePlist } from './plist-reader.js';

describe('property lists', () => {
  it('write every value type and read back the same', () => {
    const root = {
      s: 'a < b & c > "d" \'e\'',
      empty: '',
      n: 42,
      t: true,
      f: false,
      list: ['x', 1, [true]],
      nested: { 'key & <name>': 'ü 🎉 ✓' },
    };
    expect(parsePlist(renderPlist(root))).toEqual(root);
  });

  it.each(['\u0000', '\u001b[31m', '\ud800', 'x\udc00', '\uffff'])('refuse text XML cannot carry (%j)', (bad) => {
    expect(() => renderPlist({ k: bad })).toThrow(/XML cannot carry/);
  });

  it('keep tabs and line breaks', () => {
    expect(parsePlist(renderPlist({ k: 'a\tb\nc' }))).toEqual({ k: 'a\tb\nc' });
  });

  it('refuse numbers that are not whole', () => {
    expect(() => renderPlist({ k: 1.5 })).toThrow(/whole numbers/);
  });

  it('the reader rejects what is not well-formed', () => {
    const good = renderPlist({ a: 'VALUE' });
    expect(() => parsePlist(good.replace('</string>', '</strin>'))).toThrow();
    expect(() => parsePlist(good.replace('VALUE', 'x & y'))).toThrow(/entity/);
    expect(() => parsePlist(good.replace('VALUE', 'x < y'))).toThrow();
    expect(() => parsePlist(good.replace('</dict>', ''))).toThrow();
    expect(() => parsePlist(`${good}<dict/>`)).toThrow();
    expect(() => parsePlist(good.replace('<plist version="1.0">', '<plist>'))).toThrow(/root/);
    expect(() => parsePlist(good.replace('<?xml', '<?xmm'))).toThrow(/declaration/);
    expect(() => parsePlist(good.replace('<key>a</key>', '<key>a</key><key>a</key>'))).toThrow();
  });
});

describe('uuidV5', () => {
  it('matches RFC 4122 (www.example.com in the DNS namespace)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ED6657D-E927-568B-95E1-2665A8AEA6A2',
    );
  });
});

describe('configuration profiles', () => {
  const options = {
    domain: 'com.example.app',
    identifier: 'steward.test',
    displayName: 'Test',
    description: 'A test profile',
    preferences: { flag: false, list: '["a"]' },
  };

  it('hold one payload for the domain with the preferences beside its Payload keys', () => {
    const profile = parsePlist(renderMobileconfig(options)) as Record<string, any>;
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadIdentifier: 'steward.test',
      PayloadScope: 'System',
      PayloadDisplayName: 'Test',
    });
    expect(profile.PayloadUUID).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(profile.PayloadContent).toEqual([
      {
        PayloadDisplayName: 'Test',
        PayloadIdentifier: 'steward.test.com.example.app',
        PayloadType: 'com.example.app',
        PayloadUUID: expect.stringMatching(/^[0-9A-F-]{36}$/),
        PayloadVersion: 1,
        flag: false,
        list: '["a"]',
      },
    ]);
    expect(profile.PayloadContent[0].PayloadUUID).not.toBe(profile.PayloadUUID);
  });

  it('keep their identifiers and change their UUIDs when the content changes', () => {
    const a = parsePlist(renderMobileconfig(options)) as Record<string, any>;
    const b = parsePlist(renderMobileconfig({ ...options, preferences: { flag: true } })) as Record<string, any>;
    expect(renderMobileconfig(options)).toBe(renderMobileconfig({ ...options }));
    expect(b.PayloadIdentifier).toBe(a.PayloadIdentifier);
    expect(b.PayloadUUID).not.toBe(a.PayloadUUID);
    expect(b.PayloadContent[0].PayloadUUID).not.toBe(a.PayloadContent[0].PayloadUUID);
  });

  it('refuse a preference named like a payload key', () => {
    expect(() => renderMobileconfig({ ...options, preferences: { PayloadType: 'x' } })).toThrow(/collides/);
  });
});
