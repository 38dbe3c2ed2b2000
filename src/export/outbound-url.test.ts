import { describe, expect, it } from 'vitest';
import { addressProblem, checkDestination, classifyAddress, guardedLookup, v6Bytes } from './outbound-url.js';

const strict = { allowPrivateAddresses: false, allowLinkLocalAddresses: false };
const privateOk = { allowPrivateAddresses: true, allowLinkLocalAddresses: false };
const everything = { allowPrivateAddresses: true, allowLinkLocalAddresses: true };

describe('outbound destinations', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.200.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fc00::1', 'private'],
    ['169.254.1.1', 'link_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'reserved'],
    ['::', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['ff02::1', 'reserved'],
    // IPv4 inside IPv6 is judged as the IPv4 address.
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['[::1]', 'loopback'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it('parses IPv6 forms to bytes', () => {
    expect(v6Bytes('::1')).toEqual([...Array(15).fill(0), 1]);
    expect(v6Bytes('1::')).toEqual([0, 1, ...Array(14).fill(0)]);
    expect(v6Bytes('::ffff:1.2.3.4')?.slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(v6Bytes('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(v6Bytes('1::2::3')).toBeUndefined();
  });

  it('allows private and loopback only when allowed, link-local and metadata only when explicitly allowed', () => {
    expect(addressProblem('8.8.8.8', strict)).toBeUndefined();
    expect(addressProblem('127.0.0.1', strict)).toMatch(/loopback.*allowPrivateAddresses/);
    expect(addressProblem('127.0.0.1', privateOk)).toBeUndefined();
    expect(addressProblem('169.254.169.254', privateOk)).toMatch(/cloud metadata.*allowLinkLocalAddresses/);
    expect(addressProblem('fd00:ec2::254', privateOk)).toMatch(/cloud metadata/);
    expect(addressProblem('169.254.169.254', everything)).toBeUndefined();
    expect(addressProblem('0.0.0.0', everything)).toMatch(/reserved/);
  });

  it('checks at start: literal addresses, metadata names, and what names resolve to', async () => {
    expect(await checkDestination('169.254.169.254', privateOk)).toEqual({
      problem: expect.stringMatching(/cloud metadata/),
    });
    expect(await checkDestination('metadata.google.internal', privateOk)).toEqual({
      problem: expect.stringMatching(/metadata service/),
    });
    expect((await checkDestination('localhost', strict)).problem).toMatch(/localhost resolves to .*loopback/);
    expect(await checkDestination('localhost', privateOk)).toEqual({});
    expect((await checkDestination('no-such-host.invalid', strict)).unresolved).toBeTruthy();
  });

  it('refuses at connect time through the lookup every connection uses (DNS rebinding)', async () => {
    const lookup = guardedLookup(strict);
    const outcome = await new Promise<string>((resolve) =>
      lookup('localhost', { all: true }, (err) => resolve(err ? err.message : 'connected')),
    );
    expect(outcome).toMatch(/refused destination localhost: .*loopback/);
    const allowed = await new Promise<unknown>((resolve) =>
      guardedLookup(privateOk)('localhost', { all: true }, (err, addresses) => resolve(err ?? addresses)),
    );
    expect(allowed).toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.any(String) })]));
  });
});
