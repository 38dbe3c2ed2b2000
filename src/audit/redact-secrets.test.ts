import { describe, expect, it } from 'vitest';
import { isSecretName, looksLikeSecret, REDACTED, redactSecrets } from './redact-secrets.js';

const TOKEN = `stw_admin_${'A'.repeat(43)}`;

describe('redactSecrets', () => {
  it('replaces the values of credential-named members, keeping their names', () => {
    const body = {
      name: 'ci',
      token: 'anything',
      apiKey: 'k',
      'x-api-key': 'k',
      client_secret: 's',
      Password: 'p',
      authorization: 'Basic x',
      webhook: { whsec: 'w', signingKey: 'x', url: 'https://example.com' },
      upstream_api_key: 'sk',
    };
    expect(redactSecrets(body)).toEqual({
      name: 'ci',
      token: REDACTED,
      apiKey: REDACTED,
      'x-api-key': REDACTED,
      client_secret: REDACTED,
      Password: REDACTED,
      authorization: REDACTED,
      webhook: { whsec: REDACTED, signingKey: REDACTED, url: 'https://example.com' },
      upstream_api_key: REDACTED,
    });
  });

  it('keeps numbers, booleans and null under credential-looking names (budget token limits are not secrets)', () => {
    expect(
      redactSecrets({ limit_tokens: 5000, rate: { tokens_per_minute: 10 }, key_required: true, token: null }),
    ).toEqual({ limit_tokens: 5000, rate: { tokens_per_minute: 10 }, key_required: true, token: null });
  });

  it('replaces credential-shaped strings wherever they sit', () => {
    const v = redactSecrets({
      note: TOKEN,
      list: [`Bearer ${'x'.repeat(20)}`, `whsec_${'b'.repeat(24)}`, `sk-ant-api03-${'c'.repeat(30)}`, 'plain'],
      pem: '-----BEGIN PRIVATE KEY-----\nMIIE…',
    });
    expect(v).toEqual({ note: REDACTED, list: [REDACTED, REDACTED, REDACTED, 'plain'], pem: REDACTED });
    expect(JSON.stringify(v)).not.toContain(TOKEN);
  });

  it('bounds size: long strings become length and digest, deep nesting and long arrays are cut', () => {
    const long = 'y'.repeat(5000);
    const v = redactSecrets(
      { yaml: long, deep: { a: { b: { c: 1 } } }, items: [1, 2, 3, 4] },
      {
        maxDepth: 3,
        maxItems: 3,
      },
    ) as Record<string, unknown>;
    expect(v.yaml).toMatch(/^\[5000 chars, sha256:[0-9a-f]{64}\]$/);
    expect(v.deep).toEqual({ a: { b: '[…]' } });
    expect(v.items).toEqual([1, 2, 3, '[+1 more]']);
  });

  it('turns values JSON cannot hold into JSON ones', () => {
    expect(
      redactSecrets({ n: Number.NaN, b: Buffer.from('abc'), d: new Date(0), u: undefined, f: () => 1, big: 10n }),
    ).toEqual({ n: null, b: '[3 bytes]', d: '1970-01-01T00:00:00.000Z', big: '10' });
    expect(redactSecrets([undefined])).toEqual([null]);
  });

  it('replaces lone surrogates in strings and names, which canonical JSON refuses', () => {
    const v = redactSecrets(JSON.parse('{"a\\ud800": "x\\udfff", "ok": "😀"}'));
    expect(v).toEqual({ 'a\ufffd': 'x\ufffd', ok: '😀' });
  });

  it('names and values', () => {
    for (const n of ['token', 'accessToken', 'key', 'gateway_keys', 'PRIVATE_KEY', 'cookie', 'credentials']) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of ['name', 'role', 'scope', 'keyword', 'reason', 'owner']) expect(isSecretName(n), n).toBe(false);
    expect(looksLikeSecret(`x ${TOKEN} y`)).toBe(true);
    expect(looksLikeSecret('stw_admin_short')).toBe(false);
  });
});
