/** The rules of `steward check docs`: stable ids (they are SARIF rule ids and JSON `ruleId`s), default level, help. */
export type DocsLevel = 'error' | 'warning' | 'note';

export interface DocsFinding {
  ruleId: DocsRuleId;
  level: DocsLevel;
  /** File (or folder) path: the checked folder as named, then the path inside it, POSIX separators. */
  path: string;
  /** 1-based. */
  line: number;
  message: string;
}

export const docsRules = {
  'claude-md-missing': {
    level: 'error',
    description: 'The workspace has a CLAUDE.md (or .claude/CLAUDE.md).',
  },
  'claude-md-trivial': {
    level: 'error',
    description:
      'CLAUDE.md has real content: at least 3 lines and 20 words besides headings, comments and placeholders, or an @import.',
  },
  'scheduled-tasks-missing': {
    level: 'error',
    description: 'The workspace has a scheduled-tasks.md listing its scheduled tasks (or saying None).',
  },
  'scheduled-tasks-invalid': {
    level: 'error',
    description: 'scheduled-tasks.md is a task table or task sections, each task with a name, a schedule and an owner.',
  },
  'scheduled-tasks-mismatch': {
    level: 'error',
    description: "scheduled-tasks.md lists the same tasks as the workspace inventory's scheduled_tasks.",
  },
  'workspace-not-in-inventory': {
    level: 'warning',
    description: 'The checked folder belongs to a workspace of the inventory.',
  },
  'skill-md-missing': {
    level: 'error',
    description: 'Every skill folder has a SKILL.md.',
  },
  'skill-md-invalid': {
    level: 'error',
    description: 'SKILL.md starts with valid YAML frontmatter between --- lines.',
  },
  'skill-md-incomplete': {
    level: 'error',
    description: 'SKILL.md frontmatter states name, description, intended use, inputs, outputs and owner.',
  },
  'memory-sensitive-data': {
    level: 'error',
    description:
      'Memory files (CLAUDE.md, CLAUDE.local.md, .claude/**/*.md) hold no secrets (error) or personal data (warning); SKILL.md files no secrets.',
  },
} as const satisfies Record<string, { level: DocsLevel; description: string }>;

export type DocsRuleId = keyof typeof docsRules;
