import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

interface PageBody<T> {
  items: T[];
  next_cursor: string | null;
}

describe.each(engines)('REST API on %s', (dialect) => {
  let t: TestSteward;
  const from = Date.parse('2026-11-21T05:00:00Z');
  const to = Date.parse('2026-11-21T06:00:00Z');

  beforeAll(async () => {
    t = await startTestSteward({ dialect });
    await t.sendCaptures();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('lists people with their department, and one person with aliases and sessions', async () => {
    const people = (await (await t.api('/api/v1/people')).json()) as PageBody<{ id: string; department: string }>;
    expect(people.items).toHaveLength(2);
    expect(people.items.every((p) => p.department === 'finance')).toBe(true);
    const one = (await (await t.api(`/api/v1/people/${people.items[0]!.id}`)).json()) as {
      aliases: { kind: string }[];
      recent_sessions: unknown[];
    };
    expect(one.aliases.map((a) => a.kind)).toContain('user.id');
    expect(one.recent_sessions).toHaveLength(1);
  });

  it('pages with stable cursors', async () => {
    const first = (await (await t.api('/api/v1/sessions?limit=1')).json()) as PageBody<{ id: string }>;
    expect(first.items).toHaveLength(1);
    expect(first.next_cursor).not.toBeNull();
    const second = (await (await t.api(`/api/v1/sessions?limit=1&cursor=${first.next_cursor}`)).json()) as PageBody<{
      id: string;
    }>;
    expect(second.items).toHaveLength(1);
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
    expect(second.next_cursor).toBeNull();
  });

  it('returns a session timeline grouped by prompt in the order things happened', async () => {
    const list = (await (await t.api('/api/v1/sessions')).json()) as PageBody<{ id: string }>;
    const detail = (await (await t.api(`/api/v1/sessions/${list.items[0]!.id}`)).json()) as {
      timeline: { prompt_id: string | null; events: { kind: string; time: string }[] }[];
    };
    const prompt = detail.timeline.find((g) => g.prompt_id !== null)!;
    const kinds = prompt.events.map((e) => e.kind).filter((k) => k !== 'hook' && k !== 'span');
    expect(kinds[0]).toBe('prompt');
    expect(kinds).toEqual(expect.arrayContaining(['api_request', 'tool_decision', 'tool_result', 'response']));
    expect(kinds.indexOf('tool_result')).toBeGreaterThan(kinds.indexOf('tool_decision'));
    const times = prompt.events.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('filters events in a required window and pages through them', async () => {
    const res = await t.api(`/api/v1/events?from=${from}&to=${to}&kind=api_request&limit=3`);
    const page = (await res.json()) as PageBody<{ kind: string; tokens: { input: number } }>;
    expect(page.items).toHaveLength(3);
    expect(page.items.every((e) => e.kind === 'api_request' && e.tokens.input === 123)).toBe(true);
    const rest = (await (
      await t.api(`/api/v1/events?from=${from}&to=${to}&kind=api_request&cursor=${page.next_cursor}`)
    ).json()) as PageBody<unknown>;
    expect(rest.items).toHaveLength(1);
  });

  it('summarises usage without conflating token types, grouped by model, day, department', async () => {
    const byModel = (await (await t.api(`/api/v1/usage/summary?from=${from}&to=${to}&group_by=model`)).json()) as {
      totals: { requests: number; tokens: Record<string, number>; cost_usd_estimate: number };
      groups: { key: string }[];
    };
    expect(byModel.totals.requests).toBe(4);
    expect(byModel.totals.tokens).toEqual({ input: 492, output: 180, cache_read: 356, cache_write: 268 });
    expect(byModel.totals.cost_usd_estimate).toBeGreaterThan(0);
    expect(byModel.groups.map((g) => g.key)).toEqual(['claude-opus-5-5']);
    const byDay = (await (await t.api(`/api/v1/usage/summary?from=${from}&to=${to}&group_by=day`)).json()) as {
      groups: { key: string }[];
    };
    expect(byDay.groups.map((g) => g.key)).toEqual(['2026-11-21']);
    const byDept = (await (await t.api(`/api/v1/usage/summary?from=${from}&to=${to}&group_by=department`)).json()) as {
      groups: { key: string }[];
    };
    expect(byDept.groups.map((g) => g.key)).toEqual(['finance']);
  });

  it('names the bad parameter in a 400', async () => {
    const missing = await t.api('/api/v1/events');
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_query');
    expect(body.error.message).toMatch(/from/);
    expect((await t.api(`/api/v1/events?from=${to}&to=${from}`)).status).toBe(400);
    expect((await t.api(`/api/v1/events?from=0&to=${to}`)).status).toBe(400); // wider than 92 days
    expect((await t.api('/api/v1/sessions?cursor=notacursor')).status).toBe(400);
    expect((await t.api('/api/v1/people?limit=100000')).status).toBe(400);
    expect((await t.api('/api/v1/people?bogus=1')).status).toBe(400);
    expect((await t.api('/api/v1/sessions/none')).status).toBe(404);
  });

  it('serves an OpenAPI document listing every REST route with its roles', async () => {
    const doc = (await (await t.api('/api/v1/openapi.json', { role: null })).json()) as {
      paths: Record<string, Record<string, { 'x-steward-roles': unknown }>>;
    };
    for (const p of [
      '/api/v1/people',
      '/api/v1/people/{id}',
      '/api/v1/sessions',
      '/api/v1/sessions/{id}',
      '/api/v1/events',
      '/api/v1/usage/summary',
      '/api/v1/analytics/adoption',
      '/api/v1/analytics/cost',
      '/api/v1/analytics/tools',
      '/api/v1/threads',
      '/api/v1/threads/{promptId}',
      '/api/v1/analytics/discovery',
      '/api/v1/analytics/graph',
    ]) {
      expect(doc.paths[p]?.get?.['x-steward-roles']).toEqual(['admin', 'analyst']);
    }
  });
});
