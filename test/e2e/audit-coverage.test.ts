import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicyText } from '../../src/api/policy-source.js';
import type { SearchPage, SearchResult } from '../../src/audit/vault-search.js';
import type { AuditEntry } from '../../src/contracts/audit.js';
import { engines } from '../support/engines.js';
import { claudeLogs } from '../support/otlp.js';
import { startTestSteward, waitFor, type TestSteward } from '../support/steward.js';

/**
 * What is audited (issue 7, docs/audit.md "What is audited"), over real HTTP on both engines: admin actions and
 * configuration changes (the REST trail), logins, refused authentication and token use, governance changes and
 * policy versions (appended in their own transactions), forum decisions, exports, and legal holds — each with the
 * right actor, action and subject, and no token anywhere in the vault's stored leaves.
 */
type Json = Record<string, unknown>;

describe.each(engines)('what is audited, on %s', (dialect) => {
  let s: TestSteward;
  let adminId: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    s = await startTestSteward({ dialect, config: { audit: { checkpointIntervalMs: 0 } } });
    secrets.push(s.tokens.admin, s.tokens.analyst, s.tokens.ingest);
    const login = await s.api('/api/v1/auth/login', {
      method: 'POST',
      role: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: s.tokens.admin }),
    });
    expect(login.status).toBe(200);
    adminId = ((await login.json()) as { token_id: string }).token_id;
  });
  afterAll(async () => {
    await s?.stop();
  });

  const send = async (method: string, path: string, body?: unknown, role: 'admin' | 'analyst' = 'admin') => {
    const res = await s.api(path, {
      method,
      role,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Json };
  };

  /** Entries matching the query and `pick`, once they are in the vault (entries are recorded after the response). */
  async function entries(query: string, pick: (e: AuditEntry) => boolean = () => true, min = 1): Promise<AuditEntry[]> {
    return waitFor(async () => {
      await s.steward.audit.recorder.flush();
      const page = (await (await s.api(`/api/v1/audit?limit=500&${query}`)).json()) as SearchPage;
      const found = page.items.map((i) => i.entry).filter((e): e is AuditEntry => e !== null && pick(e));
      return found.length >= min ? found : null;
    });
  }

  it('records an admin action after the response: actor, subject (the created id, never the token), source, body', async () => {
    const created = await send('POST', '/api/v1/keys', { role: 'analyst', name: 'audited key' });
    expect(created.status).toBe(201);
    secrets.push(created.body.token as string);
    const id = created.body.id as string;
    const [create] = await entries('action=keys.create', (e) => e.subject?.id === id);
    expect(create).toMatchObject({
      actor: { kind: 'token', id: adminId, role: 'admin' },
      action: 'keys.create',
      subject: { kind: 'keys', id },
      source: { ip: expect.stringMatching(/127\.0\.0\.1/) },
      outcome: 'success',
      after: { role: 'analyst', name: 'audited key' },
      details: { status: 201, route: 'POST /api/v1/keys' },
    });
    expect((await send('DELETE', `/api/v1/keys/${id}`)).status).toBe(200);
    const [revoke] = await entries('action=keys.delete', (e) => e.subject?.id === id);
    expect(revoke).toMatchObject({ subject: { kind: 'keys', id }, details: { route: 'DELETE /api/v1/keys/{id}' } });

    // Refusals are admin actions too: a 400 with its error code, a 403 with the analyst who tried.
    expect((await send('POST', '/api/v1/keys', { role: 'root', name: 'x' })).status).toBe(400);
    const [bad] = await entries('action=keys.create', (e) => e.outcome === 'failure' && e.actor.role === 'admin');
    expect(bad?.details).toMatchObject({ status: 400, error: 'invalid_query' });
    expect((await send('POST', '/api/v1/keys', { role: 'admin', name: 'x' }, 'analyst')).status).toBe(403);
    const [forbidden] = await entries('action=keys.create', (e) => e.actor.role === 'analyst');
    expect(forbidden).toMatchObject({ outcome: 'failure', details: { status: 403, error: 'forbidden' } });
  });

  it('records configuration changes with the body as after, credentials removed', async () => {
    const budget = await send('POST', '/api/v1/budgets', {
      scope: 'team:audit',
      window: 'daily',
      limit_usd: 10,
      action: 'warn',
    });
    expect(budget.status).toBe(201);
    const [entry] = await entries(`subject=${budget.body.id as string}`);
    expect(entry).toMatchObject({
      action: 'budgets.create',
      subject: { kind: 'budgets', id: budget.body.id },
      after: { scope: 'team:audit', window: 'daily', limit_usd: 10, action: 'warn' },
    });
    // A body carrying something credential-shaped keeps the member, not the value (refused or not).
    await send('PUT', '/api/v1/governance/raci', { roles: ['x'], activities: [], api_key: s.tokens.admin });
    const [raci] = await entries('action=governance.raci.update');
    expect(raci?.after).toMatchObject({ api_key: '[redacted]' });
  });

  it('records logins (success by token id, failure by address only) and refused authentication, coalesced', async () => {
    const [ok] = await entries('action=auth.login', (e) => e.outcome === 'success');
    expect(ok).toMatchObject({ actor: { kind: 'token', id: adminId }, subject: { kind: 'token', id: adminId } });
    const wrong = `stw_admin_${'x'.repeat(43)}`;
    secrets.push(wrong);
    const failed = await s.api('/api/v1/auth/login', {
      method: 'POST',
      role: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: wrong }),
    });
    expect(failed.status).toBe(401);
    const [refusedLogin] = await entries('action=auth.login', (e) => e.outcome === 'failure');
    expect(refusedLogin?.actor).toEqual({ kind: 'anonymous', id: expect.stringMatching(/127\.0\.0\.1/) });

    for (let i = 0; i < 25; i++) {
      const res = await fetch(`${s.url}/api/v1/people`, { headers: { authorization: `Bearer ${wrong}` } });
      expect(res.status).toBe(401);
    }
    await s.steward.audit.recorder.flush();
    // The first of the minute at once; the rest of it becomes one entry with their count when the minute ends (a
    // second first entry only if the requests straddled a minute boundary).
    const refused = await entries('action=auth.failure');
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(refused.at(-1)).toMatchObject({ actor: { kind: 'anonymous' }, outcome: 'failure', details: { count: 1 } });
  });

  it('records the first use of each token in the hour, for ingest too', async () => {
    expect((await s.postOtlp('logs', claudeLogs({ sessionId: 'audited', count: 1 }))).status).toBe(200);
    const used = await entries('action=token.use', (e) => e.actor.role === 'ingest');
    expect(used).toHaveLength(1);
    expect(used[0]?.details).toMatchObject({ role: 'ingest', route: 'POST /v1/logs' });
    await s.getJson('/api/v1/people');
    const analyst = await entries('action=token.use', (e) => e.actor.role === 'analyst');
    expect(analyst).toHaveLength(1);
  });

  it('appends governance changes in their own transaction, beside the route entry', async () => {
    const created = await send('POST', '/api/v1/governance/connectors', {
      name: 'audited-mcp',
      transport: 'stdio',
      command: 'audited-mcp',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const both = await entries(`subject=${id}`, () => true, 2);
    const actions = both.map((e) => e.action).sort();
    expect(actions).toEqual(['governance.connectors.create', 'governance.object.create']);
    const change = both.find((e) => e.action === 'governance.object.create');
    expect(change).toMatchObject({
      actor: { kind: 'token', id: adminId },
      subject: { kind: 'connector', id },
      after: { name: 'audited-mcp', status: 'requested' },
      details: { name: 'audited-mcp' },
    });
    expect(change?.before).toBeUndefined();

    const decided = await send('POST', `/api/v1/governance/connectors/${id}/decision`, {
      status: 'approved',
      reason: 'reviewed',
    });
    expect(decided.status).toBe(200);
    const [decision] = await entries('action=governance.connector.decision', (e) => e.subject?.id === id);
    expect(decision).toMatchObject({ before: { status: 'requested' }, after: { status: 'approved' } });
  });

  it('appends policy versions as they are published and activated', async () => {
    const pushed = await send('POST', '/api/v1/policy/versions', {
      yaml: defaultPolicyText().text,
      comment: 'audited',
      activate: true,
    });
    expect(pushed.status).toBe(201);
    const id = pushed.body.id as string;
    const [publish] = await entries('action=policy.version.publish', (e) => e.subject?.id === id);
    expect(publish).toMatchObject({
      actor: { kind: 'token', id: adminId },
      after: { id, version: pushed.body.version, comment: 'audited', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const [activate] = await entries('action=policy.version.activate', (e) => e.subject?.id === id);
    expect(activate?.after).toMatchObject({ id, status: 'active' });
    // The policy text stays in the store; the route entry keeps its length and digest.
    const [route] = await entries('action=policy.versions.create', (e) => e.subject?.id === id);
    expect(JSON.stringify(route?.after)).not.toContain('rules:');
  });

  it('appends forum decisions with the change they made', async () => {
    await send('POST', '/api/v1/governance/connectors', { name: 'forum-mcp', transport: 'stdio', command: 'f' });
    const meeting = await send('POST', '/api/v1/governance/meetings', {
      held_at: '2026-05-01',
      attendees: ['ciso@example.com'],
      decisions: ['approve connector forum-mcp'],
    });
    expect(meeting.status).toBe(201);
    const [decision] = await entries('action=forum.decision', (e) => e.subject?.id === meeting.body.id);
    expect(decision).toMatchObject({
      actor: { kind: 'token', id: adminId },
      after: { text: 'approve connector forum-mcp', outcome: { name: 'forum-mcp', from: 'requested', to: 'approved' } },
    });
    // The change it made is appended too, by the same actor.
    const [change] = await entries('action=governance.connector.decision', (e) => e.details?.name === 'forum-mcp');
    expect(change).toMatchObject({ actor: { kind: 'token', id: adminId }, after: { status: 'approved' } });
  });

  it('records exports served over GET, and not the same data read as JSON', async () => {
    const md = await s.api('/api/v1/governance/export?format=md', { role: 'analyst' });
    expect(md.status).toBe(200);
    await md.text();
    const [exported] = await entries('action=export.governance');
    expect(exported).toMatchObject({
      actor: { kind: 'token', role: 'analyst' },
      details: { route: 'GET /api/v1/governance/export', query: { format: 'md' } },
    });
    await (await s.api('/api/v1/governance/scorecard', { role: 'analyst' })).text();
    await (await s.api('/api/v1/governance/scorecard?format=md', { role: 'analyst' })).text();
    const scorecards = await entries('action=export.scorecard');
    expect(scorecards).toHaveLength(1);
  });

  it('places and releases holds over REST, verifies the vault, and shows proof status after a checkpoint', async () => {
    const hold = await send('POST', '/api/v1/audit/holds', {
      name: 'case 42',
      reason: 'litigation',
      actor: adminId,
      from: '2026-01-01T00:00:00Z',
    });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ name: 'case 42', actor: adminId, from: '2026-01-01T00:00:00.000Z' });
    const holdId = hold.body.id as string;
    expect(((await send('GET', '/api/v1/audit/holds')).body.items as Json[]).map((h) => h.id)).toContain(holdId);
    expect((await send('GET', '/api/v1/audit/holds', undefined, 'analyst')).status).toBe(403);
    expect((await send('DELETE', `/api/v1/audit/holds/${holdId}`)).status).toBe(200);
    expect((await send('DELETE', `/api/v1/audit/holds/${holdId}`)).status).toBe(404);
    const placed = await entries('subject=' + holdId, () => true, 4);
    expect(placed.map((e) => e.action).sort()).toEqual(
      expect.arrayContaining(['audit.hold.create', 'audit.hold.release', 'audit.holds.create', 'audit.holds.delete']),
    );
    expect((await send('POST', '/api/v1/audit/holds', { name: 'x', reason: 'y', from: 2, to: 1 })).status).toBe(400);
    // A lone surrogate (valid JSON, not I-JSON) must not make an entry the vault cannot hash and so block the rest.
    const odd = await s.api('/api/v1/audit/holds', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "case \\ud800", "reason": "r\\udfff", "subject": "x\\ud800"}',
    });
    expect(odd.status).toBe(201);
    const oddId = ((await odd.json()) as Json).id;
    const [oddEntry] = await entries('action=audit.hold.create', (e) => e.subject?.id === oddId);
    expect(oddEntry?.after).toMatchObject({ name: 'case \ufffd', reason: 'r\ufffd', subjectId: 'x\ufffd' });

    await s.steward.audit.recorder.flush();
    expect((await send('POST', '/api/v1/audit/checkpoint')).status).toBe(201);
    const verify = await send('GET', '/api/v1/audit/verify');
    expect(verify.body).toMatchObject({ ok: true, firstBadIndex: null });
    const page = (await (await s.api('/api/v1/audit?action=keys.create&limit=5')).json()) as SearchPage;
    expect(page.items.map((i: SearchResult) => i.proof)).toEqual(page.items.map(() => 'verified'));
  });

  it('keeps no token anywhere in the vault', async () => {
    await s.steward.audit.recorder.flush();
    const rows = await s.steward.store.db.selectFrom('audit_entries').select('leaf').execute();
    expect(rows.length).toBeGreaterThan(10);
    const leaves = rows.map((r) => r.leaf ?? '').join('\n');
    for (const secret of secrets) expect(leaves).not.toContain(secret);
    expect(leaves).not.toMatch(/stw_(admin|analyst|ingest|gw)_[A-Za-z0-9_-]{43}/);
  });
});
