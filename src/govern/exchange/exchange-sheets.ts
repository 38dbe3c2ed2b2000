import { cadences, classifications, statuses } from '../governance-schemas.js';
import { cadenceFrequencies } from '../../contracts/cadence.js';

/**
 * The governance exchange format (docs/governance.md, "Import, export and init"): the sheets an Excel inventory has
 * — one per object kind, plus policy rules, the RACI and the cadences — their columns, and how a cell reads and
 * writes. Pure: the formats (XLSX, CSV, Markdown, YAML) are exchange-formats.ts's and init-files.ts's.
 *
 * Lists are `; `-separated cells (a `;` inside an item is written `\;`); connector tools are `name:access:policy`
 * items; yes/no cells are `yes`, `no` or blank (unknown); times are ISO 8601 (a date alone means midnight UTC).
 */
export type SheetKind = 'policies' | 'policy_rules' | 'workspaces' | 'connectors' | 'skills' | 'raci' | 'cadences';

export type ColumnType = 'text' | 'longtext' | 'list' | 'bool' | 'time' | 'date' | 'enum' | 'tools' | 'int' | 'rules';

export interface ColumnSpec {
  header: string;
  /** The API field (or, for the policy's current version and cadence attendees, the importer's own key). */
  key: string;
  type: ColumnType;
  values?: readonly string[];
  /** Other headers a hand-made sheet may use for it. */
  aliases?: readonly string[];
  /** Not written by exports (still read on import). */
  importOnly?: boolean;
  /** Left out of Markdown tables (long text). */
  long?: boolean;
}

export interface SheetSpec {
  kind: SheetKind;
  /** The sheet's name in XLSX and Markdown. */
  title: string;
  /** The CSV / YAML file's base name. */
  file: string;
  aliases: readonly string[];
  columns: readonly ColumnSpec[];
}

const c = (header: string, key: string, type: ColumnType, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  header,
  key,
  type,
  ...extra,
});
const name = c('Name', 'name', 'text');
const owner = c('Owner', 'owner', 'text', { aliases: ['owner email', 'owned by'] });
const status = (kind: keyof typeof statuses) => c('Status', 'status', 'enum', { values: statuses[kind] });
const tail = [
  c('Review cadence', 'review_cadence', 'enum', { values: cadences, aliases: ['cadence', 'review'] }),
  c('Last reviewed', 'last_reviewed_at', 'time', { aliases: ['last review', 'reviewed'] }),
  c('Home', 'home', 'text', { aliases: ['link', 'url of the page', 'where it lives', 'page'] }),
];

