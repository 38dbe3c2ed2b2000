import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteOrgKeys, newRedis, REDIS_URL, subject, usd } from '../../test/support/budget-rig.js';
import { startTestSteward, type TestSteward } from '../../test/support/steward.js';

/**
 * The budgets API through real HTTP with real tokens: SQLite with in-process counters, PostgreSQL with Redis.
 * The gate the routes report on is the one the server built (steward.app.budgets), used here as the gateway would.
 */
describe.each([
  ['sqlite', false],
  ['postgres', true],
] as const)('budgets API on %s (redis: %s)', (dialect, withRedis) => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward({ dialect, ...(withRedis ? { config: { redisUrl: REDIS_URL } } : {}) });
  });
  const created: string[] = [];
  afterAll(async () => {
    if (withRedis) {
      // Organisation `default` may be in use by other suites on this Redis: only this suite's budgets' keys go.
      const r = newRedis();
      await deleteOrgKeys(r, 'default', created);
      r.disconnect();
    }
    await t?.stop();
  });

  const send = async (method: 'POST' | 'DELETE', path: string, body?: unknown, role: 'admin' | 'analyst' = 'admin') => {
    const res = await t.api(path, {
      method,
      role,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.clone().text();
    const id = /"id":"([0-9a-f-]{36})"/.exec(text)?.[1];
    if (id) created.push(id);
    return res;
  };

  it('creates a budget (201), updates it in place (200), and reports its spend, reservations and window', async () => {
    const gate = t.steward.app.budgets!;
    expect(gate.mode).toBe(withRedis ? 'redis' : 'memory');
    const created = await send('POST', '/api/v1/budgets', {
      scope: 'team:Platform',
      window: 'daily',
      limit_usd: 50,
      action: 'block',
    });
    expect(created.status).toBe(201);
    const b = (await created.json()) as { id: string };
    expect(b).toMatchObject({ scope: 'team:Platform', unit: 'usd', limit: 50, spent: 0, remaining: 50, warn_at: 0.8 });
    const updated = await send('POST', '/api/v1/budgets', {
      scope: 'team:Platform',
      window: 'daily',
      limit_usd: 10,
      action: 'block',
      message: 'Ask Ann for more.',
    });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ id: b.id, limit: 10, message: 'Ask Ann for more.' });

    const r = await gate.admit(subject(), usd(4));
    expect(r.outcome).toBe('allow');
    if (r.outcome === 'allow') await gate.settle(r.reservation, usd(2.5));
    await gate.admit(subject(), usd(3));
    const list = await t.getJson<{ items: Record<string, unknown>[] }>('/api/v1/budgets?scope=team%3APlatform');
    expect(list.items).toEqual([
      expect.objectContaining({ id: b.id, spent: 2.5, reserved: 3, remaining: 4.5, window_start: expect.any(String) }),
    ]);
    const refused = await gate.admit(subject(), usd(5));
    expect(refused).toMatchObject({ outcome: 'block', message: 'Ask Ann for more.' });
    const metrics = await (await t.api('/metrics', { role: 'analyst' })).text();
    expect(metrics).toMatch(/steward_budget_rejections_total\{action="block"\} 1/);
  });

  it('refuses bad budgets with a 400 naming the field, and writes only for admins', async () => {
    const both = await send('POST', '/api/v1/budgets', {
      scope: 'org',
      window: 'daily',
      limit_usd: 1,
      limit_tokens: 5,
      action: 'block',
    });
    expect(both.status).toBe(400);
    expect(await both.text()).toMatch(/limit_usd or limit_tokens/);
    const noRate = await send('POST', '/api/v1/budgets', {
      scope: 'org',
      window: '5h',
      limit_usd: 1,
      action: 'throttle',
    });
    expect(await noRate.text()).toMatch(/rate/);
    const badScope = await send('POST', '/api/v1/budgets', {
      scope: 'group:x',
      window: 'daily',
      limit_usd: 1,
      action: 'warn',
    });
    expect(badScope.status).toBe(400);
    expect(await badScope.text()).toMatch(/person:EMAIL/);
    const analyst = await send(
      'POST',
      '/api/v1/budgets',
      { scope: 'org', window: 'daily', limit_usd: 1, action: 'warn' },
      'analyst',
    );
    expect(analyst.status).toBe(403);
    expect((await send('DELETE', '/api/v1/budgets/nope')).status).toBe(404);
  });

  it('pauses an agent that has no budget (the kill switch) and resumes it; pauses and deletes by id', async () => {
    const gate = t.steward.app.budgets!;
    const bot = subject({ agent: 'release-bot', team: null, department: null, email: null });
    const paused = await send('POST', '/api/v1/budgets/pause', { scope: 'agent:release-bot' });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({
      items: [{ scope: 'agent:release-bot', paused: true, kill_switch: true }],
    });
    expect((await gate.admit(bot, usd(0))).outcome).toBe('paused');
    await send('POST', '/api/v1/budgets/resume', { scope: 'agent:release-bot' });
    expect((await gate.admit(bot, usd(0))).outcome).toBe('allow');

    const created = (await (
      await send('POST', '/api/v1/budgets', { scope: 'key:k1', window: 'monthly', limit_tokens: 1000, action: 'warn' })
    ).json()) as { id: string };
    expect(await (await send('POST', `/api/v1/budgets/${created.id}/pause`)).json()).toMatchObject({ paused: true });
    expect((await gate.admit(subject({ keyId: 'k1' }), usd(0))).outcome).toBe('paused');
    expect(await (await send('POST', `/api/v1/budgets/${created.id}/resume`)).json()).toMatchObject({ paused: false });
    expect(await t.getJson(`/api/v1/budgets/${created.id}`)).toMatchObject({ unit: 'tokens', limit: 1000 });
    expect(await (await send('DELETE', `/api/v1/budgets/${created.id}`)).json()).toEqual({ deleted: created.id });
    expect((await t.api(`/api/v1/budgets/${created.id}`, { role: 'analyst' })).status).toBe(404);
  });
});
