import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/support/engines.js';
import { startTestSteward, type TestSteward } from '../../test/support/steward.js';

/**
 * `POST /api/v1/auth/login` on both engines: a valid token answers its role, name and id; anything else is a 400
 * (malformed body, naming the field) or 401 (not accepted) — 415 when the body is not JSON or text at all — and
 * never a 5xx (DESIGN §10: every parser survives fuzzing).
 */
describe.each(engines)('sign-in on %s', (dialect) => {
  let s: TestSteward;
  beforeAll(async () => {
    s = await startTestSteward({ dialect });
  });
  afterAll(async () => {
    await s?.stop();
  });

  const login = (body: string | Uint8Array, type: string | null = 'application/json') =>
    fetch(`${s.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: type === null ? {} : { 'content-type': type },
      body,
    });

  it('answers a valid token with its role, name and id, and refuses others with 401', async () => {
    for (const role of ['admin', 'analyst', 'ingest'] as const) {
      const res = await login(JSON.stringify({ token: s.tokens[role] }));
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({ role, name: expect.any(String), token_id: expect.any(String) });
      expect(JSON.stringify(body)).not.toContain(s.tokens[role]);
    }
    const wrong = await login(JSON.stringify({ token: `stw_admin_${'A'.repeat(43)}` }));
    expect(wrong.status).toBe(401);
    const error = (await wrong.json()) as { error: { code: string; message: string } };
    expect(error.error.code).toBe('unauthenticated');
    expect(error.error.message).not.toContain('AAAA');
  });

  it('survives malformed bodies with a 4xx, never a 5xx', async () => {
    const fixed: [string | Uint8Array, string | null][] = [
      ['', 'application/json'],
      ['null', 'application/json'],
      ['[]', 'application/json'],
      ['"stw_admin_x"', 'application/json'],
      ['{"token": 1}', 'application/json'],
      ['{"token": ""}', 'application/json'],
      ['{"token": null}', 'application/json'],
      ['{"token": ["a"]}', 'application/json'],
      [`{"token": "${'x'.repeat(600)}"}`, 'application/json'],
      ['{"token": "a", "role": "admin"}', 'application/json'],
      ['{"token": "\\ud800"}', 'application/json'],
      ['{"token": "a"', 'application/json'],
      ['{"__proto__": {"token": "a"}}', 'application/json'],
      ['token=stw_admin_x', 'application/x-www-form-urlencoded'],
      ['stw_admin_x', 'text/plain'],
      [new Uint8Array([0xff, 0xfe, 0x00, 0x01]), 'application/octet-stream'],
      ['{"token":"a"}', null],
    ];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) as number;
    const pieces = ['{', '}', '[', ']', '"token"', ':', ',', '"', 'null', '1e999', '-0', '"\\u0000"', 'true', ' '];
    for (let i = 0; i < 150; i++) {
      let text = '';
      for (let j = 0, n = 1 + Math.floor(rand() * 12); j < n; j++) text += pieces[Math.floor(rand() * pieces.length)];
      fixed.push([text, 'application/json']);
    }
    const failures: string[] = [];
    for (const [body, type] of fixed) {
      const res = await login(body, type);
      const text = await res.text();
      if (![400, 401, 415].includes(res.status)) failures.push(`${res.status} for ${String(body).slice(0, 60)}`);
      if (res.status >= 400 && !text.includes('"code"'))
        failures.push(`no error body for ${String(body).slice(0, 60)}`);
    }
    expect(failures).toEqual([]);
  });
});
