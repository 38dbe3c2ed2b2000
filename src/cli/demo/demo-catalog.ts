/**
 * Static tables behind the demo organisation: departments and their teams, names, app versions, models, tools,
 * MCP servers and skills. Values that appear on the wire (terminal types, tool names, metric descriptions…) are the
 * ones observed from the real clients — see /work/shared/reference/claude-code-observed.md §3 and
 * claude-surfaces.md §1.4–1.6, §2.2. Everything person-specific lives in organisation.ts.
 */

export const DEPARTMENTS = ['finance', 'legal', 'operations', 'marketing', 'engineering', 'sales', 'hr'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export type Surface = 'claude_code' | 'cowork';

export interface DepartmentProfile {
  /** Relative headcount. */
  readonly headcount: number;
  readonly teams: readonly string[];
  /** Cost centres are `<prefix>-<nnn>`, one per team (finance/close = fin-001 as in the captured fixture). */
  readonly costCentrePrefix: string;
  /** Probability that a person in this department uses each surface at all. */
  readonly claudeCodeAdoption: number;
  readonly coworkAdoption: number;
  /** Mean sessions on an active workday. */
  readonly sessionsPerWorkday: number;
}

export const DEPARTMENT_PROFILES: Readonly<Record<Department, DepartmentProfile>> = {
  engineering: {
    headcount: 30,
    teams: ['platform', 'payments', 'mobile', 'data', 'security'],
    costCentrePrefix: 'eng',
    claudeCodeAdoption: 0.92,
    coworkAdoption: 0.4,
    sessionsPerWorkday: 3.2,
  },
  sales: {
    headcount: 18,
    teams: ['emea', 'americas', 'solutions'],
    costCentrePrefix: 'sal',
    claudeCodeAdoption: 0.03,
    coworkAdoption: 0.9,
    sessionsPerWorkday: 1.8,
  },
  operations: {
    headcount: 14,
    teams: ['procurement', 'it-ops', 'facilities'],
    costCentrePrefix: 'ops',
    claudeCodeAdoption: 0.18,
    coworkAdoption: 0.88,
    sessionsPerWorkday: 1.7,
  },
  marketing: {
    headcount: 12,
    teams: ['brand', 'growth', 'content'],
    costCentrePrefix: 'mkt',
    claudeCodeAdoption: 0.05,
    coworkAdoption: 0.93,
    sessionsPerWorkday: 2.1,
  },
  finance: {
    headcount: 10,
    teams: ['close', 'fpa', 'treasury'],
    costCentrePrefix: 'fin',
    claudeCodeAdoption: 0.08,
    coworkAdoption: 0.9,
    sessionsPerWorkday: 1.6,
  },
  hr: {
    headcount: 8,
    teams: ['talent', 'people-ops'],
    costCentrePrefix: 'hr',
    claudeCodeAdoption: 0.02,
    coworkAdoption: 0.85,
    sessionsPerWorkday: 1.3,
  },
  legal: {
    headcount: 8,
    teams: ['contracts', 'privacy', 'litigation'],
    costCentrePrefix: 'leg',
    claudeCodeAdoption: 0.02,
    coworkAdoption: 0.8,
    sessionsPerWorkday: 1.4,
  },
};

// Space-separated so the lists stay compact under prettier; emails are built from these (first.last@demo.example).
export const FIRST_NAMES: readonly string[] = (
  'ada amir anna ben chen chloe daniel elena emma farah felix grace hana hugo ines isaac jamal julia kai lars ' +
  'leila liam lucia maria mateo maya nadia noah olga omar priya quinn rafael rosa sam sara tariq theo uma victor ' +
  'wei yara yusuf zoe'
).split(' ');

export const LAST_NAMES: readonly string[] = (
  'abbott adeyemi bauer bianchi costa dubois eriksen fischer garcia haddad ivanova jensen kaur kowalski larsen ' +
  'lindqvist martin moreau nakamura novak okafor oliveira park patel quinlan rossi sato schmidt silva singh ' +
  'tanaka torres vogel walsh weber xu yilmaz zhang'
).split(' ');

/** An app release, `releasedDaysAgo` relative to the demo's end time; people upgrade with a personal lag. */
export interface AppRelease {
  readonly version: string;
  readonly releasedDaysAgo: number;
}

export const CLAUDE_CODE_RELEASES: readonly AppRelease[] = [
  { version: '2.1.281', releasedDaysAgo: 130 },
  { version: '2.1.297', releasedDaysAgo: 72 },
  { version: '2.1.315', releasedDaysAgo: 38 },
  { version: '2.1.329', releasedDaysAgo: 10 },
];

/**
 * Cowork desktop releases with the Claude Code engine they embed (the scope version on their events, as in the
 * Elastic sample: Cowork 1.15962.1 ↔ scope 2.1.187). Both body prefixes are seen in the field, so the demo gives
 * the oldest build `claude_code.` bodies and later builds `claude_cowork.`; `assistant_response` exists from
 * Desktop 1.17377 (claude-surfaces.md §2.2).
 */
export interface CoworkRelease extends AppRelease {
  readonly engineVersion: string;
  readonly bodyPrefix: 'claude_code' | 'claude_cowork';
  readonly emitsAssistantResponse: boolean;
}

export const COWORK_RELEASES: readonly CoworkRelease[] = [
  {
    version: '1.12604.0',
    releasedDaysAgo: 150,
    engineVersion: '2.1.150',
    bodyPrefix: 'claude_code',
    emitsAssistantResponse: false,
  },
  {
    version: '1.15962.1',
    releasedDaysAgo: 60,
    engineVersion: '2.1.187',
    bodyPrefix: 'claude_cowork',
    emitsAssistantResponse: false,
  },
  {
    version: '1.17377.0',
    releasedDaysAgo: 35,
    engineVersion: '2.1.214',
    bodyPrefix: 'claude_cowork',
    emitsAssistantResponse: true,
  },
  {
    version: '1.22209.3',
    releasedDaysAgo: 12,
    engineVersion: '2.1.301',
    bodyPrefix: 'claude_cowork',
    emitsAssistantResponse: true,
  },
];

export const MODELS = ['claude-opus-5', 'claude-sonnet-5', 'claude-haiku-4-5'] as const;
export type DemoModel = (typeof MODELS)[number];

/** Main-model preference per surface; each person gets a personal tilt of these in organisation.ts. */
export const MODEL_MIX: Readonly<Record<Surface, readonly (readonly [DemoModel, number])[]>> = {
  claude_code: [
    ['claude-opus-5', 0.5],
    ['claude-sonnet-5', 0.38],
    ['claude-haiku-4-5', 0.12],
  ],
  cowork: [
    ['claude-sonnet-5', 0.6],
    ['claude-opus-5', 0.28],
    ['claude-haiku-4-5', 0.12],
  ],
};

/** OTel `tool_name` values; user-configured MCP tools are always the literal `mcp_tool` (§1.6). */
export type DemoTool = 'Bash' | 'Read' | 'Edit' | 'Write' | 'Grep' | 'WebFetch' | 'mcp_tool' | 'Agent';

export const TOOL_MIX: Readonly<Record<Surface, readonly (readonly [DemoTool, number])[]>> = {
  claude_code: [
    ['Bash', 30],
    ['Read', 28],
    ['Edit', 17],
    ['Grep', 10],
    ['Write', 6],
    ['WebFetch', 3],
    ['mcp_tool', 4],
    ['Agent', 2],
  ],
  cowork: [
    ['Read', 30],
    ['mcp_tool', 24],
    ['WebFetch', 15],
    ['Write', 15],
    ['Edit', 10],
    ['Bash', 6],
  ],
};

/** MCP servers engineers configure in Claude Code, with the tools the demo calls on each. */
export const CLAUDE_CODE_MCP_SERVERS: Readonly<Record<string, readonly string[]>> = {
  github: ['create_pull_request', 'get_issue', 'search_code'],
  linear: ['create_issue', 'list_issues'],
  sentry: ['get_issue_details', 'search_events'],
  postgres: ['query'],
  jira: ['create_issue', 'search'],
};

/** Cowork connectors (MCP) business users connect. */
export const COWORK_CONNECTORS: Readonly<Record<string, readonly string[]>> = {
  'google-drive': ['search_files', 'read_file'],
  slack: ['search_messages', 'post_message'],
  zoom: ['get_meeting_summary', 'list_recordings'],
  salesforce: ['query_records', 'update_record'],
  notion: ['search', 'create_page'],
  hubspot: ['get_contacts', 'create_note'],
};

/** Skill names: Anthropic's document skills are reported by name; user-defined ones are redacted (§1.5). */
export const SKILLS: Readonly<Record<Surface, readonly string[]>> = {
  claude_code: ['custom_skill', 'custom_skill', 'pdf'],
  cowork: ['xlsx', 'docx', 'pptx', 'pdf', 'custom_skill'],
};

/** `terminal.type` values documented/observed for Claude Code; Cowork always reports `non-interactive`. */
export const TERMINAL_TYPES: readonly (readonly [string, number])[] = [
  ['vscode', 35],
  ['iTerm.app', 25],
  ['cursor', 12],
  ['tmux', 10],
  ['Apple_Terminal', 8],
  ['WindowsTerminal', 5],
  ['dumb', 5],
];

export const METRIC_DESCRIPTIONS = {
  'claude_code.session.count': { unit: '', description: 'Count of CLI sessions started' },
  'claude_code.cost.usage': { unit: 'USD', description: 'Cost of the Claude Code session' },
  'claude_code.token.usage': { unit: 'tokens', description: 'Number of tokens used' },
  'claude_code.active_time.total': { unit: 's', description: 'Total active time in seconds' },
  'claude_code.lines_of_code.count': {
    unit: '',
    description:
      "Count of lines of code modified, with the 'type' attribute indicating whether lines were added or removed and the 'model' attribute indicating which model made the change",
  },
  'claude_code.commit.count': { unit: '', description: 'Number of git commits created' },
  'claude_code.code_edit_tool.decision': {
    unit: '',
    description:
      'Count of code editing tool permission decisions (accept/reject) for Edit, Write, and NotebookEdit tools',
  },
} as const;

export type DemoMetricName = keyof typeof METRIC_DESCRIPTIONS;
