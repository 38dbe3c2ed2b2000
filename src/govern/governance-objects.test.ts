import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { EVENT_COLUMNS } from '../contracts/event-columns.js';
import { insertEvents } from '../store/events.repo.js';
import { addPeople } from '../../test/support/people.js';
import { decideConnector, listDecisions } from './governance-connectors.js';
import { governanceFindings } from './governance-findings.js';
import {
  createObject,
  findObjectByName,
  getObject,
  objectHistory,
  reviewObject,
  retireObject,
  updateObject,
} from './governance-objects.js';
import { acknowledgePolicy, addPolicyVersion, listAcknowledgements, policyReminders } from './governance-policies.js';
import { importSkillMd } from './governance-skills.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-10T09:00:00.000Z');
const ADMIN = 'ann (token t1)';

describe.each(engines)('governance objects on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('creates an object with its next review due one cadence after creation, and records every change with before and after', async () => {
    const ws = await createObject(
      t.store,
      'workspace',
      { name: 'Finance close', owner: 'Ann@Example.com', folders: ['/srv/close'], classification: 'confidential' },
      ADMIN,
      T0,
    );
    expect(ws).toMatchObject({ owner: 'ann@example.com', status: 'proposed', review_cadence: 'quarterly' });
    expect(new Date(ws.next_review_due).toISOString()).toBe('2026-04-10T09:00:00.000Z');

    const changed = await updateObject(
      t.store,
      'workspace',
      ws.id,
      { status: 'pilot', sponsor: 'cfo@example.com', claude_md_present: true },
      'cli:bob',
      T0 + DAY,
    );
    expect(changed.fields).toMatchObject({
      sponsor: 'cfo@example.com',
      claude_md_present: true,
      folders: ['/srv/close'],
    });
    // The same values again change nothing and record nothing.
    await updateObject(t.store, 'workspace', ws.id, { status: 'pilot', folders: ['/srv/close'] }, 'cli:bob', T0 + DAY);
    await reviewObject(t.store, 'workspace', ws.id, ADMIN, T0 + 2 * DAY);
    expect(new Date((await getObject(t.store, 'workspace', ws.id)).next_review_due).toISOString()).toBe(
      '2026-04-12T09:00:00.000Z',
    );

    const h = await objectHistory(t.store, 'workspace', ws.id);
    expect(h.map((e) => [e.action, e.actor])).toEqual([
      ['create', ADMIN],
      ['update', 'cli:bob'],
      ['review', ADMIN],
    ]);
    expect(h[0]?.before).toBeNull();
    expect(h[1]?.before).toMatchObject({ status: 'proposed' });
    expect(h[1]?.before).not.toHaveProperty('sponsor');
    expect(h[1]?.after).toMatchObject({ status: 'pilot', sponsor: 'cfo@example.com', updated_by: 'cli:bob' });
    expect(h[1]?.at).toBe('2026-01-11T09:00:00.000Z');
    expect(h[2]?.after).toMatchObject({ last_reviewed_at: '2026-01-12T09:00:00.000Z' });
  });

  it('refuses a second object of the same name and a patch that breaks the whole object, naming the field', async () => {
    await createObject(t.store, 'connector', { name: 'github', transport: 'stdio', command: 'gh-mcp' }, ADMIN, T0);
    await expect(
      createObject(t.store, 'connector', { name: ' github ', transport: 'app' }, ADMIN, T0),
    ).rejects.toMatchObject({ code: 'already_exists', status: 409 });
    const other = await createObject(t.store, 'connector', { name: 'gitlab', transport: 'app' }, ADMIN, T0);
    await expect(updateObject(t.store, 'connector', other.id, { name: 'github' }, ADMIN)).rejects.toMatchObject({
      code: 'already_exists',
    });
    const c = await findObjectByName(t.store, 'connector', 'github');
    await expect(updateObject(t.store, 'connector', c!.id, { command: null }, ADMIN)).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('command: a stdio connector needs a command'),
    });
    await expect(updateObject(t.store, 'connector', c!.id, { owner: 'not a person' }, ADMIN)).rejects.toMatchObject({
      message: expect.stringMatching(/^owner: /),
    });
    expect(await objectHistory(t.store, 'connector', c!.id)).toHaveLength(1);
  });

  it('moves a connector requested → approved → retired by decisions, and refuses other moves naming from and to', async () => {
    const c = await createObject(
      t.store,
      'connector',
      {
        name: 'jira',
        transport: 'http',
        url: 'https://mcp.example.com/jira',
        risk: 'medium',
        tools: [{ name: 'create_issue', access: 'write', policy: 'needs_approval' }],
      },
      ADMIN,
      T0,
    );
    await expect(decideConnector(t.store, c.id, { status: 'retired', reason: 'unused' }, ADMIN)).rejects.toMatchObject({
      code: 'invalid_transition',
      status: 409,
      message: expect.stringContaining('from requested to retired'),
    });
    await decideConnector(
      t.store,
      c.id,
      { status: 'approved', reason: 'forum approved', reference: 'forum 2026-01' },
      ADMIN,
      T0 + DAY,
    );
    await expect(
      decideConnector(t.store, c.id, { status: 'denied', reason: 'changed mind' }, ADMIN),
    ).rejects.toMatchObject({ message: expect.stringContaining('from approved to denied') });
    await decideConnector(t.store, c.id, { status: 'retired', reason: 'replaced' }, 'cli:bob', T0 + 2 * DAY);
    expect(await listDecisions(t.store, c.id)).toMatchObject([
      { from: 'requested', to: 'approved', decided_by: ADMIN, reason: 'forum approved', reference: 'forum 2026-01' },
      { from: 'approved', to: 'retired', decided_by: 'cli:bob', reason: 'replaced', reference: null },
    ]);
    const h = await objectHistory(t.store, 'connector', c.id);
    expect(h.map((e) => e.action)).toEqual(['create', 'decision', 'decision']);
    expect(h[1]).toMatchObject({
      before: { status: 'requested' },
      after: { status: 'approved', decision: { from: 'requested', to: 'approved', reference: 'forum 2026-01' } },
    });
  });

  it('publishes policy versions, records acknowledgements and lists who has not acknowledged the current one', async () => {
    await addPeople(t.store, [
      { id: 'p1', name: 'Ann', email: 'ann@example.com' },
      { id: 'p2', name: 'Bob', email: 'bob@example.com' },
    ]);
    const p = await createObject(
      t.store,
      'policy',
      {
        name: 'Acceptable use',
        owner: 'ciso@example.com',
        rules: [{ groups: ['department:finance'], data_classes: ['financial'], surfaces: ['cowork'], effect: 'allow' }],
      },
      ADMIN,
      T0,
    );
    expect((await policyReminders(t.store, p.id)).version).toBeNull();
    await expect(acknowledgePolicy(t.store, p.id, { person: 'ann@example.com' }, ADMIN)).rejects.toMatchObject({
      message: expect.stringMatching(/^version: /),
    });
    const v1 = await addPolicyVersion(
      t.store,
      p.id,
      { body_md: '# Use\nBe careful.', effective_date: '2026-02-01', approver: 'ceo@example.com' },
      ADMIN,
      T0,
    );
    expect(v1).toMatchObject({ version: 1, owner: 'ciso@example.com', approver: 'ceo@example.com' });
    await acknowledgePolicy(t.store, p.id, { person: 'ANN@example.com' }, ADMIN, T0 + DAY);
    expect((await acknowledgePolicy(t.store, p.id, { person: 'ann@example.com' }, ADMIN, T0 + 2 * DAY)).recorded).toBe(
      false,
    );
    expect((await policyReminders(t.store, p.id)).people.map((x) => x.email)).toEqual(['bob@example.com']);
    await addPolicyVersion(t.store, p.id, { body_md: '# Use v2', effective_date: '2026-03-01' }, ADMIN, T0 + 3 * DAY);
    expect(await policyReminders(t.store, p.id)).toMatchObject({
      version: 2,
      people: [{ email: 'ann@example.com' }, { email: 'bob@example.com' }],
    });
    expect(await listAcknowledgements(t.store, p.id)).toMatchObject([
      { version: 1, person: 'ann@example.com', acknowledged_at: '2026-01-11T09:00:00.000Z' },
    ]);
    expect((await objectHistory(t.store, 'policy', p.id)).map((e) => e.action)).toEqual([
      'create',
      'version',
      'acknowledge',
      'version',
    ]);
  });

  it('imports a skill from SKILL.md, and a second import of the same name updates it', async () => {
    const md = [
      '---',
      'name: close-checklist',
      'description: Month-end close checklist',
      'metadata:',
      '  owner: ann@example.com',
      '  intended-use: Finance close',
      '  inputs: [ledger export]',
      '  outputs: [checklist]',
      'allowed-tools: Read Grep',
      'version: 1.0.0',
      '---',
      '# Close',
      'Steps.',
    ].join('\n');
    const a = await importSkillMd(t.store, md, { source: 'organisation' }, ADMIN, T0);
    expect(a.created).toBe(true);
    expect(a.skill).toMatchObject({
      name: 'close-checklist',
      owner: 'ann@example.com',
      fields: {
        description: 'Month-end close checklist',
        intended_use: 'Finance close',
        inputs: ['ledger export'],
        outputs: ['checklist'],
        allowed_tools: ['Read', 'Grep'],
        version: '1.0.0',
        source: 'organisation',
        body: '# Close\nSteps.',
      },
    });
    const b = await importSkillMd(t.store, md.replace('1.0.0', '1.1.0'), {}, ADMIN, T0 + DAY);
    expect(b).toMatchObject({
      created: false,
      skill: { id: a.skill.id, fields: { version: '1.1.0', source: 'organisation' } },
    });
    await expect(importSkillMd(t.store, 'no frontmatter', {}, ADMIN)).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('SKILL.md:1'),
    });
  });

  it('finds objects without an owner, past their review, or declared long ago and never used', async () => {
    const overdue = await createObject(
      t.store,
      'policy',
      { name: 'AUP', owner: 'ciso@example.com', review_cadence: 'quarterly' },
      ADMIN,
      T0,
    );
    const ownerless = await createObject(
      t.store,
      'skill',
      { name: 'orphan', source: 'project' },
      ADMIN,
      T0 + 100 * DAY,
    );
    const old = await createObject(
      t.store,
      'connector',
      { name: 'legacy', owner: 'it@example.com', transport: 'app', review_cadence: 'annual' },
      ADMIN,
      T0,
    );
    const retired = await createObject(t.store, 'skill', { name: 'gone', source: 'project' }, ADMIN, T0);
    await retireObject(t.store, 'skill', retired.id, ADMIN, T0);
    const at = T0 + 101 * DAY;
    const findings = await governanceFindings(t.store, at);
    expect(findings.map((f) => [f.kind, f.object_id])).toEqual([
      ['retirement_candidate', old.id],
      ['ownerless', ownerless.id],
      ['review_overdue', overdue.id],
    ]);
    expect(findings[2]).toMatchObject({ object_kind: 'policy', subject: 'AUP', since: '2026-04-10T09:00:00.000Z' });
    expect(findings[2]?.detail).toContain('never reviewed');
  });

  it('matches workspace folders seen in sessions against declared folders and the folders under them', async () => {
    const zero = { event_count: 0, prompt_count: 0, api_request_count: 0, tool_call_count: 0, input_tokens: 0 };
    const more = { output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_micros: 0 };
    const at = T0 + 200 * DAY;
    await t.store.db
      .insertInto('sessions')
      .values({
        ...zero,
        ...more,
        id: 's1',
        org_id: 'default',
        person_id: null,
        surface: 'claude_code',
        workspace_paths: JSON.stringify(['/srv/close/app', '/home/ann/scratch']),
        first_seen: at - DAY,
        last_seen: at - DAY + 60_000,
      })
      .execute();
    // Ingest writes a session with its events; discovery counts sessions through them (analytics/workspace-tiers.ts).
    const event: Record<string, unknown> = {
      dedupe_key: 'e1',
      time: at - DAY + 60_000,
      org_id: 'default',
      source: 'otlp',
      surface: 'claude_code',
      kind: 'prompt',
      name: 'claude_code.user_prompt',
      session_id: 's1',
      attrs: '{}',
    };
    await t.store.db
      .transaction()
      .execute((trx) => insertEvents(trx, t.store, [EVENT_COLUMNS.map((c) => event[c] ?? null)]));
    const used = await createObject(
      t.store,
      'workspace',
      { name: 'Close', owner: 'a@example.com', folders: ['/srv/close/'], review_cadence: 'annual' },
      ADMIN,
      T0,
    );
    const idle = await createObject(
      t.store,
      'workspace',
      { name: 'Old', owner: 'a@example.com', folders: ['/srv/old'], review_cadence: 'annual' },
      ADMIN,
      T0,
    );
    const findings = await governanceFindings(t.store, at);
    expect(findings.map((f) => [f.kind, f.object_kind, f.subject])).toEqual([
      ['undeclared', 'workspace', '/home/ann/scratch'],
      ['retirement_candidate', 'workspace', 'Old'],
    ]);
    expect(findings[1]?.object_id).toBe(idle.id);
    expect(findings.some((f) => f.object_id === used.id)).toBe(false);
  });
});
