import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureJson } from '../../test/support/fixtures.js';
import { startTestSteward, type TestSteward } from '../../test/support/steward.js';

/**
 * The governance inventories through real HTTP with real tokens on both engines, and declared vs observed against
 * a real Claude Code capture: the MCP scenario (`mcp_server.name` = `custom`, reported without the detail flags).
 */
const G = '/api/v1/governance';
/** Just after the capture (2026-11-21T05:15Z): the 90-day observation window covers it. */
const AT = '2026-11-22T00:00:00.000Z';

type Json = Record<string, unknown>;

describe.each(['sqlite', 'postgres'] as const)('governance API on %s', (dialect) => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward({ dialect });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const send = async (method: string, path: string, body?: unknown, role: 'admin' | 'analyst' = 'admin') => {
    const res = await t.api(`${G}${path}`, {
      method,
      role,
      ...(body === undefined
        ? {}
        : typeof body === 'string'
          ? { headers: { 'content-type': 'text/plain' }, body }
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Json & { error?: { code: string; message: string } } };
  };

  it('adds, changes and reviews a connector, recording each change with the token that made it', async () => {
    const denied = await send('POST', '/connectors', { name: 'github', transport: 'app' }, 'analyst');
    expect(denied.status).toBe(403);
    const created = await send('POST', '/connectors', {
      name: 'github',
      publisher: 'GitHub',
      transport: 'http',
      url: 'https://api.githubcopilot.com/mcp/',
      owner: 'it@example.com',
      oauth_scopes: ['repo:read'],
      tools: [{ name: 'create_issue', access: 'write', policy: 'needs_approval' }],
      data_classes: ['source_code'],
      risk: 'medium',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ kind: 'connector', status: 'requested', review_cadence: 'quarterly' });

    const bad = await send('PATCH', `/connectors/${id}`, { risk: 'extreme' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/^risk: /);
    // PostgreSQL cannot store NUL characters: refused on both engines alike, naming the field.
    const nul = await send('PATCH', `/connectors/${id}`, { publisher: 'Git\u0000Hub' });
    expect(nul.status).toBe(400);
    expect(nul.body.error?.message).toBe('publisher: must not contain NUL characters');
    const nulUrl = await send('PATCH', `/connectors/${id}`, { url: 'https://example.com/\u0000' });
    expect(nulUrl.body.error?.message).toBe('url: must not contain NUL characters');
    const unknown = await send('PATCH', `/connectors/${id}`, { colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toContain('colour');

    const patched = await send('PATCH', `/connectors/${id}`, {
      risk: 'high',
      oauth_scopes: ['repo:read', 'issues:write'],
    });
    expect(patched).toMatchObject({ status: 200, body: { risk: 'high', oauth_scopes: ['repo:read', 'issues:write'] } });
    const reviewed = await send('POST', `/connectors/${id}/review`, {});
    expect(reviewed.body.last_reviewed_at).toEqual(expect.any(String));

    const history = await t.getJson<{ items: Json[] }>(`${G}/connectors/${id}/history`);
    expect(history.items.map((h) => h.action)).toEqual(['create', 'update', 'review']);
    expect(history.items[1]).toMatchObject({
      actor: expect.stringMatching(/admin \(token [0-9a-f-]{36}\)$/),
      before: { risk: 'medium', oauth_scopes: ['repo:read'] },
      after: { risk: 'high', oauth_scopes: ['repo:read', 'issues:write'] },
    });
  });

  it('documents the routes in the OpenAPI document, with their roles', async () => {
    const doc = (await (await t.api('/api/v1/openapi.json', { role: null })).json()) as {
      paths: Record<string, Record<string, { 'x-steward-roles': unknown; requestBody?: unknown }>>;
    };
    expect(doc.paths[`${G}/connectors/{id}`]?.patch).toMatchObject({ 'x-steward-roles': ['admin'] });
    expect(doc.paths[`${G}/connectors/{id}/decision`]?.post?.requestBody).toBeDefined();
    expect(doc.paths[`${G}/findings`]?.get).toMatchObject({ 'x-steward-roles': ['admin', 'analyst'] });
  });

  it('moves a connector by decision and refuses an invalid transition with a 409 naming it', async () => {
    const { body } = await send('POST', '/connectors', { name: 'slack', transport: 'app' });
    const id = body.id as string;
    const invalid = await send('POST', `/connectors/${id}/decision`, { status: 'retired', reason: 'never used' });
    expect(invalid.status).toBe(409);
    expect(invalid.body.error).toMatchObject({ code: 'invalid_transition' });
    expect(invalid.body.error?.message).toContain('from requested to retired');
    const noStatusPatch = await send('PATCH', `/connectors/${id}`, { status: 'approved' });
    expect(noStatusPatch.status).toBe(400);
    const approved = await send('POST', `/connectors/${id}/decision`, {
      status: 'approved',
      reason: 'read-only use approved',
      reference: 'forum 2026-11',
    });
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved' } });
    const retired = await send('DELETE', `/connectors/${id}`);
    expect(retired).toMatchObject({ status: 200, body: { status: 'retired' } });
    const decisions = await t.getJson<{ items: Json[] }>(`${G}/connectors/${id}/decisions`);
    expect(decisions.items).toMatchObject([
      { from: 'requested', to: 'approved', reference: 'forum 2026-11', decided_by: expect.stringContaining('admin') },
      { from: 'approved', to: 'retired' },
    ]);
  });

  it('publishes a policy version, records acknowledgements and lists reminders', async () => {
    const { body } = await send('POST', '/policies', {
      name: 'Acceptable use of Claude',
      owner: 'ciso@example.com',
      home: 'https://wiki.example.com/aup',
      rules: [{ groups: ['*'], data_classes: ['restricted'], surfaces: ['*'], effect: 'deny' }],
    });
    const id = body.id as string;
    const badRule = await send('PATCH', `/policies/${id}`, {
      rules: [{ groups: ['everyone'], data_classes: ['x'], surfaces: ['cowork'], effect: 'allow' }],
    });
    expect(badRule.body.error?.message).toMatch(/^rules\.0\.groups\.0: /);
    const v = await send('POST', `/policies/${id}/versions`, { body_md: '# AUP', effective_date: '2026-12-01' });
    expect(v).toMatchObject({ status: 201, body: { version: 1, owner: 'ciso@example.com' } });
    const ack = await send('POST', `/policies/${id}/acknowledgements`, { person: 'Ann@Example.com' });
    expect(ack.body).toMatchObject({ version: 1, person: 'ann@example.com', recorded: true });
    const listed = await t.getJson<{ items: Json[] }>(`${G}/policies/${id}`.replace(`/${id}`, ''));
    expect(listed.items.find((p) => p.id === id)).toMatchObject({ current_version: 1 });
    const acks = await t.getJson<{ items: Json[] }>(`${G}/policies/${id}/acknowledgements`);
    expect(acks.items).toMatchObject([{ person: 'ann@example.com', version: 1 }]);
    const reminders = await t.getJson<Json>(`${G}/policies/${id}/reminders`);
    expect(reminders).toMatchObject({ policy_id: id, version: 1, people: [] });
  });

  it('imports a skill from a SKILL.md body', async () => {
    const md = '---\nname: release-notes\ndescription: Drafts release notes\nowner: pm@example.com\n---\nWrite them.\n';
    const created = await send('POST', '/skills/import', md);
    expect(created).toMatchObject({
      status: 201,
      body: { name: 'release-notes', owner: 'pm@example.com', source: 'project' },
    });
    const again = await send('POST', '/skills/import', { skill_md: md, source: 'organisation' });
    expect(again).toMatchObject({ status: 200, body: { id: created.body.id, source: 'organisation' } });
    const broken = await send('POST', '/skills/import', '---\nname: [unclosed\n---\n');
    expect(broken.status).toBe(400);
  });

  it('reports the MCP server seen in the capture as undeclared until it is declared, and an overdue review', async () => {
    const res = await t.postOtlp('logs', fixtureJson('otlp/scenarios/mcp-without-detail-flags-logs.json'));
    expect(res.status).toBe(200);
    const { body } = await send('POST', '/workspaces', {
      name: 'Close',
      owner: 'fin@example.com',
      review_cadence: 'quarterly',
      last_reviewed_at: '2026-01-05T00:00:00.000Z',
    });
    const findings = async () => (await t.getJson<{ items: Json[] }>(`${G}/findings?at=${AT}`)).items;
    const before = await findings();
    expect(before).toContainEqual(
      expect.objectContaining({
        kind: 'undeclared',
        object_kind: 'connector',
        object_id: null,
        subject: 'custom',
        first_seen: expect.stringMatching(/^2026-11-21T0[45]:/),
        people: 1,
        seen_by: [expect.any(String)],
      }),
    );
    expect(before).toContainEqual(
      expect.objectContaining({ kind: 'review_overdue', object_id: body.id, since: '2026-04-05T00:00:00.000Z' }),
    );
    // The capture's plugins are undeclared too (object kind skill: plugins are declared by the skills they ship).
    expect(before.filter((f) => f.kind === 'undeclared' && f.object_kind === 'skill').map((f) => f.subject)).toEqual(
      expect.arrayContaining(['cc-plugin-privacy']),
    );

    await send('POST', '/connectors', { name: 'Custom', transport: 'stdio', command: 'probe-mcp' });
    // A skill that ships in a plugin declares the plugin.
    await send('POST', '/skills', { name: 'privacy-review', source: 'plugin', plugin: 'CC-Plugin-Privacy' });
    const after = await findings();
    expect(after.some((f) => f.kind === 'undeclared' && f.subject === 'custom')).toBe(false);
    expect(after.some((f) => f.kind === 'undeclared' && f.subject === 'cc-plugin-privacy')).toBe(false);
    expect(after.some((f) => f.kind === 'undeclared' && f.subject === 'cc-plugin-agents-md')).toBe(true);
    const only = await t.getJson<{ items: Json[] }>(`${G}/findings?at=${AT}&kind=review_overdue`);
    expect(only.items.every((f) => f.kind === 'review_overdue')).toBe(true);
  });
});
