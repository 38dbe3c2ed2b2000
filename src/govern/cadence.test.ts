import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { countActiveSeats, overdueCadences } from '../store/cadences.repo.js';
import { cadenceOverview, createCadence, recordReview, updateCadence } from './cadence.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const ORG = 'default';

describe.each(engines)('cadences on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('seeds the four cadences and the forum once, nothing overdue on day one', async () => {
    const first = await cadenceOverview(t.store, ORG, T0);
    await cadenceOverview(t.store, ORG, T0 + DAY);
    const again = await cadenceOverview(t.store, ORG, T0 + DAY);
    expect(again.cadences.map((c) => [c.cadence.id, c.cadence.frequency, c.cadence.active])).toEqual([
      ['annual-re-evaluation', 'annual', true],
      ['governance-forum', 'monthly', false],
      ['pilot-check-in', 'weekly', true],
      ['quarterly-review', 'quarterly', true],
      ['steady-state-review', 'monthly', true],
    ]);
    expect(first.cadences.some((c) => c.status.overdue)).toBe(false);
    expect(first.forum).toEqual({ required: false, activeSeats: 0, threshold: 50, windowDays: 30 });
  });

  it('reports a quarterly review whose last record is older than its period plus grace as overdue', async () => {
    await cadenceOverview(t.store, ORG, T0);
    await recordReview(
      t.store,
      ORG,
      'quarterly-review',
      { held_at: T0 + DAY, attendees: ['ana@example.com'], notes: 'Q1', decisions: ['approve connector X'] },
      'test',
      T0 + DAY,
    );
    // Due 2026-04-02, overdue after 14 days of grace.
    const dueAt = Date.UTC(2026, 3, 2);
    const ids = async (now: number) => (await overdueCadences(t.store.db, now)).map((c) => c.cadence.id);
    expect(await ids(dueAt + 14 * DAY)).not.toContain('quarterly-review');
    const overdue = await overdueCadences(t.store.db, dueAt + 15 * DAY);
    const quarterly = overdue.find((c) => c.cadence.id === 'quarterly-review');
    expect(quarterly).toMatchObject({
      orgId: ORG,
      status: { lastReviewAt: T0 + DAY, nextDue: dueAt, overdue: true },
    });
    // A new review puts it back on schedule; an inactive cadence is never overdue.
    await recordReview(
      t.store,
      ORG,
      'quarterly-review',
      { held_at: dueAt + 15 * DAY, attendees: ['ana@example.com'], notes: '', decisions: [] },
      'test',
      dueAt + 15 * DAY,
    );
    expect(await ids(dueAt + 16 * DAY)).not.toContain('quarterly-review');
    expect(await ids(dueAt + 16 * DAY)).toContain('pilot-check-in');
    await updateCadence(t.store, ORG, 'pilot-check-in', { active: false }, 'test', dueAt + 16 * DAY);
    expect(await ids(dueAt + 16 * DAY)).not.toContain('pilot-check-in');
  });

  it('creates custom cadences with an owner, and refuses one without', async () => {
    const c = await createCadence(
      t.store,
      ORG,
      { name: 'Connector triage', frequency: 'weekly', owner_person: 'it@example.com', starts_at: T0 },
      'test',
      T0,
    );
    expect(c).toMatchObject({ kind: 'custom', graceDays: 2, active: true, ownerPerson: 'it@example.com' });
    await expect(
      createCadence(t.store, ORG, { name: 'Nobody', frequency: 'monthly', starts_at: T0 }, 'test', T0),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('owner') });
  });

  it('counts active seats from the events of the last 30 days', async () => {
    const now = T0 + 60 * DAY;
    const event = (person: string | null, time: number, i: number) => ({
      dedupe_key: `k${i}`,
      time,
      org_id: ORG,
      source: 'test',
      surface: 'claude_code',
      kind: 'log',
      name: 'user_prompt',
      person_id: person,
      attrs: '{}',
    });
    await t.store.db
      .insertInto('events')
      .values([
        event('p1', now - DAY, 1),
        event('p1', now - 2 * DAY, 2),
        event('p2', now - 29 * DAY, 3),
        event('p3', now - 31 * DAY, 4),
        event(null, now - DAY, 5),
      ])
      .execute();
    expect(await countActiveSeats(t.store.db, ORG, now - 30 * DAY)).toBe(2);
    expect((await cadenceOverview(t.store, ORG, now)).forum).toMatchObject({ required: false, activeSeats: 2 });
  });
});
