import { createHash } from 'node:crypto';

/**
 * Readers for OTLP values that accept both encodings: OTLP/JSON (int64 as string or number, bytes as hex/base64)
 * and protobufjs-decoded messages (int64 as Long, bytes as Uint8Array). Claude Code sends `intValue` as a JSON
 * number and many numeric-looking attributes as strings (reference/claude-code-observed.md §3), so every reader
 * is tolerant and every attribute optional.
 */
export interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
  toNumber(): number;
}

export function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).toNumber === 'function' && 'low' in v;
}

/** int64/uint64/fixed64 in any encoding → number (precision loss above 2^53 is irrelevant for ns→ms). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    if (v.trim() === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof v === 'bigint') return Number(v);
  if (isLong(v)) return v.toNumber();
  return undefined;
}

/** Latest time accepted (9999-12-31): beyond it a Date cannot represent the value and databases overflow. */
export const MAX_TIME_MS = 253_402_300_799_999;

function validTime(ms: number): number | undefined {
  return ms > 0 && ms <= MAX_TIME_MS ? ms : undefined;
}

/** Nanoseconds since epoch (any encoding) → milliseconds; 0, missing and out-of-range mean "not set". */
export function nanosToMillis(v: unknown): number | undefined {
  if (typeof v === 'string' && v.length > 6 && /^\d+$/.test(v)) {
    // Avoid double rounding on 19-digit strings: drop the sub-millisecond digits textually.
    return validTime(Number(v.slice(0, -6)));
  }
  if (isLong(v)) {
    // Exact: Long.toNumber() rounds 19-digit nanosecond values to the nearest double and can shift the
    // millisecond, which would make the protobuf and JSON encodings of one record disagree (and dedupe fail).
    const ns = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
    return validTime(Number(ns / 1_000_000n));
  }
  const n = toNumber(v);
  if (n === undefined || n <= 0) return undefined;
  return validTime(Math.floor(n / 1e6));
}

export interface KeyValueLike {
  key?: unknown;
  value?: unknown;
}

export interface AttributeLimits {
  maxValueBytes: number;
}

/** AnyValue (JSON or protobuf) → plain JS value. Unknown shapes become undefined (dropped), never throw. */
export function anyValue(v: unknown, limits: AttributeLimits, depth = 0): unknown {
  if (typeof v !== 'object' || v === null || depth > 8) return undefined;
  const o = v as Record<string, unknown>;
  if (o.stringValue !== undefined && o.stringValue !== null) return clip(String(o.stringValue), limits);
  if (o.boolValue !== undefined && o.boolValue !== null) return o.boolValue === true || o.boolValue === 'true';
  if (o.intValue !== undefined && o.intValue !== null) return toNumber(o.intValue);
  if (o.doubleValue !== undefined && o.doubleValue !== null) return toNumber(o.doubleValue);
  if (o.arrayValue !== undefined && o.arrayValue !== null) {
    const values = (o.arrayValue as { values?: unknown }).values;
    return Array.isArray(values) ? values.map((x) => anyValue(x, limits, depth + 1)) : [];
  }
  if (o.kvlistValue !== undefined && o.kvlistValue !== null) {
    return attributesToObject((o.kvlistValue as { values?: unknown }).values, limits, depth + 1);
  }
  if (o.bytesValue !== undefined && o.bytesValue !== null) {
    const b = o.bytesValue;
    return b instanceof Uint8Array ? Buffer.from(b).toString('base64') : String(b);
  }
  return undefined;
}

/**
 * OTLP KeyValue list → object. With `fallback`, the result inherits from it (prototype chain), so record
 * attributes can be read with resource attributes as defaults without copying them — this runs once per record
 * on the ingest hot path; `Object.keys` still lists only the record's own attributes.
 */
export function attributesToObject(
  list: unknown,
  limits: AttributeLimits,
  depth = 0,
  fallback?: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = fallback ? (Object.create(fallback) as Record<string, unknown>) : {};
  if (!Array.isArray(list)) return out;
  for (const kv of list as KeyValueLike[]) {
    if (typeof kv !== 'object' || kv === null || typeof kv.key !== 'string') continue;
    // Most values are strings: read them here, the rest through anyValue (same result, one call fewer per value).
    const v = kv.value as { stringValue?: unknown } | null | undefined;
    const s = typeof v === 'object' && v !== null ? v.stringValue : undefined;
    const value = typeof s === 'string' ? clip(s, limits) : anyValue(v, limits, depth);
    if (value !== undefined) out[kv.key.length > MAX_KEY_LENGTH ? clipText(kv.key, MAX_KEY_LENGTH) : kv.key] = value;
  }
  return out;
}

/** Trace/span ids: hex in JSON, bytes in protobuf → lower-case hex. */
export function idToHex(v: unknown): string | undefined {
  if (v instanceof Uint8Array) return v.length ? Buffer.from(v).toString('hex') : undefined;
  if (typeof v === 'string' && v.length) return v.toLowerCase();
  return undefined;
}

/**
 * Identifiers that become keys (session ids, aliases) are bounded: an over-long value is replaced by a digest so it
 * still identifies consistently but fits database index limits (PostgreSQL B-tree entries stop near 2.7 KB).
 */
export const MAX_ID_LENGTH = 200;

export function identifier(s: string | null): string | null {
  if (s === null) return null;
  const clean = withoutNul(s);
  return clean.length <= MAX_ID_LENGTH ? clean : 'sha1:' + createHash('sha1').update(clean).digest('hex');
}

/** Attribute keys and names are identifiers, never payloads: longer ones are cut (a fuzzer sent 5 MB keys). */
export const MAX_KEY_LENGTH = 256;

/** NUL → U+FFFD: PostgreSQL text refuses NUL, and no telemetry value means one. */
function withoutNul(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

/** Cuts text to `max` UTF-16 units (never splitting a surrogate pair) and strips NUL, which PostgreSQL text refuses. */
export function clipText(s: string, max: number): string {
  const clean = withoutNul(s);
  if (clean.length <= max) return clean;
  let cut = clean.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + '…[truncated]';
}

function clip(raw: string, limits: AttributeLimits): string {
  const s = withoutNul(raw);
  // Cheap length check first: UTF-16 length ≥ bytes/3, so only long strings pay for byteLength.
  if (s.length * 3 <= limits.maxValueBytes) return s;
  if (Buffer.byteLength(s) <= limits.maxValueBytes) return s;
  return (
    Buffer.from(s)
      .subarray(0, limits.maxValueBytes)
      .toString('utf8')
      .replace(/\uFFFD$/, '') + '…[truncated]'
  );
}

/** Typed accessors over a flattened attribute map (strings and numbers both accepted, see module comment). */
export function str(a: Record<string, unknown>, key: string): string | null {
  const v = a[key];
  if (typeof v === 'string') return v.length ? v : null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

export function num(a: Record<string, unknown>, key: string): number | null {
  const v = a[key];
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && v !== 'undefined') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function bool(a: Record<string, unknown>, key: string): boolean | null {
  const v = a[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1 || v === '1') return true;
  if (v === 'false' || v === 0 || v === '0') return false;
  return null;
}
