import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSteward, type TestSteward } from '../../test/support/steward.js';
import { defaultPolicy, defaultPolicyText } from './policy-source.js';

/** The policy API through real HTTP with real tokens, on SQLite and PostgreSQL. */
const V1 = `version: 1
name: first
rules:
  - id: no-secrets
    action: deny
    when: { content: secret }
`;
const V2 = `version: 1
name: second
rules:
  - id: no-secrets
    action: deny
    when: { content: secret }
  - id: ask-push
    action: ask
    when: { tools: ["Bash(git push *)"] }
`;

describe.each(['sqlite', 'postgres'] as const)('policy API on %s', (dialect) => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward({ dialect });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const post = (path: string, body: unknown, role: 'admin' | 'analyst' = 'admin') =>
    t.api(path, { method: 'POST', role, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('serves the JSON Schema to readers', async () => {
    const schema = await t.getJson<{ $schema: string; properties: Record<string, unknown> }>('/api/v1/policy/schema');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['version', 'name', 'defaults', 'rules']));
  });

  it('stores versions with author and comment, activates one at a time, diffs any two', async () => {
    const r1 = await post('/api/v1/policy/versions', { yaml: V1, comment: 'start', activate: true });
    expect(r1.status).toBe(201);
    const v1 = (await r1.json()) as { id: string; version: number; status: string; author: string; warnings: [] };
    expect(v1).toMatchObject({ version: 1, status: 'active', comment: 'start', warnings: [] });
    expect(v1.author).toMatch(/^bootstrap admin \(token [0-9a-f-]{36}\)$/);

    const v2 = (await (await post('/api/v1/policy/versions', { yaml: V2 })).json()) as { id: string; status: string };
    expect(v2.status).toBe('draft');

    const act = await post(`/api/v1/policy/versions/${v2.id}/activate`, {});
    expect(act.status).toBe(200);
    expect(await act.json()).toMatchObject({ version: 2, status: 'active' });

    const list = await t.getJson<{ items: { version: number; status: string }[] }>('/api/v1/policy/versions');
    expect(list.items.map((v) => [v.version, v.status])).toEqual([
      [2, 'active'],
      [1, 'retired'],
    ]);

    const one = await t.getJson<{ yaml: string; name: string }>('/api/v1/policy/versions/v1');
    expect(one).toMatchObject({ yaml: V1, name: 'first' });

    const diff = await t.getJson<{ unified: string; added: number; removed: number }>(
      `/api/v1/policy/versions/1/diff/${v2.id}`,
    );
    expect(diff).toMatchObject({ added: 4, removed: 1 });
    expect(diff.unified).toContain('--- v1\n+++ v2\n');
    expect(diff.unified).toContain('-name: first\n+name: second\n');
  });

  it('refuses a policy that does not load with 400 naming line, rule and path', async () => {
    const res = await post('/api/v1/policy/versions', { yaml: V1.replace('content: secret', 'content: secrets') });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { problems: unknown[] } } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(/request body:6:22: rule "no-secrets": rules\[0\]\.when\.content: "secrets"/);
    expect(body.error.details.problems[0]).toMatchObject({
      line: 6,
      rule: 'no-secrets',
      path: 'rules[0].when.content',
    });
  });

  it('answers 400 naming the field for a bad body, 404 for an unknown version, 403 to a reader writing', async () => {
    const bad = await post('/api/v1/policy/versions', { yml: V1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/yaml/);
    expect((await t.api('/api/v1/policy/versions/v99', { role: 'analyst' })).status).toBe(404);
    expect((await post('/api/v1/policy/versions/nope/activate', {})).status).toBe(404);
    expect((await t.api('/api/v1/policy/versions/1/diff/42', { role: 'analyst' })).status).toBe(404);
    expect((await post('/api/v1/policy/versions', { yaml: V1 }, 'analyst')).status).toBe(403);
  });
});

describe('the shipped default policy', () => {
  it('loads from policies/default.yaml with a digest version', () => {
    expect(defaultPolicyText().version).toMatch(/^default:[0-9a-f]{12}$/);
    expect(defaultPolicy().rules.map((r) => r.id)).toContain('credentials');
  });
});
