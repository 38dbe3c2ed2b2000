import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIcs } from '../../test/support/ics-check.js';
import { startTestSteward, type TestSteward } from '../../test/support/steward.js';

/** Cadences, review records and the calendar feed through real HTTP with real tokens. */
interface CadenceItem {
  id: string;
  name: string;
  active: boolean;
  overdue: boolean;
  next_due: string;
  last_review_at: string | null;
}

describe('cadences API', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const send = (method: 'POST' | 'PATCH', path: string, body: unknown, role: 'admin' | 'analyst' = 'admin') =>
    t.api(path, { method, role, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('lists the four cadences and the forum with forum_required and the active seats', async () => {
    const list = await t.getJson<{ items: CadenceItem[]; forum_required: boolean; active_seats: number }>(
      '/api/v1/governance/cadences',
    );
    expect(list.items.map((c) => c.name).sort()).toEqual([
      'Annual re-evaluation',
      'Monthly governance forum',
      'Monthly steady-state review',
      'Quarterly governance review',
      'Weekly pilot check-in',
    ]);
    expect(list).toMatchObject({ forum_required: false, active_seats: 0 });
    expect(list.items.every((c) => !c.overdue)).toBe(true);
  });

  it('records reviews, lists overdue cadences, and names bad fields', async () => {
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    const review = await send('POST', '/api/v1/governance/cadences/quarterly-review/reviews', {
      held_at: old,
      attendees: ['ana@example.com', 'security'],
      notes: 'Scorecard reviewed.',
      decisions: ['Approve connector Jira with read scopes'],
    });
    expect(review.status).toBe(201);
    expect(await review.json()).toMatchObject({
      cadence_id: 'quarterly-review',
      held_at: old,
      attendees: ['ana@example.com', 'security'],
    });
    const overdue = await t.getJson<{ items: CadenceItem[] }>('/api/v1/governance/cadences?overdue=true');
    expect(overdue.items.map((c) => c.id)).toEqual(['quarterly-review']);
    expect(overdue.items[0]?.last_review_at).toBe(old);
    const one = await t.getJson<{ reviews: { decisions: string[] }[] }>('/api/v1/governance/cadences/quarterly-review');
    expect(one.reviews[0]?.decisions).toEqual(['Approve connector Jira with read scopes']);

    const bad = await send('POST', '/api/v1/governance/cadences/quarterly-review/reviews', {
      held_at: 'soon',
      attendees: [],
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/held_at/);
    expect(
      (await send('POST', '/api/v1/governance/cadences/nope/reviews', { held_at: old, attendees: ['x'] })).status,
    ).toBe(404);
    expect(
      (await send('PATCH', '/api/v1/governance/cadences/quarterly-review', { active: false }, 'analyst')).status,
    ).toBe(403);
  });

  it('serves an ICS feed per person or role', async () => {
    const created = await send('POST', '/api/v1/governance/cadences', {
      name: 'Connector triage, weekly; IT',
      frequency: 'weekly',
      owner_person: 'it.lead@example.com',
      attendees: { people: ['sam@example.com'], roles: [] },
      starts_at: '2026-01-05T09:00:00Z',
    });
    expect(created.status).toBe(201);
    const res = await t.api('/api/v1/governance/calendar.ics?person=SAM@example.com', { role: 'analyst' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const [calendar] = parseIcs(await res.text());
    const events = calendar?.children as { props: Map<string, string> }[];
    expect(events.map((e) => e.props.get('SUMMARY'))).toEqual(['Connector triage\\, weekly\\; IT']);
    expect(events[0]?.props.get('DTSTART')).toBe('20260105T090000Z');

    const security = await t.api('/api/v1/governance/calendar.ics?role=security', { role: 'analyst' });
    const summaries = (parseIcs(await security.text())[0]?.children as { props: Map<string, string> }[]).map((e) =>
      e.props.get('SUMMARY'),
    );
    // The forum is inactive until switched on; security attends the other four.
    expect(summaries.sort()).toEqual([
      'Annual re-evaluation',
      'Monthly steady-state review',
      'Quarterly governance review',
      'Weekly pilot check-in',
    ]);
    expect((await t.api('/api/v1/governance/calendar.ics', { role: null })).status).toBe(401);
  });
});
