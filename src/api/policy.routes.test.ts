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

  it('decides with the shipped default policy while no version is active', async () => {
    const res = await post('/api/v1/policy/evaluate', { stage: 'prompt', findings: [{ type: 'github_token' }] });
    expect(await res.json()).toMatchObject({
      policy: { source: 'default', version: expect.stringMatching(/^default:/) },
      decision: { action: 'deny', ruleId: 'credentials', onFailure: 'closed' },
    });
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
  it('dry-runs a decision: scans text and tool input, never returns content, records nothing', async () => {
    const key = 'AKIAQ3EGRTKB7NZ4WXPL'; // AWS-shaped, not a real key nor AWS's documented example
    const res = await post('/api/v1/policy/evaluate', { stage: 'prompt', text: `deploy with ${key} now` }, 'analyst');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      policy: { source: string; version: string };
      decision: { action: string; ruleId: string; message: string; policyVersion: string };
      findings: { type: string; in: string; start: number; end: number }[];
    };
    // Version 2 (from the test above) is active and denies secrets.
    expect(body.policy).toMatchObject({ source: 'active', version: 'v2' });
    expect(body.decision).toMatchObject({ action: 'deny', ruleId: 'no-secrets', policyVersion: 'v2' });
    expect(body.findings).toContainEqual(expect.objectContaining({ type: 'aws_access_key_id', in: 'text', start: 12 }));
    expect(JSON.stringify(body)).not.toContain(key);

    const tool = await post('/api/v1/policy/evaluate', {
      stage: 'tool_call',
      tool: 'Bash',
      toolInput: { command: 'git push origin main' },
    });
    expect(((await tool.json()) as { decision: { action: string } }).decision.action).toBe('ask');
  });

  it('dry-runs against a stored version or a draft, and refuses bad input', async () => {
    const v1 = await post('/api/v1/policy/evaluate', {
      stage: 'tool_call',
      tool: 'Bash',
      toolInput: { command: 'git push origin main' },
      version: 'v1',
    });
    expect(await v1.json()).toMatchObject({
      policy: { source: 'stored', version: 'v1' },
      decision: { action: 'allow' },
    });
    const draft = await post('/api/v1/policy/evaluate', {
      stage: 'prompt',
      findings: [{ type: 'email' }],
      policy: 'version: 1\nname: d\nrules: [{ id: pii, action: redact, when: { content: personal } }]\n',
    });
    expect(await draft.json()).toMatchObject({
      policy: { source: 'draft', version: expect.stringMatching(/^sha256:/) },
      decision: { action: 'redact', redact: [{ type: 'email', in: 'given' }] },
    });
    const missing = await post('/api/v1/policy/evaluate', { text: 'x' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/stage/);
    expect((await post('/api/v1/policy/evaluate', { stage: 'prompt', version: 'v42' })).status).toBe(404);
    expect((await post('/api/v1/policy/evaluate', { stage: 'prompt', version: 'v1', policy: 'x' })).status).toBe(400);
    expect((await post('/api/v1/policy/evaluate', { stage: 'prompt', policy: 'version: 1\n' })).status).toBe(400);
  });
});

describe('the shipped default policy', () => {
  it('loads from policies/default.yaml with a digest version', () => {
    expect(defaultPolicyText().version).toMatch(/^default:[0-9a-f]{12}$/);
    expect(defaultPolicy().rules.map((r) => r.id)).toContain('credentials');
  });
});
