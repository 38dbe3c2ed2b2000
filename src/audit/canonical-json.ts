/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the byte form an audit entry is hashed in (docs/audit-bundle.md
 * "Canonical form"). A verifier on any platform re-derives the same bytes from the parsed entry, so the leaf hash
 * does not depend on how the JSON was written, stored or re-serialised.
 *
 * - Objects: members sorted by their names as arrays of UTF-16 code units (RFC 8785 §3.2.3) — exactly what the
 *   default JavaScript string comparison does — with no whitespace (§3.2.1).
 * - Numbers: the ECMAScript Number-to-String algorithm (§3.2.2.3), which is what JSON.stringify writes for a
 *   finite number (it also writes -0 as "0"). NaN and ±Infinity are not JSON and are rejected.
 * - Strings: JSON.stringify's escaping is the one §3.2.2.2 prescribes (\b \t \n \f \r, other controls as
 *   lower-case \u00hh, `"` and `\` escaped, everything else as is). Input must be I-JSON (RFC 7493 §2.1, required
 *   by RFC 8785 §3.1): strings with lone surrogates are rejected, as are duplicate names (impossible in a JS object).
 * - Like JSON.stringify: members whose value is `undefined` are omitted, `undefined` in an array is written as null,
 *   and a value with a `toJSON` method (a Date) is replaced by its result — so canonicalJson(x) equals
 *   canonicalJson(JSON.parse(canonicalJson(x))). Functions, symbols and bigints are rejected rather than dropped.
 *
 * Speed matters (every append canonicalises its entry; ≥ 50,000 appends/s): a hand-written recursion building one
 * string, JSON.stringify only for primitives, and the key sort skipped when the keys already come in order.
 */

/** Deeper nesting than this is refused (a cycle would otherwise recurse until the stack overflows). */
export const MAX_DEPTH = 1000;

export class CanonicalJsonError extends TypeError {
  override readonly name = 'CanonicalJsonError';
}

/** The RFC 8785 canonical JSON text of a JSON value. Throws CanonicalJsonError for values JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  const out = serialise(value, 0);
  if (out === undefined) throw new CanonicalJsonError('undefined is not a JSON value');
  return out;
}

/** The canonical UTF-8 bytes (what the leaf hash covers). */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

// `String.prototype.isWellFormed` (ES2024, in Node ≥ 20) is not in the ES2023 lib this project compiles against.
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed;

/** Printable ASCII without `"` or `\`: written as is between quotes (and necessarily well formed). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function quote(s: string): string {
  // Most strings in an entry (names, ids, actions, routes) are plain ASCII: skipping JSON.stringify and the
  // well-formedness scan for them was measured ~2x faster on the append path.
  if (s.length < 256 && PLAIN.test(s)) return '"' + s + '"';
  if (!isWellFormed.call(s)) throw new CanonicalJsonError('string with a lone surrogate (not I-JSON, RFC 7493 §2.1)');
  return JSON.stringify(s);
}

function number(n: number): string {
  if (!Number.isFinite(n)) throw new CanonicalJsonError(`${n} is not a JSON number (RFC 8785 §3.2.2.3)`);
  // Number-to-String per ECMA-262 (RFC 8785 §3.2.2.3); "" + n would keep -0 as "0" too, but JSON.stringify is the
  // reference the RFC names.
  return JSON.stringify(n);
}

/** Returns undefined for values an object member omits (undefined). */
function serialise(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return number(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`a ${typeof value} is not a JSON value`);
  }
  if (value === null) return 'null';
  if (depth >= MAX_DEPTH) throw new CanonicalJsonError(`nesting deeper than ${MAX_DEPTH} (a cycle?)`);
  if (Array.isArray(value)) return array(value, depth + 1);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return serialise((toJSON as () => unknown).call(value), depth + 1);
  return object(value as Record<string, unknown>, depth + 1);
}

function array(items: readonly unknown[], depth: number): string {
  const n = items.length;
  if (n === 0) return '[]';
  let out = '[' + (serialise(items[0], depth) ?? 'null');
  for (let i = 1; i < n; i++) out += ',' + (serialise(items[i], depth) ?? 'null');
  return out + ']';
}

function object(obj: Record<string, unknown>, depth: number): string {
  const keys = Object.keys(obj);
  // Recorders build entries with their members mostly in order already; sorting is only needed when some pair is
  // out of order (integer-like names, which JS enumerates first, are the usual case).
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = serialise(obj[key], depth);
    if (member === undefined) continue;
    out += (first ? '' : ',') + quote(key) + ':' + member;
    first = false;
  }
  return out + '}';
}
