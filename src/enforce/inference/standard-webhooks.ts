import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks 1.0.0 symmetric signatures (standard-webhooks/standard-webhooks spec/standard-webhooks.md; the
 * scheme Claude Enterprise inference hooks use, claude-surfaces.md §5.9):
 *   headers   `webhook-id`, `webhook-timestamp` (unix seconds), `webhook-signature` (space-separated list, so a
 *             sender can sign with an old and a new key during rotation)
 *   signed    `${id}.${timestamp}.${raw body}`
 *   signature `v1,` + base64(HMAC-SHA256(key, signed)), key = base64-decoded secret after its `whsec_` prefix
 * Verification is over the raw bytes as received (never a re-serialisation), in constant time per candidate, and the
 * timestamp must be within the tolerance either way (replay and clock-skew guard).
 */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export type WebhookVerification =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature' };

export interface WebhookHeaders {
  'webhook-id'?: string | string[] | undefined;
  'webhook-timestamp'?: string | string[] | undefined;
  'webhook-signature'?: string | string[] | undefined;
}

/** Decodes a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries) into the HMAC key. */
export function webhookKey(secret: string): Buffer {
  const raw = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) throw new Error('webhook secret must be whsec_ followed by base64');
  const key = Buffer.from(raw, 'base64');
  if (key.length === 0) throw new Error('webhook secret is empty');
  return key;
}

/** `v1,<base64>` over `${id}.${timestamp}.${body}`: what a sender puts in `webhook-signature`. */
export function signWebhook(key: Buffer, id: string, timestamp: number, body: Uint8Array | string): string {
  return 'v1,' + hmac(key, id, String(timestamp), body).toString('base64');
}

function hmac(key: Buffer, id: string, timestamp: string, body: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

function single(v: string | string[] | undefined): string | undefined {
  // A repeated header is ambiguous (which one was signed?); treat it as absent rather than pick one.
  return typeof v === 'string' ? v : undefined;
}

export function verifyWebhook(
  key: Buffer,
  headers: WebhookHeaders,
  body: Uint8Array | string,
  nowMs: number = Date.now(),
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): WebhookVerification {
  const id = single(headers['webhook-id']);
  const ts = single(headers['webhook-timestamp']);
  const sigs = single(headers['webhook-signature']);
  if (!id || !ts || !sigs) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'bad_timestamp' };
  const timestamp = Number(ts);
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale_timestamp' };
  const expected = hmac(key, id, ts, body);
  let match = false;
  for (const candidate of sigs.split(' ')) {
    const comma = candidate.indexOf(',');
    if (comma < 0 || candidate.slice(0, comma) !== 'v1') continue; // other schemes (v1a = Ed25519) are not ours
    const given = Buffer.from(candidate.slice(comma + 1), 'base64');
    // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the key.
    if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
  }
  return match ? { ok: true, id, timestamp } : { ok: false, reason: 'bad_signature' };
}
