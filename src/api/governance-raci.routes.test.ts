import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSteward, type TestSteward } from '../../test/support/steward.js';

/** The RACI API through real HTTP with real tokens. */
describe('RACI API', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const send = (method: 'PUT' | 'PATCH', body: unknown, role: 'admin' | 'analyst' = 'admin') =>
    t.api('/api/v1/governance/raci', {
      method,
      role,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('serves the seeded matrix, valid, before any save', async () => {
    const raci = await t.getJson<{ roles: string[]; activities: { name: string }[]; valid: boolean; version: number }>(
      '/api/v1/governance/raci',
    );
    expect(raci.roles).toEqual(['sponsor', 'pilot owner', 'IT', 'security', 'outside partner']);
    expect(raci.activities.map((a) => a.name)).toEqual([
      'workspace creation',
      'connector approval',
      'skill development',
      'incident response',
      'quarterly review',
    ]);
    expect(raci).toMatchObject({ valid: true, version: 0 });
  });

  it('refuses a matrix with two As with a 400 naming the activity, and saves nothing', async () => {
    const res = await send('PUT', {
      roles: ['IT', 'security'],
      activities: [{ name: 'connector approval', cells: { IT: 'A/R', security: 'A' } }],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { problems: unknown[] } } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toBe(
      "activity 'connector approval' has 2 accountable roles (IT, security); exactly one is required",
    );
    expect(body.error.details.problems).toEqual([
      { activity: 'connector approval', field: 'activities[0].cells', message: body.error.message },
    ]);
    expect((await t.getJson<{ version: number }>('/api/v1/governance/raci')).version).toBe(0);
  });

  it('names the bad field of a malformed body, and refuses analysts', async () => {
    const res = await send('PUT', { roles: ['IT'], activities: [{ name: 'x', cells: { IT: 'Z' } }], extra: 1 });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/activities\.0\.cells\.IT|extra/);
    expect((await send('PUT', { roles: ['IT'], activities: [] }, 'analyst')).status).toBe(403);
  });

  it('replaces the matrix, sets cells together, exports CSV and Markdown, and keeps the history', async () => {
    const put = await send('PUT', {
      roles: ['IT', 'security'],
      activities: [{ name: 'connector approval', cells: { IT: 'a, r', security: 'c' } }],
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      activities: [{ name: 'connector approval', cells: { IT: 'RA', security: 'C' } }],
      valid: true,
      version: 1,
    });
    // Moving the A alone would leave none or two: one PATCH sets both cells.
    const lone = await send('PATCH', { cells: [{ activity: 'connector approval', role: 'security', value: 'A' }] });
    expect(lone.status).toBe(400);
    expect(await lone.text()).toContain("activity 'connector approval' has 2 accountable roles (IT, security)");
    const moved = await send('PATCH', {
      cells: [
        { activity: 'connector approval', role: 'security', value: 'A' },
        { activity: 'connector approval', role: 'IT', value: 'R' },
      ],
    });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ activities: [{ cells: { IT: 'R', security: 'A' } }], version: 2 });
    const unknown = await send('PATCH', { cells: [{ activity: 'budgeting', role: 'IT', value: 'R' }] });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("no activity 'budgeting'");

    const csv = await t.api('/api/v1/governance/raci/export?format=csv', { role: 'analyst' });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toBe('activity,IT,security\r\nconnector approval,R,A\r\n');
    const md = await t.api('/api/v1/governance/raci/export', { role: 'analyst' });
    expect(await md.text()).toMatch(
      /^\| Activity \| IT \| security \|\n\| --- \| :---: \| :---: \|\n\| connector approval \| R \| A \|\n/,
    );
    const history = await t.getJson<{ items: { version: number; actor: string; before: unknown }[] }>(
      '/api/v1/governance/raci/history',
    );
    expect(history.items.map((h) => h.version)).toEqual([2, 1]);
    expect(history.items[1]).toMatchObject({ before: null, actor: expect.stringContaining('token') });
  });
});