export const SHEETS: readonly SheetSpec[] = [
  {
    kind: 'policies',
    title: 'Policies',
    file: 'policies',
    aliases: ['policy', 'acceptable use policy', 'acceptable use', 'aup'],
    columns: [
      name,
      status('policy'),
      owner,
      c('Description', 'description', 'text'),
      ...tail,
      c('Effective date', 'effective_date', 'date'),
      c('Approver', 'approver', 'text', { aliases: ['approved by'] }),
      c('Policy text', 'body_md', 'longtext', { aliases: ['text', 'body'], long: true }),
      c('Rules', 'rules', 'rules', { importOnly: true }),
    ],
  },
  {
    kind: 'policy_rules',
    title: 'Policy rules',
    file: 'policy-rules',
    aliases: ['rules', 'machine rules'],
    columns: [
      c('Policy', 'policy', 'text'),
      c('Effect', 'effect', 'enum', { values: ['allow', 'deny'] }),
      c('Groups', 'groups', 'list'),
      c('Data classes', 'data_classes', 'list'),
      c('Surfaces', 'surfaces', 'list'),
      c('Note', 'note', 'text'),
    ],
  },
  {
    kind: 'workspaces',
    title: 'Workspaces',
    file: 'workspaces',
    aliases: ['workspace', 'workspace inventory', 'projects'],
    columns: [
      name,
      status('workspace'),
      owner,
      c('Sponsor', 'sponsor', 'text'),
      c('Purpose', 'purpose', 'text'),
      c('Data scope', 'data_scope', 'text'),
      c('Classification', 'classification', 'enum', { values: classifications }),
      c('Folders', 'folders', 'list', { aliases: ['repositories', 'folders and repositories', 'repos'] }),
      c('CLAUDE.md present', 'claude_md_present', 'bool'),
      c('scheduled-tasks.md present', 'scheduled_tasks_md_present', 'bool'),
      c('Scheduled tasks', 'scheduled_tasks', 'list'),
      c('Pilot ends on', 'pilot_ends_on', 'date', { aliases: ['pilot end', 'planned end'] }),
      ...tail,
    ],
  },
  {
    kind: 'connectors',
    title: 'Connectors',
    file: 'connectors',
    aliases: ['connector', 'connector inventory', 'mcp servers', 'mcp'],
    columns: [
      name,
      status('connector'),
      owner,
      c('Publisher', 'publisher', 'text', { aliases: ['vendor'] }),
      c('Transport', 'transport', 'enum', { values: ['stdio', 'http', 'sse', 'app'] }),
      c('URL', 'url', 'text'),
      c('Command', 'command', 'text'),
      c('OAuth scopes', 'oauth_scopes', 'list', { aliases: ['scopes'] }),
      c('Tools', 'tools', 'tools'),
      c('Data classes', 'data_classes', 'list'),
      c('Risk', 'risk', 'enum', { values: ['low', 'medium', 'high', 'critical'], aliases: ['risk rating'] }),
      ...tail,
    ],
  },
  {
    kind: 'skills',
    title: 'Skills',
    file: 'skills',
    aliases: ['skill', 'skills inventory'],
    columns: [
      name,
      status('skill'),
      owner,
      c('Description', 'description', 'text'),
      c('Intended use', 'intended_use', 'text', { aliases: ['when to use'] }),
      c('Inputs', 'inputs', 'list'),
      c('Outputs', 'outputs', 'list'),
      c('Version', 'version', 'text'),
      c('Allowed tools', 'allowed_tools', 'list'),
      c('Source', 'source', 'enum', { values: ['personal', 'project', 'plugin', 'organisation'] }),
      c('Plugin', 'plugin', 'text'),
      ...tail,
      c('Body', 'body', 'longtext', { aliases: ['skill md body'], long: true }),
    ],
  },
  {
    kind: 'raci',
    title: 'RACI',
    file: 'raci',
    aliases: ['raci matrix', 'responsibilities'],
    // The first column is the activity; every other column is a role (cells: letters R, A, C, I).
    columns: [c('Activity', 'activity', 'text')],
  },
  {
    kind: 'cadences',
    title: 'Cadences',
    file: 'cadences',
    aliases: ['cadence', 'review cadences', 'calendar'],
    columns: [
      c('Id', 'id', 'text'),
      name,
      c('Frequency', 'frequency', 'enum', { values: cadenceFrequencies }),
      c('Owner', 'owner_person', 'text', { aliases: ['owner person', 'owner email'] }),
      c('Owner role', 'owner_role', 'text'),
      c('Attendees', 'attendee_people', 'list', { aliases: ['attendee people', 'people'] }),
      c('Attendee roles', 'attendee_roles', 'list', { aliases: ['roles'] }),
      c('Starts at', 'starts_at', 'time', { aliases: ['first occurrence', 'starts'] }),
      c('Grace days', 'grace_days', 'int', { aliases: ['grace'] }),
      c('Active', 'active', 'bool'),
    ],
  },
];

export const sheetSpec = (kind: SheetKind): SheetSpec => SHEETS.find((s) => s.kind === kind) as SheetSpec;

/** Lower-case letters and digits only: `Data scope`, `data_scope` and `DATA-SCOPE` are one header. */
export const normaliseHeader = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

export function sheetKindOf(nameOrFile: string): SheetKind | undefined {
  const n = normaliseHeader(nameOrFile);
  return SHEETS.find(
    (s) => [s.title, s.file, s.kind, ...s.aliases].map(normaliseHeader).includes(n) || normaliseHeader(s.kind) === n,
  )?.kind;
}

export function columnOf(spec: SheetSpec, header: string): ColumnSpec | undefined {
  const n = normaliseHeader(header);
  if (n === '') return undefined;
  return spec.columns.find((col) => [col.header, col.key, ...(col.aliases ?? [])].map(normaliseHeader).includes(n));
}

/** A cell as read from any format: XLSX gives numbers, booleans and dates; YAML lists and maps. */
export type CellValue = string | number | boolean | Date | null | undefined | readonly unknown[] | object;

export const isBlank = (v: unknown): boolean =>
  v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

// ---------------------------------------------------------------------------------------------------------------
// Writing cells
// ---------------------------------------------------------------------------------------------------------------

const escapeItem = (s: string): string => s.replace(/;/g, '\\;');

