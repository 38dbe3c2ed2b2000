import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureJson } from '../../test/support/fixtures.js';
import { startTestSteward, type TestSteward } from '../../test/support/steward.js';

/**
 * The forum, the failure-mode findings and the scorecard through real HTTP with real tokens on both engines; scope
 * drift against a real Claude Code capture (the MCP scenario: server and tool reported as `custom`).
 */
const G = '/api/v1/governance';
/** Just after the capture (2026-11-21T05:15Z). */
const AT = '2026-11-22T00:00:00.000Z';

type Json = Record<string, unknown>;

describe.each(['sqlite', 'postgres'] as const)('forum API on %s', (dialect) => {
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
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Json & { error?: { code: string; message: string } } };
  };

  it('approves a requested connector in a meeting, and reports the MCP tool used outside its approved list', async () => {
    expect((await t.postOtlp('logs', fixtureJson('otlp/scenarios/mcp-without-detail-flags-logs.json'))).status).toBe(
      200,
    );
    const created = await send('POST', '/connectors', {
      name: 'Custom',
      transport: 'stdio',
      command: 'probe-mcp',
      tools: [{ name: 'search', access: 'read', policy: 'allow' }],
    });
    expect(created.status).toBe(201);
    const agenda = await t.api(`${G}/meetings/agenda.md?date=2026-11-21`, { role: 'analyst' });
    expect(agenda.headers.get('content-type')).toMatch(/^text\/markdown/);
    const md = await agenda.text();
    expect(md).toMatch(/## 3\. New connector requests\n\n\| connector .*\n.*\n\| Custom \|/);
    expect(md).toContain('Steward has no source for this');

    expect(
      (await send('POST', '/meetings', { held_at: '2026-11-21', attendees: ['a@example.com'] }, 'analyst')).status,
    ).toBe(403);
    const meeting = await send('POST', '/meetings', {
      held_at: '2026-11-21',
      attendees: ['ciso@example.com', 'it@example.com'],
      notes: 'November forum',
      decisions: ['Revisit retention in December'],
    });
    expect(meeting.status).toBe(201);
    const id = meeting.body.id as string;
    const decided = await send('POST', `/meetings/${id}/decisions`, {
      text: 'Custom approved for search only',
      action: { verb: 'approve', object_kind: 'connector', object: 'Custom', scopes: ['read'] },
    });
    expect(decided).toMatchObject({ status: 201, body: { seq: 2, outcome: { from: 'requested', to: 'approved' } } });
    const decisions = await t.getJson<{ items: Json[] }>(`${G}/connectors/${created.body.id as string}/decisions`);
    expect(decisions.items).toEqual([
      expect.objectContaining({ to: 'approved', reference: `forum meeting 2026-11-21 (${id})` }),
    ]);
    const withAgenda = await t.api(`${G}/meetings/${id}/agenda.md`, { role: 'analyst' });
    expect(await withAgenda.text()).toMatch(/^# Governance forum 2026-11-21 — agenda/);

    const drift = await t.getJson<{ items: Json[] }>(`${G}/findings?at=${AT}&kind=scope_drift`);
    expect(drift.items).toEqual([
      expect.objectContaining({
        kind: 'scope_drift',
        object_kind: 'connector',
        object_id: created.body.id,
        subject: 'Custom/custom',
        detail: expect.stringContaining('not in its approved tools (search)'),
      }),
    ]);
  });

  it('serves the scorecard as JSON, Markdown and PDF, and refuses a malformed quarter', async () => {
    const sc = await t.getJson<Json & { current: Json; previous: Json }>(`${G}/scorecard?quarter=2026-Q3`);
    expect(sc).toMatchObject({ title: 'Governance scorecard 2026-Q3', previous: { quarter: '2026-Q2' } });
    const md = await t.api(`${G}/scorecard?quarter=2026-Q3&format=md`, { role: 'analyst' });
    expect(await md.text()).toContain('| figure | 2026-Q3 | 2026-Q2 (last quarter) |');
    const pdf = await t.api(`${G}/scorecard?quarter=2026-Q3&format=pdf`, { role: 'analyst' });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    const bad = await send('GET', '/scorecard?quarter=2026-3', undefined, 'analyst');
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
  });
});
