import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { updateCadence } from './cadence.js';
import { agendaMarkdown, forumAgenda } from './forum-agenda.js';
import { parseDecisionText } from './forum-decisions.js';
import { createMeeting, getForumMeeting, listForumMeetings, recordDecision } from './forum.js';
import { listDecisions } from './governance-connectors.js';
import { governanceFindings } from './governance-findings.js';
import { createObject, getObject, objectHistory } from './governance-objects.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-10T09:00:00.000Z');
const ADMIN = 'ann (token t1)';

describe('forum decision texts', () => {
  it('reads the structured forms and leaves anything else as free text', () => {
    expect(parseDecisionText('Approve connector "github" with scopes repo:read, issues:read.')).toEqual({
      verb: 'approve',
      object_kind: 'connector',
      object: 'github',
      scopes: ['repo:read', 'issues:read'],
    });
    expect(parseDecisionText('deny skill close-checklist')).toEqual({
      verb: 'deny',
      object_kind: 'skill',
      object: 'close-checklist',
    });
    expect(parseDecisionText('retire workspace Old finance')).toEqual({
      verb: 'retire',
      object_kind: 'workspace',
      object: 'Old finance',
    });
    expect(parseDecisionText('approve workspace X')).toBeNull();
    expect(parseDecisionText('Revisit the AUP in March')).toBeNull();
  });
});

describe.each(engines)('the forum on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('applies a decision approving a connector: its status changes and its history names the meeting', async () => {
    const c = await createObject(
      t.store,
      'connector',
      { name: 'github', transport: 'http', url: 'https://api.githubcopilot.com/mcp/', owner: 'it@example.com' },
      ADMIN,
      T0,
    );
    const skill = await createObject(t.store, 'skill', { name: 'scraper', source: 'personal' }, ADMIN, T0);
    const m = await createMeeting(
      t.store,
      { held_at: '2026-01-20', attendees: ['ann@example.com', 'cfo@example.com'], notes: 'Monthly forum.' },
      ADMIN,
      T0 + 10 * DAY,
    );
    const d = await recordDecision(
      t.store,
      m.id,
      { text: 'approve connector github with scopes repo:read, issues:read' },
      ADMIN,
      T0 + 10 * DAY,
    );
    expect(d.outcome).toEqual({
      object_kind: 'connector',
      object_id: c.id,
      name: 'github',
      from: 'requested',
      to: 'approved',
    });
    const after = await getObject(t.store, 'connector', c.id);
    expect(after).toMatchObject({ status: 'approved', fields: { oauth_scopes: ['repo:read', 'issues:read'] } });
    const label = `forum meeting 2026-01-20 (${m.id})`;
    expect(await listDecisions(t.store, c.id)).toEqual([
      expect.objectContaining({
        from: 'requested',
        to: 'approved',
        reference: label,
        decided_at: '2026-01-20T00:00:00.000Z',
      }),
    ]);
    const history = await objectHistory(t.store, 'connector', c.id);
    expect(history.map((h) => h.action)).toEqual(['create', 'update', 'decision']);
    expect(history[1]?.actor).toBe(`${ADMIN} via ${label}`);
    expect(history[2]?.after).toMatchObject({ status: 'approved', decision: { reference: label } });

    await recordDecision(t.store, m.id, { text: 'Deny skill scraper' }, ADMIN, T0 + 10 * DAY);
    expect((await getObject(t.store, 'skill', skill.id)).status).toBe('retired');
    await recordDecision(t.store, m.id, { text: 'Pilot to run until March' }, ADMIN, T0 + 10 * DAY);
    // A decision the inventory refuses is not recorded.
    await expect(
      recordDecision(t.store, m.id, { text: 'deny connector github' }, ADMIN, T0 + 10 * DAY),
    ).rejects.toMatchObject({ code: 'invalid_transition' });
    await expect(recordDecision(t.store, m.id, { text: 'retire workspace nowhere' }, ADMIN)).rejects.toMatchObject({
      code: 'not_found',
    });
    // A meeting whose decision is refused is not recorded at all.
    await expect(
      createMeeting(t.store, { held_at: '2026-01-21', decisions: ['approve skill nothing'] }, ADMIN, T0 + 11 * DAY),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect((await listForumMeetings(t.store)).map((x) => x.id)).toEqual([m.id]);
    const saved = await getForumMeeting(t.store, m.id);
    expect(saved.decisions.map((x) => [x.seq, x.text, x.outcome?.to ?? null])).toEqual([
      [1, 'approve connector github with scopes repo:read, issues:read', 'approved'],
      [2, 'Deny skill scraper', 'retired'],
      [3, 'Pilot to run until March', null],
    ]);
  });

  it('generates the agenda from live data: a requested connector is listed, and postures without a source say so', async () => {
    await createObject(
      t.store,
      'connector',
      { name: 'salesforce', publisher: 'Salesforce', transport: 'app', owner: 'sales@example.com' },
      ADMIN,
      T0,
    );
    await createObject(t.store, 'skill', { name: 'deal-desk', source: 'project' }, ADMIN, T0);
    const agenda = await forumAgenda(t.store, T0 + 5 * DAY, { contentCapture: 'redacted' });
    expect(agenda.connector_requests).toEqual([
      expect.objectContaining({ name: 'salesforce', publisher: 'Salesforce' }),
    ]);
    expect(agenda.skill_requests).toEqual([expect.objectContaining({ name: 'deal-desk' })]);
    expect(agenda.training_opt_out.known).toBe(false);
    expect(agenda.usage.this_month).toMatchObject({ active_people: 0, sessions: 0, cost_usd_estimate: 0 });
    const md = agendaMarkdown(agenda);
    expect(md).toMatch(/^# Governance forum 2026-01-15 — agenda/);
    expect(md).toMatch(
      /## 3\. New connector requests\n\n\| connector \| publisher \| owner \| requested \|\n.*\n\| salesforce \| Salesforce \| sales@example\.com \| 2026-01-10 \|/,
    );
    expect(md).toMatch(/## 5\. Training opt-out posture\n\nSteward has no source for this/);
    expect(md).toMatch(/## 6\. Retention posture\n\nSteward has no source for the retention settings/);
    expect(md).toContain("Steward's content capture mode: redacted");
  });

  it('finds the forum lapsed after two whole months without a meeting, and not once one is held', async () => {
    await updateCadence(t.store, 'default', 'governance-forum', { active: true }, ADMIN, T0);
    const lapsed = async (at: number) =>
      (await governanceFindings(t.store, at)).filter((f) => f.kind === 'forum_lapsed');
    // Switched on 10 January: February and March pass without a meeting.
    expect(await lapsed(Date.parse('2026-03-31T23:00:00Z'))).toEqual([]);
    expect(await lapsed(Date.parse('2026-04-01T00:00:00Z'))).toEqual([
      expect.objectContaining({
        object_kind: 'cadence',
        object_id: 'governance-forum',
        since: '2026-04-01T00:00:00.000Z',
        detail: expect.stringContaining('no forum meeting or review in 2026-02 and 2026-03 (never held)'),
      }),
    ]);
    await createMeeting(t.store, { held_at: '2026-03-05', attendees: ['ann@example.com'] }, ADMIN, T0 + 60 * DAY);
    expect(await lapsed(Date.parse('2026-04-02T00:00:00Z'))).toEqual([]);
    expect(await lapsed(Date.parse('2026-06-01T00:00:00Z'))).toHaveLength(1);
  });
});
