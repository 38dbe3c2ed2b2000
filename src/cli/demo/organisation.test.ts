import { describe, expect, it } from 'vitest';
import { MAX_SESSION_MS, planSessions } from './activity-schedule.js';
import { DEPARTMENTS } from './demo-catalog.js';
import { copiedResourceAttributes, resourceAttributes } from './demo-resource.js';
import { generateOrganisation } from './organisation.js';

// A Wednesday, so a short window still has working days.
const END_MS = Date.UTC(2026, 10, 18, 20, 0, 0);

describe('generateOrganisation', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateOrganisation({ people: 50, days: 30, seed: 7 });
    const b = generateOrganisation({ people: 50, days: 30, seed: 7 });
    expect(b).toEqual(a);
    const c = generateOrganisation({ people: 50, days: 30, seed: 8 });
    expect(c.people.map((p) => p.email)).not.toEqual(a.people.map((p) => p.email));
  });

  it('has the requested number of people, all in the listed departments, every department represented', () => {
    const org = generateOrganisation({ people: 200, days: 90, seed: 1 });
    expect(org.people).toHaveLength(200);
    const counts = new Map<string, number>();
    for (const person of org.people) counts.set(person.department, (counts.get(person.department) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...DEPARTMENTS].sort());
    expect(counts.get('engineering')).toBe(60);
  });

  it('honours small head counts exactly', () => {
    for (const people of [1, 3, 7, 13]) {
      expect(generateOrganisation({ people, days: 5, seed: 2 }).people).toHaveLength(people);
    }
  });

  it('gives every person unique, well-formed identifiers', () => {
    const org = generateOrganisation({ people: 200, days: 90, seed: 3 });
    const emails = new Set(org.people.map((p) => p.email));
    expect(emails.size).toBe(200);
    for (const person of org.people) {
      expect(person.email).toMatch(/^[a-z]+\.[a-z]+\d*@demo\.example$/);
      expect(person.accountId).toMatch(/^user_01[0-9A-Za-z]{22}$/);
      expect(person.accountUuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(person.deviceIds.claude_code).toMatch(/^[0-9a-f]{64}$/);
      expect(person.deviceIds.cowork).toMatch(/^[0-9a-f]{64}$/);
      expect(person.costCenter).toMatch(/^[a-z]{2,3}-\d{3}$/);
      expect(person.surfaces.length).toBeGreaterThan(0);
    }
  });

  it('makes engineering the Claude Code department and everyone else mostly Cowork', () => {
    const org = generateOrganisation({ people: 200, days: 90, seed: 4 });
    const codeShare = (inEngineering: boolean): number => {
      const group = org.people.filter((p) => (p.department === 'engineering') === inEngineering);
      return group.filter((p) => p.surfaces.includes('claude_code')).length / group.length;
    };
    expect(codeShare(true)).toBeGreaterThan(0.8);
    expect(codeShare(false)).toBeLessThan(0.2);
  });

  it('puts the OTEL_RESOURCE_ATTRIBUTES entries, the demo label and the service on the resource', () => {
    const person = generateOrganisation({ people: 10, days: 10, seed: 5 }).people[0];
    if (person === undefined) throw new Error('no person');
    const resource = resourceAttributes(person, 'cowork', '1.22209.3');
    expect(resource).toMatchObject({
      department: person.department,
      'team.id': person.teamId,
      cost_center: person.costCenter,
      'steward.demo': 'true',
      'service.name': 'cowork',
      'service.version': '1.22209.3',
    });
    expect(resourceAttributes(person, 'claude_code', '2.1.329')['service.name']).toBe('claude-code');
    expect(Object.keys(copiedResourceAttributes(person, 'cowork'))).toEqual([
      'department',
      'team.id',
      'cost_center',
      'steward.demo',
    ]);
  });
});

describe('planSessions', () => {
  const org = generateOrganisation({ people: 40, days: 30, seed: 11 });

  it('is deterministic and ordered by start time', () => {
    const person = org.people[0];
    if (person === undefined) throw new Error('no person');
    const plans = planSessions(org, person, END_MS);
    expect(planSessions(org, person, END_MS)).toEqual(plans);
    for (let i = 1; i < plans.length; i++) expect(plans[i]?.startMs).toBeGreaterThanOrEqual(plans[i - 1]?.startMs ?? 0);
  });

  it('plans the same sessions for two runs on the same day (later runs only add newer sessions)', () => {
    for (const person of org.people) {
      const earlier = planSessions(org, person, END_MS - 2 * 3_600_000);
      const later = new Map(planSessions(org, person, END_MS).map((plan) => [plan.key, plan]));
      for (const plan of earlier) expect(later.get(plan.key)).toEqual(plan);
    }
  });

  it('keeps sessions inside the window, after adoption, on the person’s surfaces', () => {
    const windowStart = Math.floor(END_MS / 86_400_000) * 86_400_000 - 29 * 86_400_000;
    let total = 0;
    for (const person of org.people) {
      for (const plan of planSessions(org, person, END_MS)) {
        total++;
        expect(plan.startMs + MAX_SESSION_MS).toBeLessThanOrEqual(END_MS);
        // Working hours may start a little before the UTC day for people east of UTC.
        expect(plan.startMs).toBeGreaterThan(windowStart - 12 * 3_600_000);
        expect(person.surfaces).toContain(plan.surface);
      }
    }
    expect(total).toBeGreaterThan(100);
  });

  it('mostly schedules sessions in local working hours on weekdays', () => {
    let inHours = 0;
    let total = 0;
    for (const person of org.people) {
      for (const plan of planSessions(org, person, END_MS)) {
        const local = new Date(plan.startMs + person.utcOffsetHours * 3_600_000);
        const weekday = local.getUTCDay() >= 1 && local.getUTCDay() <= 5;
        total++;
        if (weekday && local.getUTCHours() >= 8 && local.getUTCHours() <= 19) inHours++;
      }
    }
    expect(inHours / total).toBeGreaterThan(0.9);
  });
});
