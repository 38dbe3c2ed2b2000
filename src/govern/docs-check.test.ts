import { describe, expect, it } from 'vitest';
import { checkDocs, substance, type DocsTree } from './docs-check.js';
import { compareTasks, parseScheduledTasks } from './docs-check-tasks.js';

describe('scheduled-tasks.md', () => {
  it('reads a task table and heading sections', () => {
    const parsed = parseScheduledTasks(
      [
        '# Tasks',
        '| Task | When | Owner | Notes |',
        '|:--|:--|:--|--|',
        '| **Ledger export** | daily 06:00 | IT | a \\| b |',
        '',
        '## Weekly digest',
        '- **Schedule**: Mon 09:00',
        '- owner: ana@example.com',
        '## About this file',
        'Prose, not a task.',
      ].join('\n'),
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.tasks).toEqual([
      { name: 'Ledger export', schedule: 'daily 06:00', owner: 'IT', line: 4, extra: { notes: 'a | b' } },
      { name: 'Weekly digest', schedule: 'Mon 09:00', owner: 'ana@example.com', line: 6, extra: {} },
    ]);
  });

  it('reports tasks without an owner, files without tasks, and accepts None', () => {
    expect(parseScheduledTasks('## Digest\n- schedule: daily\n').problems).toEqual([
      { line: 1, message: "task 'Digest' has no owner" },
    ]);
    expect(parseScheduledTasks('# Tasks\nWe run a digest sometimes.\n').problems[0]?.message).toMatch(
      /no scheduled tasks found/,
    );
    expect(parseScheduledTasks('# Scheduled tasks\n\nNo scheduled tasks.\n')).toMatchObject({
      declaredNone: true,
      problems: [],
    });
  });

  it('compares with the inventory by name, schedule and owner', () => {
    const file = parseScheduledTasks(
      '| Name | Schedule | Owner |\n|-|-|-|\n| Digest | daily | IT |\n| Extra | weekly | IT |',
    );
    const out = compareTasks(file, {
      name: 'finance',
      folders: [],
      scheduledTasks: [{ name: 'digest', schedule: 'weekly' }, { name: 'Missing' }],
    });
    expect(out.map((m) => [m.level, m.line, m.message])).toEqual([
      ['error', 1, "the inventory lists scheduled task 'Missing' for workspace 'finance'; scheduled-tasks.md does not"],
      ['warning', 3, "scheduled task 'Digest': schedule 'daily' differs from the inventory's 'weekly'"],
      ['error', 4, "scheduled task 'Extra' is not in the inventory of workspace 'finance'"],
    ]);
  });
});

describe('CLAUDE.md substance', () => {
  it('ignores headings, comments, rules and placeholders; counts imports', () => {
    expect(substance('# Title\n<!-- a\nlong comment -->\n---\n- TODO\nAdd your instructions here.\n')).toEqual({
      lines: 0,
      words: 0,
      imports: 0,
    });
    expect(substance('@AGENTS.md\n').imports).toBe(1);
    expect(substance('one two three\n- four five\n> six\n')).toEqual({ lines: 3, words: 6, imports: 0 });
  });
});

describe('checkDocs', () => {
  const tree = (files: Record<string, string>, dirs: string[] = []): DocsTree => ({
    root: 'ws',
    absoluteRoot: '/x/ws',
    files: Object.entries(files).map(([path, text]) => ({ path, text })),
    dirs,
  });

  it('flags a lower-case skill.md, a bad skill name and personal data in memory files as warnings', () => {
    const findings = checkDocs(
      tree(
        {
          'CLAUDE.md': '@AGENTS.md\n',
          'scheduled-tasks.md': 'None\n',
          '.claude/skills/a/skill.md': '---\nname: a\n---\n',
          'skills/B/SKILL.md':
            '---\nname: Big Skill\ndescription: d\nintended_use: u\ninputs: i\noutputs: o\nowner: ana.silva@acme-corp.io\n---\n',
          'skills/C/SKILL.md':
            '---\nname: c\ndescription: d\nintended_use: u\ninputs: i\noutputs: o\nowner: me\n---\ntoken ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5\n',
          '.claude/rules/people.md': 'Escalate to\nana.silva@acme-corp.io\n',
        },
        ['.claude', '.claude/skills', '.claude/skills/a', 'skills', 'skills/B', 'skills/C'],
      ),
    );
    expect(findings.map((f) => [f.path, f.line, f.level, f.ruleId])).toEqual([
      ['ws/.claude/rules/people.md', 2, 'warning', 'memory-sensitive-data'],
      ['ws/.claude/skills/a/skill.md', 1, 'error', 'skill-md-missing'],
      ['ws/skills/B/SKILL.md', 2, 'warning', 'skill-md-incomplete'],
      ['ws/skills/C/SKILL.md', 9, 'error', 'memory-sensitive-data'],
    ]);
  });
});
