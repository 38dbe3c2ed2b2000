import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { addPeriod } from '../../contracts/cadence.js';
import { AppError } from '../../errors/app-error.js';
import { DEFAULT_CADENCES } from '../cadence.js';
import { DEFAULT_RACI, raciToCsv } from '../raci.js';
import { parseSkillMd } from '../skill-md.js';
import { fromCsv, fromXlsx, type Sheet } from './exchange-formats.js';
import { isBlank, sheetKindOf, type CellValue } from './exchange-sheets.js';

/**
 * `steward init`'s files — the smallest useful acceptable-use policy, workspace, connector and skill inventories,
 * RACI and cadence calendar, as files people edit — and the reader that turns a folder of such files (or of an
 * export's CSV files) into exchange sheets. Pure: the CLI reads and writes the disk.
 */
export interface InitFile {
  /** Relative to the target folder. */
  path: string;
  text: string;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const POLICY_BODY = `# Acceptable use of Claude

## Purpose

This policy says who may use Claude (Claude Code, Cowork, the desktop and web apps, the API) for what, and with
which data. It applies to everyone who uses Claude for work.

## Rules

1. Use the organisation's Claude accounts only; never a personal account for work data.
2. Public and internal data may be used with Claude on every approved surface.
3. Confidential data only in approved workspaces; restricted data (credentials, health data, card numbers) never.
4. Connectors (MCP servers, app connectors) and skills must be in the inventory and approved before use.
5. You remain responsible for what you ship: review Claude's output as you would a colleague's.
6. Report suspected misuse or data exposure to security at once.

## Acknowledgement

Everyone acknowledges the current version of this policy before using Claude and again after each new version.
`;

const README = `# Governance files

Steward's governance, as files to edit and import. Edit them, then load them into Steward with

    steward gov import governance --dry-run   # what would be created or updated, nothing written
    steward gov import governance             # all or nothing: any error and nothing is written

Importing again updates what changed (objects are matched by name) and leaves the rest. Later, the store is the
source of truth: \`steward gov export --format xlsx|csv|md --out PATH\` writes it back out (one sheet per object).

| file                       | what it holds                                                                      |
| -------------------------- | ---------------------------------------------------------------------------------- |
| acceptable-use-policy.md   | the acceptable-use policy: YAML frontmatter (owner, status, machine rules, the     |
|                            | version's effective date and approver), then the policy text (its current version) |
| workspaces.yaml            | workspace inventory: owner, sponsor, purpose, data scope, classification, folders  |
| connectors.yaml            | connector inventory (MCP servers, app connectors): transport, URL or command,      |
|                            | OAuth scopes, tools (name:access:policy), data classes, risk, status               |
| skills.yaml                | skills inventory: description, intended use, inputs, outputs, owner, source        |
| raci.csv                   | who is Responsible, Accountable (exactly one per activity), Consulted, Informed    |
| cadences.yaml              | review cadences: weekly pilot check-in, monthly review, quarterly review, annual   |
|                            | re-evaluation, monthly forum (switch it on above 50 active seats)                  |

Every object has an owner (a person's email), a review cadence (weekly, monthly, quarterly, annual) and a home (a
link to where it lives). Field names and allowed values: docs/governance.md, "Import, export and init".
`;

/** The files `steward init` writes (owner: the email filled in as every object's owner, when given). */
export function initFiles(now: number, owner?: string): InitFile[] {
  const o = owner ?? null;
  const policy = {
    kind: 'policy',
    name: 'Acceptable use of Claude',
    status: 'draft',
    owner: o,
    description: 'Who may use Claude for what, with which data',
    review_cadence: 'annual',
    effective_date: day(now),
    approver: null,
    rules: [
      {
        groups: ['*'],
        data_classes: ['public', 'internal'],
        surfaces: ['*'],
        effect: 'allow',
        note: 'everyone, every surface',
      },
      {
        groups: ['*'],
        data_classes: ['restricted'],
        surfaces: ['*'],
        effect: 'deny',
        note: 'credentials, health data, card numbers: never',
      },
    ],
  };
  const workspaces = [
    {
      name: 'Pilot',
      status: 'pilot',
      owner: o,
      sponsor: null,
      purpose: 'The first team using Claude Code and Cowork, before the wider rollout',
      data_scope: 'Internal documents and source code of the pilot team',
      classification: 'internal',
      folders: [],
      scheduled_tasks: [],
      review_cadence: 'monthly',
    },
  ];
  const connectors = [
    {
      name: 'github',
      status: 'requested',
      owner: o,
      publisher: 'GitHub',
      transport: 'http',
      url: 'https://api.githubcopilot.com/mcp/',
      oauth_scopes: ['repo:read'],
      tools: ['get_file_contents:read:allow', 'search_code:read:allow', 'create_pull_request:write:needs_approval'],
      data_classes: ['source_code'],
      risk: 'medium',
    },
  ];
  const cadences = DEFAULT_CADENCES.map((c) => ({
    id: c.id,
    name: c.name,
    frequency: c.frequency,
    owner_role: c.ownerRole,
    attendee_roles: c.roles,
    starts_at: day(addPeriod(now, c.frequency)),
    grace_days: c.graceDays,
    active: c.active,
  }));
  const yaml = (header: string, value: unknown): string => `${header}\n${stringifyYaml(value, { lineWidth: 0 })}`;
  return [
    { path: 'README.md', text: README },
    {
      path: 'acceptable-use-policy.md',
      text: `---\n${stringifyYaml(policy, { lineWidth: 0 })}---\n\n${POLICY_BODY}`,
    },
    {
      path: 'workspaces.yaml',
      text: yaml('# Workspace inventory: one item per workspace (docs/governance.md).', workspaces),
    },
    {
      path: 'connectors.yaml',
      text: yaml(
        '# Connector inventory: MCP servers and app connectors. Tools are name:access:policy\n' +
          '# (access read | write; policy allow | needs_approval | blocked). Status changes by decision.',
        connectors,
      ),
    },
    {
      path: 'skills.yaml',
      text:
        '# Skills inventory: one item per skill. Example:\n' +
        '# - name: monthly-close\n' +
        '#   description: Prepare the monthly close checklist\n' +
        '#   intended_use: Finance team, at month end\n' +
        '#   inputs: [trial balance export]\n' +
        '#   outputs: [close checklist]\n' +
        '#   owner: controller@example.com\n' +
        '#   source: project\n' +
        '[]\n',
    },
    { path: 'raci.csv', text: raciToCsv(DEFAULT_RACI) },
    {
      path: 'cadences.yaml',
      text: yaml('# Review cadences; starts_at is the first occurrence. Switch the forum on above 50 seats.', cadences),
    },
  ];
}

export interface ReadFile {
  /** The file's name (a path relative to the folder read). */
  name: string;
  bytes: Buffer;
}

/**
 * Files → sheets: `*.xlsx` workbooks, `*.csv` (the sheet named by the file: `connectors.csv`), `*.yaml`/`*.yml`
 * (a list of items, named by the file), Markdown with frontmatter `kind: policy` (a policy; the text after the
 * frontmatter is its current version). Anything else is returned as ignored.
 */
export async function sheetsFromFiles(files: readonly ReadFile[]): Promise<{ sheets: Sheet[]; ignored: string[] }> {
  const sheets: Sheet[] = [];
  const ignored: string[] = [];
  for (const f of files) {
    const lower = f.name.toLowerCase();
    const fail = (message: string): never => {
      throw new AppError('bad_request', `${f.name}: ${message}`);
    };
    if (lower.endsWith('.xlsx')) {
      try {
        sheets.push(...(await fromXlsx(f.bytes)));
      } catch (err) {
        fail((err as Error).message);
      }
    } else if (lower.endsWith('.csv')) {
      try {
        sheets.push(fromCsv(f.bytes.toString('utf8'), f.name));
      } catch (err) {
        fail((err as Error).message);
      }
    } else if (lower.endsWith('.yaml') || lower.endsWith('.yml')) {
      let doc: unknown;
      try {
        doc = parseYaml(f.bytes.toString('utf8'));
      } catch (err) {
        fail((err as Error).message.split('\n')[0] ?? 'not YAML');
      }
      const base = f.name.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, '');
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
        const entries = Object.entries(doc as Record<string, unknown>).filter(([k]) => sheetKindOf(k) !== undefined);
        if (entries.length === 0) fail('expected a list of items');
        for (const [k, v] of entries) sheets.push(yamlSheet(`${f.name} ${k}`, sheetKindOf(k) ? k : base, v, fail));
      } else sheets.push(yamlSheet(f.name, base, doc ?? [], fail));
    } else if (lower.endsWith('.md')) {
      const text = f.bytes.toString('utf8');
      const parsed = parseSkillMd(text);
      if (!parsed.hasFrontmatter || String(parsed.frontmatter.kind ?? '').toLowerCase() !== 'policy') {
        ignored.push(`${f.name} (no "kind: policy" frontmatter)`);
        continue;
      }
      if (parsed.errors.length > 0) fail(parsed.errors.map((e) => `line ${e.line}: ${e.message}`).join('; '));
      const { kind: _kind, ...fields } = parsed.frontmatter;
      void _kind;
      const body = parsed.body.replace(/^(\r?\n)+/, '');
      const cells: Record<string, unknown> = { ...fields, ...(body.trim() !== '' ? { body_md: body } : {}) };
      sheets.push({
        name: f.name,
        kind: 'policies',
        rowWord: null,
        columnWord: 'field',
        headers: Object.keys(cells),
        rows: [{ number: 1, cells: Object.values(cells) as CellValue[] }],
      });
    } else ignored.push(`${f.name} (not .xlsx, .csv, .yaml or .md)`);
  }
  return { sheets, ignored };
}

function yamlSheet(name: string, kindName: string, doc: unknown, fail: (m: string) => never): Sheet {
  const kind = sheetKindOf(kindName);
  if (!Array.isArray(doc)) fail('expected a list of items');
  const items = (doc as unknown[]).filter((i) => !isBlank(i));
  const headers: string[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) fail('every item must be a map of fields');
    for (const k of Object.keys(item as object)) if (!headers.includes(k)) headers.push(k);
  }
  return {
    name,
    kind,
    rowWord: 'item',
    columnWord: 'field',
    headers,
    rows: items.map((item, i) => ({
      number: i + 1,
      cells: headers.map((h) => (item as Record<string, CellValue>)[h]),
    })),
  };
}
