import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { parsePlist } from './plist-reader.js';

/**
 * macOS configuration profiles (`.mobileconfig`): an XML property list (Apple's PropertyList-1.0 DTD) whose top-level
 * dictionary is a `Configuration` profile and whose `PayloadContent` holds one payload per preference domain. A
 * payload whose `PayloadType` is an app's preference domain delivers managed preferences for that app (what MDM
 * "custom settings" payloads do); its other keys are the preferences.
 *
 * Deterministic by design: `PayloadIdentifier`s are fixed per target, so installing a newer profile replaces the
 * previous one instead of stacking next to it, and `PayloadUUID`s are RFC 4122 version-5 UUIDs of the content, so the
 * same policy gives a byte-identical file and a changed one gets new UUIDs.
 */
export type PlistValue = boolean | number | string | readonly PlistValue[] | { readonly [key: string]: PlistValue };

/** Characters XML 1.0 cannot carry at all (§2.2 Char): C0 controls other than tab, LF and CR, U+FFFE/U+FFFF, and
 *  UTF-16 surrogates that are not part of a pair. */
const NOT_XML_CHAR =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function escapeXml(text: string): string {
  if (NOT_XML_CHAR.test(text)) {
    throw new Error('a property-list string holds characters XML cannot carry (control characters or lone surrogates)');
  }
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function renderValue(value: PlistValue, indent: string, out: string[]): void {
  const inner = `${indent}\t`;
  if (typeof value === 'boolean') out.push(`${indent}<${value}/>`);
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`property lists here carry whole numbers only, got ${value}`);
    out.push(`${indent}<integer>${value}</integer>`);
  } else if (typeof value === 'string') out.push(`${indent}<string>${escapeXml(value)}</string>`);
  else if (Array.isArray(value)) {
    out.push(`${indent}<array>`);
    for (const v of value as readonly PlistValue[]) renderValue(v, inner, out);
    out.push(`${indent}</array>`);
  } else {
    out.push(`${indent}<dict>`);
    for (const [k, v] of Object.entries(value)) {
      out.push(`${inner}<key>${escapeXml(k)}</key>`);
      renderValue(v, inner, out);
    }
    out.push(`${indent}</dict>`);
  }
}

/** A complete XML property list, tab-indented as Apple's tools write it. */
export function renderPlist(root: { readonly [key: string]: PlistValue }): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
  ];
  renderValue(root, '', out);
  out.push('</plist>');
  return `${out.join('\n')}\n`;
}

/** Namespace of Steward's profile UUIDs: itself a version-5 UUID of a fixed URL in RFC 4122's URL namespace. */
const STEWARD_NAMESPACE = uuidV5('https://steward.invalid/policy/compile', '6ba7b811-9dad-11d1-80b4-00c04fd430c8');

/** RFC 4122 §4.3: SHA-1 of namespace bytes + name, version 5, variant 10. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`"${namespace}" is not a UUID`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`.toUpperCase();
}

export interface ProfileOptions {
  /** The app's preference domain, e.g. `com.anthropic.claudefordesktop`. */
  domain: string;
  /** Stable profile identifier (reverse DNS); the payload's is `<identifier>.<domain>`. */
  identifier: string;
  displayName: string;
  description: string;
  /** The managed preferences, in the order to write them. */
  preferences: { readonly [key: string]: PlistValue };
}

/** A `Configuration` profile with one managed-preferences payload for `domain`, installed system-wide. */
export function renderMobileconfig(o: ProfileOptions): string {
  const content = JSON.stringify([o.domain, o.identifier, o.displayName, o.description, o.preferences]);
  const payload: Record<string, PlistValue> = {
    PayloadDisplayName: o.displayName,
    PayloadIdentifier: `${o.identifier}.${o.domain}`,
    PayloadType: o.domain,
    PayloadUUID: uuidV5(`payload:${content}`, STEWARD_NAMESPACE),
    PayloadVersion: 1,
  };
  for (const [k, v] of Object.entries(o.preferences)) {
    if (k in payload) throw new Error(`preference "${k}" collides with a payload key`);
    payload[k] = v;
  }
  const root = {
    PayloadContent: [payload],
    PayloadDescription: o.description,
    PayloadDisplayName: o.displayName,
    PayloadIdentifier: o.identifier,
    PayloadScope: 'System',
    PayloadType: 'Configuration',
    PayloadUUID: uuidV5(`profile:${content}`, STEWARD_NAMESPACE),
    PayloadVersion: 1,
  };
  const xml = renderPlist(root);
  if (!isDeepStrictEqual(parsePlist(xml), root)) throw new Error('the profile does not read back as written (a bug)');
  return xml;
}
