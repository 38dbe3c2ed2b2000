import { createHash } from 'node:crypto';

/**
 * What an audit entry may keep of a request body or a changed object (issue 7: secrets never enter the vault; DESIGN
 * §10). The vault is append-only and replicated to verifiers, so a secret written once could never be removed: the
 * rule errs on the side of dropping.
 * - A member whose name looks like a credential (token, secret, password, passphrase, authorization, cookie,
 *   credential, private key, signing key, api key, any name ending in "key" or "keys", whsec…) keeps its name and
 *   loses its value: `"[redacted]"`, so the entry still says which field was sent. Numbers, booleans and null are
 *   kept (`limit_tokens: 5000` is a budget, not a credential).
 * - A string that looks like a credential wherever it sits (a Steward token or gateway key `stw_…`, a Standard
 *   Webhooks secret `whsec_…`, an Anthropic key `sk-ant-…`, a `Bearer …` header value, a PEM private key) is
 *   replaced the same way.
 * - Long strings are cut to their length and SHA-256 (a policy document, a SKILL.md): the entry stays small and still
 *   identifies the content; deep nesting and long arrays are cut too; lone surrogates become U+FFFD (`wellFormed`).
 */
export const REDACTED = '[redacted]';

const SECRET_NAME =
  /(token|secret|passw(or)?d|passphrase|authori[sz]ation|cookie|credential|privatekey|signingkey|apikey|whsec|bearer)/;
const SECRET_VALUE =
  /\bstw_(?:admin|analyst|ingest|gw)_[A-Za-z0-9_-]{20,}|\bwhsec_[A-Za-z0-9+/=]{16,}|\bsk-ant-[A-Za-z0-9_-]{16,}|\bBearer\s+\S{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export interface RedactOptions {
  /** Strings longer than this become `[N chars, sha256:…]` (default 2048). */
  maxString?: number;
  /** Nesting deeper than this becomes `[…]` (default 8). */
  maxDepth?: number;
  /** Arrays keep this many items, then a `[+N more]` marker (default 100). */
  maxItems?: number;
}

// `String.prototype.toWellFormed` (ES2024, in Node ≥ 20) is not in the ES2023 lib this project compiles against.
const toWellFormed = (String.prototype as unknown as { toWellFormed: (this: string) => string }).toWellFormed;

/**
 * The string with lone surrogates replaced by U+FFFD. An entry's leaf is RFC 8785 canonical JSON, which refuses them
 * (I-JSON, RFC 7493 §2.1); a JSON body can carry them (`"\ud800"`), and an entry the vault cannot hash would be
 * retried forever and hold up the entries behind it.
 */
export function wellFormed(s: string): string {
  return toWellFormed.call(s);
}

/** True when a member name looks like it holds a credential (`apiKey`, `x-api-key`, `client_secret`, `whsec`…). */
export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_\s.]/g, '');
  return SECRET_NAME.test(n) || n.endsWith('key') || n.endsWith('keys');
}

/** True when a string looks like a credential itself, whatever member holds it. */
export function looksLikeSecret(value: string): boolean {
  return SECRET_VALUE.test(value);
}

/** A JSON-safe copy of `value` with secrets replaced and size bounded; undefined members are dropped. */
export function redactSecrets(value: unknown, options: RedactOptions = {}): unknown {
  const maxString = options.maxString ?? 2048;
  const maxDepth = options.maxDepth ?? 8;
  const maxItems = options.maxItems ?? 100;
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string') {
      if (looksLikeSecret(v)) return REDACTED;
      if (v.length <= maxString) return wellFormed(v);
      return `[${v.length} chars, sha256:${createHash('sha256').update(v).digest('hex')}]`;
    }
    if (typeof v !== 'object') return undefined; // functions, symbols
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `[${v.byteLength} bytes]`;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
    if (depth >= maxDepth) return '[…]';
    if (Array.isArray(v)) {
      const items = v.slice(0, maxItems).map((x) => walk(x, depth + 1) ?? null);
      if (v.length > maxItems) items.push(`[+${v.length - maxItems} more]`);
      return items;
    }
    const out: Record<string, unknown> = {};
    for (const [key, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue;
      const k = wellFormed(key);
      if (isSecretName(k) && x !== null && typeof x !== 'number' && typeof x !== 'boolean') {
        out[k] = REDACTED;
        continue;
      }
      const w = walk(x, depth + 1);
      if (w !== undefined) out[k] = w;
    }
    return out;
  };
  return walk(value, 0);
}
