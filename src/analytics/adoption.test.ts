import { describe, expect, it } from 'vitest';
import { computeAdoption } from './adoption.js';

const DAY = 86_400_000;
const D0 = Date.parse('2026-11-01T00:00:00Z');
const pd = (day: number, person: string, department = 'eng', surface = 'claude_code') => ({
  org_id: 'default',
  day: D0 + day * DAY,
  person_id: person,
  department,
  team: '',
  surface,
});
const person = (id: string, firstDay: number, department = 'eng') => ({
  id,
  first_seen: D0 + firstDay * DAY,
  department,
  team: null,
});

describe('adoption', () => {
  it('counts DAU, trailing WAU and MAU, and new vs returning people', () => {
    const days = [pd(0, 'a'), pd(1, 'a'), pd(7, 'b'), pd(8, 'a'), pd(8, 'c', 'sales')];
    const people = [person('a', 0), person('b', 7), person('c', 8, 'sales'), person('d', 2)];
    const r = computeAdoption({ from: D0 + 7 * DAY, to: D0 + 9 * DAY, days, people });
    expect(r.daily).toEqual([
      { day: '2026-11-08', dau: 1, wau: 2, mau: 2 }, // a (days 1..7) and b
      { day: '2026-11-09', dau: 2, wau: 3, mau: 3 },
    ]);
    expect(r.totals).toMatchObject({ active_people: 3, known_people: 4, active_share: 0.75 });
    expect(r.totals).toMatchObject({ new_people: 2, returning_people: 1, dau_average: 1.5, wau: 3, mau: 3 });
    expect(r.totals).toMatchObject({ previous_active_people: 0, growth: null });
  });

  it('ranks groups by people gained against the previous window and lists those that stall', () => {
    const days = [pd(0, 'a'), pd(0, 'b', 'ops'), pd(2, 'a'), pd(2, 'c'), pd(3, 'd', 'sales')];
    const people = [person('a', 0), person('b', 0, 'ops'), person('c', 2), person('d', 3, 'sales')];
    const r = computeAdoption({ from: D0 + 2 * DAY, to: D0 + 4 * DAY, days, people, groupBy: 'department' });
    expect(r.groups!.map((g) => [g.key, g.active_people, g.previous_active_people])).toEqual([
      ['eng', 2, 1],
      ['sales', 1, 0],
      ['ops', 0, 1],
    ]);
    expect(r.fastest_growing).toEqual(['eng', 'sales']);
    expect(r.stalling).toEqual(['ops']);
    expect(r.groups!.find((g) => g.key === 'eng')).toMatchObject({ known_people: 2, active_share: 1, growth: 1 });
  });
});
