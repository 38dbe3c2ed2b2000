import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, webhookKey } from './standard-webhooks.js';

/**
 * Requests are signed here straight from the Standard Webhooks spec (HMAC-SHA256 over `{id}.{timestamp}.{body}` with
 * the base64-decoded `whsec_` secret, `v1,` + base64), independently of the code under test, plus the spec
 * repository's own known-answer vector (libraries/javascript/src/webhook.test.ts "sign function works").
 */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = 'whsec_' + Buffer.from('another-secret-of-24-bytes!!').toString('base64');
const key = webhookKey(SECRET);
const body = JSON.stringify({ type: 'prompt', request_id: 'req_1', messages: [] });
const now = 1_760_000_000_000;
const ts = Math.floor(now / 1000);

function specSign(secret: string, id: string, timestamp: number, payload: string): string {
  const k = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return 'v1,' + createHmac('sha256', k).update(`${id}.${timestamp}.${payload}`, 'utf8').digest('base64');
}

function headers(signature: string, id = 'msg_1', timestamp: number | string = ts) {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

describe('Standard Webhooks verification', () => {
  it('matches the spec repository known-answer vector', () => {
    const sig = signWebhook(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    const v = verifyWebhook(
      key,
      headers(sig, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330),
      '{"test": 2432232314}',
      1614265330 * 1000,
    );
    expect(v).toEqual({ ok: true, id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330 });
  });

  it('accepts a correctly signed request (string and raw bytes), with or without the whsec_ prefix', () => {
    const sig = specSign(SECRET, 'msg_1', ts, body);
    expect(verifyWebhook(key, headers(sig), body, now).ok).toBe(true);
    expect(verifyWebhook(key, headers(sig), Buffer.from(body), now).ok).toBe(true);
    expect(verifyWebhook(webhookKey(SECRET.slice(6)), headers(sig), body, now).ok).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    const sig = specSign(OTHER_SECRET, 'msg_1', ts, body);
    expect(verifyWebhook(key, headers(sig), body, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a tampered body, id or timestamp', () => {
    const sig = specSign(SECRET, 'msg_1', ts, body);
    expect(verifyWebhook(key, headers(sig), body.replace('req_1', 'req_2'), now).ok).toBe(false);
    expect(verifyWebhook(key, headers(sig), body + ' ', now).ok).toBe(false);
    expect(verifyWebhook(key, headers(sig, 'msg_2'), body, now).ok).toBe(false);
    expect(verifyWebhook(key, headers(sig, 'msg_1', ts + 1), body, now).ok).toBe(false);
  });

  it('rejects stale and future timestamps beyond 5 minutes, accepts within', () => {
    for (const offset of [-301, 301, -3600, 86_400]) {
      const sig = specSign(SECRET, 'msg_1', ts + offset, body);
      expect(verifyWebhook(key, headers(sig, 'msg_1', ts + offset), body, now)).toEqual({
        ok: false,
        reason: 'stale_timestamp',
      });
    }
    for (const offset of [-299, 299]) {
      const sig = specSign(SECRET, 'msg_1', ts + offset, body);
      expect(verifyWebhook(key, headers(sig, 'msg_1', ts + offset), body, now).ok).toBe(true);
    }
  });

  it('rejects missing headers and a malformed timestamp', () => {
    const sig = specSign(SECRET, 'msg_1', ts, body);
    const full = headers(sig);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const h: Record<string, string> = { ...full };
      delete h[name];
      expect(verifyWebhook(key, h, body, now)).toEqual({ ok: false, reason: 'missing_headers' });
    }
    expect(verifyWebhook(key, { ...full, 'webhook-id': ['msg_1', 'msg_1'] }, body, now).ok).toBe(false);
    for (const bad of ['hello', '', '1.5', '-1', String(ts) + 'x']) {
      expect(verifyWebhook(key, headers(sig, 'msg_1', bad), body, now).ok).toBe(false);
    }
  });

  it('accepts when any of several space-separated signatures matches, ignoring other schemes', () => {
    const good = specSign(SECRET, 'msg_1', ts, body);
    const wrong = specSign(OTHER_SECRET, 'msg_1', ts, body);
    const list = [
      wrong,
      'v2,' + good.slice(3),
      'v1a,' + good.slice(3),
      good,
      'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
    ];
    expect(verifyWebhook(key, headers(list.join(' ')), body, now).ok).toBe(true);
    expect(verifyWebhook(key, headers([wrong, 'v2,' + good.slice(3)].join(' ')), body, now).ok).toBe(false);
  });

  it('rejects partial and empty signatures', () => {
    const good = specSign(SECRET, 'msg_1', ts, body);
    for (const sig of [good.slice(0, 8), 'v1,', 'v1', good.slice(3), 'v1,dawfeoifkpqwoekfpqoekf']) {
      expect(verifyWebhook(key, headers(sig), body, now).ok).toBe(false);
    }
  });

  it('refuses a secret that is not base64', () => {
    expect(() => webhookKey('whsec_not base64!')).toThrow(/base64/);
    expect(() => webhookKey('whsec_')).toThrow();
  });
});
