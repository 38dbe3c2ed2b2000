import { describe, expect, it } from 'vitest';
import { summarise, usesFromSessions } from './discovery.js';

describe('discovery', () => {
  it('reads workspace folders from sessions, one use per folder and person', () => {
    const uses = usesFromSessions([
      { person_id: 'a', workspace_paths: '["/x","/y","/x"]', first_seen: 10, last_seen: 20 },
      { person_id: 'a', workspace_paths: '["/x"]', first_seen: 5, last_seen: 30 },
      { person_id: 'b', workspace_paths: 'not json', first_seen: 1, last_seen: 2 },
    ]);
    expect(uses.sort((p, q) => p.value.localeCompare(q.value))).toEqual([
      { value: '/x', person_id: 'a', first_seen: 5, last_seen: 30, calls: 2 },
      { value: '/y', person_id: 'a', first_seen: 10, last_seen: 20, calls: 1 },
    ]);
  });

  it('summarises first/last seen, distinct people and top people per value', () => {
    const people = new Map([['a', { id: 'a', display_name: 'Ana', first_seen: 0, department: null, team: null }]]);
    const [item, ...rest] = summarise(
      'model',
      [
        { value: 'm', person_id: 'a', first_seen: 3_600_000, last_seen: 7_200_000, calls: 1 },
        { value: 'm', person_id: 'b', first_seen: 0, last_seen: 3_600_000, calls: 4 },
      ],
      people,
    );
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      value: 'm',
      first_seen: '1970-01-01T00:00:00.000Z',
      last_seen: '1970-01-01T02:00:00.000Z',
      people: 2,
      top_people: [
        { person_id: 'b', display_name: null, calls: 4 },
        { person_id: 'a', display_name: 'Ana', calls: 1 },
      ],
    });
  });
});