/** A value of the API's shape → the cell text an export writes. */
export function formatCell(col: ColumnSpec, value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (col.type) {
    case 'list':
      return (value as unknown[]).map((v) => escapeItem(String(v))).join('; ');
    case 'tools':
      return (value as { name: string; access: string; policy: string }[])
        .map((t) => escapeItem(`${t.name}:${t.access}:${t.policy}`))
        .join('; ');
    case 'bool':
      return value === true ? 'yes' : value === false ? 'no' : '';
    case 'time':
      return typeof value === 'number' ? new Date(value).toISOString() : String(value);
    default:
      return typeof value === 'string' ? value : String(value as number);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading cells
// ---------------------------------------------------------------------------------------------------------------

export type CellResult = { ok: true; value: unknown } | { ok: false; message: string };
const ok = (value: unknown): CellResult => ({ ok: true, value });
const fail = (message: string): CellResult => ({ ok: false, message });

/** The cell as it appears to a person, for error messages. */
export function showCell(v: unknown): string {
  if (v instanceof Date) return JSON.stringify(Number.isNaN(v.getTime()) ? 'invalid date' : v.toISOString());
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  return JSON.stringify(v) ?? String(v);
}

function asText(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v as string | number | boolean);
}

/** Splits a list cell on `;` (not `\;`) and line breaks; items trimmed, empty ones dropped. */
export function splitList(s: string): string[] {
  return s
    .split(/(?<!\\);|\r?\n/)
    .map((i) => i.replace(/\\;/g, ';').trim())
    .filter((i) => i !== '');
}

function items(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((i) => !isBlank(i)).map((i) => asText(i).trim());
  return splitList(asText(v));
}

const enumWord = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

function readTool(item: unknown): CellResult {
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const t = item as Record<string, unknown>;
    return readTool(`${asText(t.name ?? '')}:${asText(t.access ?? '')}:${asText(t.policy ?? '')}`);
  }
  const s = asText(item).trim();
  const m = /^(.+):([^:]*):([^:]*)$/.exec(s);
  const access = m ? enumWord(m[2] ?? '') : '';
  const policy = m ? enumWord(m[3] ?? '') : '';
  if (!m || !['read', 'write'].includes(access) || !['allow', 'needs_approval', 'blocked'].includes(policy)) {
    return fail(
      `${showCell(s)} is not name:access:policy (access read or write; policy allow, needs_approval or blocked)`,
    );
  }
  return ok({ name: (m[1] ?? '').trim(), access, policy });
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A non-blank cell → the API's value for the column, or a message saying what is wrong with it. */
export function readCell(col: ColumnSpec, v: unknown): CellResult {
  switch (col.type) {
    case 'text':
      return ok(asText(v).trim());
    case 'longtext':
      return ok(asText(v));
    case 'list':
      return ok(items(v));
    case 'enum': {
      const word = enumWord(asText(v));
      const values = col.values ?? [];
      return values.includes(word) ? ok(word) : fail(`${showCell(v)} is not one of ${values.join(', ')}`);
    }
    case 'bool': {
      if (typeof v === 'boolean') return ok(v);
      const w = asText(v).trim().toLowerCase();
      if (['yes', 'y', 'true', '1', 'x'].includes(w)) return ok(true);
      if (['no', 'n', 'false', '0'].includes(w)) return ok(false);
      return fail(`${showCell(v)} is not yes or no`);
    }
    case 'int': {
      const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(asText(v)) ? Number(asText(v)) : NaN;
      return Number.isInteger(n) && n >= 0 ? ok(n) : fail(`${showCell(v)} is not a whole number`);
    }
    case 'time': {
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail('is not a valid date') : ok(v.toISOString());
      const s = asText(v).trim();
      const t = DATE_ONLY.test(s) ? Date.parse(`${s}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(s) ? Date.parse(s) : NaN;
      return Number.isFinite(t)
        ? ok(new Date(t).toISOString())
        : fail(`${showCell(v)} is not a date (YYYY-MM-DD) or an ISO 8601 time`);
    }
    case 'date': {
      if (v instanceof Date) return ok(v.toISOString().slice(0, 10));
      const s = asText(v).trim();
      return DATE_ONLY.test(s) && Number.isFinite(Date.parse(s))
        ? ok(s)
        : fail(`${showCell(v)} is not a date (YYYY-MM-DD)`);
    }
    case 'tools': {
      const list = Array.isArray(v) ? v.filter((i) => !isBlank(i)) : splitList(asText(v));
      const tools: unknown[] = [];
      for (const item of list) {
        const r = readTool(item);
        if (!r.ok) return r;
        tools.push(r.value);
      }
      return ok(tools);
    }
    case 'rules':
      return Array.isArray(v) ? ok(v) : fail('list the rules in the "Policy rules" sheet (one row per rule)');
  }
}

/** The values a blank cell means on an update: lists empty, optional fields cleared; undefined = leave it. */
export function blankValue(col: ColumnSpec): unknown {
  if (col.type === 'list' || col.type === 'tools' || col.type === 'rules') return [];
  if (['name', 'status', 'review_cadence', 'transport', 'source', 'frequency', 'id'].includes(col.key))
    return undefined;
  if (['effective_date', 'approver', 'body_md', 'starts_at', 'grace_days', 'active'].includes(col.key)) {
    return undefined;
  }
  return null;
}
