import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { METADATA_HOSTNAMES } from '../config/export.schema.js';

/**
 * Where exports may connect (SSRF guard; docs/exports.md "Outbound destinations"). Every address a destination
 * resolves to is classified:
 *   metadata    cloud instance-metadata and platform endpoints (169.254.169.254, 169.254.170.2, fd00:ec2::254,
 *               100.100.100.200, 168.63.129.16) and names such as metadata.google.internal
 *   link_local  169.254.0.0/16, fe80::/10
 *   loopback    127.0.0.0/8, ::1
 *   private     RFC 1918 (10/8, 172.16/12, 192.168/16), CGNAT 100.64/10 (RFC 6598), benchmarking 198.18/15,
 *               unique-local fc00::/7 (RFC 4193)
 *   reserved    unspecified (0.0.0.0/8, ::), multicast (224/4, ff00::/8), 240/4 and broadcast: never allowed
 *   public      everything else
 * loopback and private need the sink's `allowPrivateAddresses`; link_local and metadata need
 * `allowLinkLocalAddresses`. IPv4 embedded in IPv6 (::ffff:a.b.c.d, 64:ff9b::/96 NAT64, 2002::/16 6to4) is judged
 * as the IPv4 address. The check runs when the exporter starts and again inside every connection's DNS lookup, so a
 * name that re-resolves to a forbidden address later (DNS rebinding) is refused at connect time.
 */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link_local' | 'metadata' | 'reserved';

export interface DestinationPolicy {
  allowPrivateAddresses: boolean;
  allowLinkLocalAddresses: boolean;
}

const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '168.63.129.16']);

function v4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function classifyV4(ip: string): AddressClass {
  if (METADATA_V4.has(ip)) return 'metadata';
  const [a = 0, b = 0] = v4Bytes(ip);
  if (a === 0 || a >= 224) return 'reserved';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link_local';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private';
  if (a === 198 && (b === 18 || b === 19)) return 'private';
  return 'public';
}

/** The 16 bytes of an IPv6 address (with `::` and a trailing dotted IPv4 part); undefined if malformed. */
export function v6Bytes(ip: string): number[] | undefined {
  const zone = ip.indexOf('%');
  let text = (zone >= 0 ? ip.slice(0, zone) : ip).toLowerCase();
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = text.slice(lastColon + 1);
    if (isIP(v4) !== 4) return undefined;
    tail.push(...v4Bytes(v4));
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (s: string): number[] => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const head = words(halves[0] ?? '');
  const rest = halves.length === 2 ? words(halves[1] ?? '') : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const all = [...head, ...Array<number>(Math.max(fill, 0)).fill(0), ...rest];
  if (all.length !== 8 || all.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) return undefined;
  const bytes = all.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function classifyV6(ip: string): AddressClass {
  const b = v6Bytes(ip);
  if (!b) return 'reserved';
  const v4 = (i: number): string => b.slice(i, i + 4).join('.');
  const zeros = (from: number, to: number): boolean => b.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated), 64:ff9b::/96 (NAT64), 2002:AABB:CCDD::/48 (6to4).
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return classifyV4(v4(12));
  if (zeros(0, 12) && !zeros(12, 16) && !(zeros(12, 15) && b[15] === 1)) return classifyV4(v4(12));
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return classifyV4(v4(12));
  if (b[0] === 0x20 && b[1] === 0x02) return classifyV4(v4(2));
  if (zeros(0, 15) && b[15] === 1) return 'loopback';
  if (zeros(0, 16)) return 'reserved';
  // fd00:ec2::254 — the EC2 instance metadata service over IPv6.
  if (
    b[0] === 0xfd &&
    b[1] === 0x00 &&
    b[2] === 0x0e &&
    b[3] === 0xc2 &&
    zeros(4, 14) &&
    b[14] === 0x02 &&
    b[15] === 0x54
  ) {
    return 'metadata';
  }
  const first = b[0] ?? 0;
  if (first === 0xff) return 'reserved';
  if (first === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80) return 'link_local';
  if ((first & 0xfe) === 0xfc) return 'private';
  return 'public';
}

export function classifyAddress(ip: string): AddressClass {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare.split('%')[0] ?? '');
  if (family === 4) return classifyV4(bare);
  if (family === 6) return classifyV6(bare);
  return 'reserved';
}

/** Why `ip` may not be used under `policy`, or undefined when it may. */
export function addressProblem(ip: string, policy: DestinationPolicy): string | undefined {
  const cls = classifyAddress(ip);
  switch (cls) {
    case 'public':
      return undefined;
    case 'loopback':
    case 'private':
      return policy.allowPrivateAddresses ? undefined : `${ip} is a ${cls} address (set allowPrivateAddresses)`;
    case 'link_local':
    case 'metadata':
      return policy.allowLinkLocalAddresses
        ? undefined
        : `${ip} is a ${cls === 'metadata' ? 'cloud metadata' : 'link-local'} address (refused unless allowLinkLocalAddresses)`;
    case 'reserved':
      return `${ip} is an unspecified, multicast or reserved address`;
  }
}

/** A refused destination: not worth retrying until the configuration (or DNS) changes. */
export class RefusedDestinationError extends Error {
  override readonly name = 'RefusedDestinationError';
}

export function hostProblem(host: string, policy: DestinationPolicy): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(bare.split('%')[0] ?? '')) return addressProblem(bare, policy);
  if (METADATA_HOSTNAMES.has(bare.replace(/\.$/, '')) && !policy.allowLinkLocalAddresses) {
    return `${bare} names a cloud metadata service (refused unless allowLinkLocalAddresses)`;
  }
  return undefined;
}

/**
 * A DNS lookup for net, tls, http(s) and dgram that refuses the connection when any address the name resolves to is
 * forbidden. Node calls it at connect time, so the addresses checked are the ones connected to.
 */
export function guardedLookup(policy: DestinationPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const problem = hostProblem(hostname, policy);
    if (problem) {
      callback(new RefusedDestinationError(`refused destination ${hostname}: ${problem}`), '', 4);
      return;
    }
    dnsLookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '', 4);
        return;
      }
      for (const a of addresses) {
        const p = addressProblem(a.address, policy);
        if (p) {
          callback(new RefusedDestinationError(`refused destination ${hostname}: ${p}`), '', 4);
          return;
        }
      }
      const first = addresses[0];
      if (!first) {
        callback(new Error(`${hostname} resolved to no address`), '', 4);
        return;
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * Checks a destination now (at exporter start): a literal address or metadata name is judged as is; a name is
 * resolved and every address judged. `unresolved` is set when DNS fails — the connection-time check still applies.
 */
export async function checkDestination(
  host: string,
  policy: DestinationPolicy,
): Promise<{ problem?: string; unresolved?: string }> {
  const problem = hostProblem(host, policy);
  if (problem || isIP(host.replace(/^\[|\]$/g, ''))) return problem ? { problem } : {};
  return new Promise((resolve) => {
    dnsLookup(host, { all: true }, (err, addresses) => {
      if (err) return resolve({ unresolved: err.message });
      for (const a of addresses) {
        const p = addressProblem(a.address, policy);
        if (p) return resolve({ problem: `${host} resolves to ${p}` });
      }
      resolve({});
    });
  });
}
