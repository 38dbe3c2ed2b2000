import { describe, expect, it } from 'vitest';
import {
  applyCells,
  DEFAULT_RACI,
  normaliseCell,
  normaliseMatrix,
  raciToCsv,
  raciToMarkdown,
  validateRaci,
  type RaciMatrix,
} from './raci.js';

const twoAs: RaciMatrix = {
  roles: ['IT', 'security', 'sponsor'],
  activities: [
    { name: 'workspace creation', cells: { IT: 'R/A', sponsor: 'I' } },
    { name: 'connector approval', cells: { IT: 'A', security: 'A', sponsor: 'R' } },
  ],
};

describe('RACI validation', () => {
  it('accepts the seeded default', () => {
    expect(validateRaci(DEFAULT_RACI)).toEqual([]);
    expect(DEFAULT_RACI.roles).toEqual(['sponsor', 'pilot owner', 'IT', 'security', 'outside partner']);
  });

  it('rejects an activity with two As, naming the activity and the roles', () => {
    expect(validateRaci(twoAs)).toEqual([
      {
        activity: 'connector approval',
        field: 'activities[1].cells',
        message: "activity 'connector approval' has 2 accountable roles (IT, security); exactly one is required",
      },
    ]);
  });

  it('rejects no A, no R, unknown roles and duplicates', () => {
    const messages = validateRaci({
      roles: ['IT', 'it', 'security'],
      activities: [
        { name: 'incident response', cells: { security: 'C', partner: 'R' } },
        { name: 'incident response', cells: { IT: 'RA' } },
      ],
    }).map((p) => p.message);
    expect(messages).toEqual([
      "role 'it' is listed twice",
      "activity 'incident response' is listed twice",
      "activity 'incident response' names role 'partner', which is not in roles",
      "activity 'incident response' has no accountable role; exactly one is required",
      "activity 'incident response' has no responsible role; at least one is required",
      // the duplicated role counts twice
      "activity 'incident response' has 2 accountable roles (IT, it); exactly one is required",
    ]);
  });
});

describe('RACI cells and export', () => {
  it('normalises cell spellings and role case', () => {
    expect(normaliseCell('a/r')).toBe('RA');
    expect(normaliseCell('I, c')).toBe('CI');
    expect(normaliseMatrix({ roles: [' IT '], activities: [{ name: 'x ', cells: { it: 'a, r', IT2: '' } }] })).toEqual({
      roles: ['IT'],
      activities: [{ name: 'x', cells: { IT: 'RA' } }],
    });
  });

  it('applies cells all together, or none when one names an unknown activity or role', () => {
    const moved = applyCells(twoAs, [{ activity: 'Connector approval', role: 'it', value: 'R' }]);
    expect(moved.problems).toEqual([]);
    expect(moved.matrix.activities[1]?.cells).toEqual({ security: 'A', sponsor: 'R', IT: 'R' });
    expect(validateRaci(moved.matrix)).toEqual([]);
    const bad = applyCells(twoAs, [
      { activity: 'connector approval', role: 'IT', value: '' },
      { activity: 'nope', role: 'CFO', value: 'A' },
    ]);
    expect(bad.problems.map((p) => p.message)).toEqual(["no activity 'nope'", "no role 'CFO'"]);
    expect(bad.matrix).toBe(twoAs);
  });

  it('exports CSV and Markdown', () => {
    const m: RaciMatrix = {
      roles: ['IT', 'sec, ops'],
      activities: [{ name: 'a "b"', cells: { IT: 'RA', 'sec, ops': 'C' } }],
    };
    expect(raciToCsv(m)).toBe('activity,IT,"sec, ops"\r\n"a ""b""",R/A,C\r\n');
    expect(raciToMarkdown(m).split('\n').slice(0, 3)).toEqual([
      '| Activity | IT | sec, ops |',
      '| --- | :---: | :---: |',
      '| a "b" | R/A | C |',
    ]);
  });
});
