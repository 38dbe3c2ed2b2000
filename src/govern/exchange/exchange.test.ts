import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../../test/support/engines.js';
import { isAppError } from '../../errors/app-error.js';
import { listCadences } from '../../store/cadences.repo.js';
import { DEFAULT_ORG } from '../../store/policies.repo.js';
import type { Store } from '../../store/store.js';
import { createCadence, updateCadence } from '../cadence.js';
import { decideConnector } from '../governance-connectors.js';
import { createObject, findObjectByName, listObjects, presentObject, reviewObject } from '../governance-objects.js';
import { addPolicyVersion, listPolicyVersions } from '../governance-policies.js';
import { getRaci, putRaci } from '../raci-admin.js';
import { DEFAULT_RACI } from '../raci.js';
import { exportCsv, exportSheets, exportXlsx } from './exchange-export.js';
import { fromCsv, fromXlsx, type Sheet } from './exchange-formats.js';
import { importSheets, type ImportProblem } from './exchange-import.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const ACTOR = 'ann (token t1)';

/** A store with every kind of object, lists holding `;`, tools, yes/no, a policy version and rules, a RACI, cadences. */
async function populate(store: Store): Promise<void> {
  const policy = await createObject(
    store,
    'policy',
    {
      name: 'Acceptable use',
      owner: 'ciso@example.com',
      status: 'active',
      description: 'Who may use Claude for what',
      home: 'https://notion.so/aup',
      rules: [
        { groups: ['*'], data_classes: ['public', 'internal'], surfaces: ['*'], effect: 'allow' },
        {
          groups: ['team:finance', 'person:cfo@example.com'],
          data_classes: ['financial'],
          surfaces: ['claude_code', 'cowork'],
          effect: 'deny',
          note: 'not yet; see forum',
        },
      ],
    },
    ACTOR,
    T0,
  );
  await addPolicyVersion(store, policy.id, { body_md: '# AUP v1\n', effective_date: '2026-03-01' }, ACTOR, T0);
  await addPolicyVersion(
    store,
    policy.id,
    {
      body_md: '# AUP\n\n| a | b |\n|---|---|\n\n"quoted", commas; semicolons\n',
      effective_date: '2026-04-01',
      approver: 'ceo@example.com',
    },
    ACTOR,
    T0,
  );
  await createObject(
    store,
    'workspace',
    {
      name: 'Finance close',
      owner: 'ann@example.com',
      sponsor: 'cfo@example.com',
      status: 'pilot',
      purpose: 'Month-end close',
      classification: 'confidential',
      folders: ['/srv/close', 'C:\\repos\\close', 'odd;name'],
      claude_md_present: true,
      scheduled_tasks_md_present: false,
      scheduled_tasks: ['Ledger export', 'Weekly digest'],
      pilot_ends_on: '2027-03-31',
      review_cadence: 'monthly',
    },
    ACTOR,
    T0,
  );
  await createObject(store, 'workspace', { name: 'Empty' }, ACTOR, T0);
  const gh = await createObject(
    store,
    'connector',
    {
      name: 'github',
      owner: 'it@example.com',
      publisher: 'GitHub',
      transport: 'http',
      url: 'https://api.githubcopilot.com/mcp/',
      oauth_scopes: ['repo', 'read:org'],
      tools: [
        { name: 'get_file_contents', access: 'read', policy: 'allow' },
        { name: 'ns:create_pull_request', access: 'write', policy: 'needs_approval' },
      ],
      data_classes: ['source_code'],
      risk: 'high',
    },
    ACTOR,
    T0,
  );
  await decideConnector(store, gh.id, { status: 'approved', reason: 'read tools only' }, ACTOR, T0);
  await reviewObject(store, 'connector', gh.id, ACTOR, T0 + 1234);
  await createObject(store, 'connector', { name: 'ledger', transport: 'stdio', command: 'ledger-mcp --ro' }, ACTOR, T0);
  await createObject(
    store,
    'skill',
    {
      name: 'close-checklist',
      source: 'plugin',
      plugin: 'finance-tools',
      description: 'Builds the close checklist',
      intended_use: 'Finance, at month end',
      inputs: ['trial balance'],
      outputs: ['checklist', 'summary'],
      version: '1.2',
      allowed_tools: ['Read', 'Bash(git log:*)'],
      body: 'Steps:\n\n1. Read.\n',
      owner: 'controller@example.com',
    },
    ACTOR,
    T0,
  );
  await putRaci(
    store,
    DEFAULT_ORG,
    {
      roles: [...DEFAULT_RACI.roles, 'finance'],
      activities: [...DEFAULT_RACI.activities, { name: 'month-end close', cells: { finance: 'R/A', IT: 'C' } }],
    },
    ACTOR,
    T0,
  );
  await createCadence(
    store,
    DEFAULT_ORG,
    {
      id: 'close-review',
      name: 'Close review',
      frequency: 'monthly',
      owner_person: 'ann@example.com',
      attendees: { people: ['cfo@example.com'], roles: ['finance'] },
      starts_at: Date.parse('2026-04-03T09:00:00Z'),
    },
    ACTOR,
    T0,
  );
  await updateCadence(store, DEFAULT_ORG, 'governance-forum', { active: true, grace_days: 3 }, ACTOR, T0);
}

const content = (sheets: Sheet[]) => sheets.map((s) => ({ name: s.name, headers: s.headers, rows: s.rows }));

function problemsOf(err: unknown): string[] {
  if (!isAppError(err)) throw err as Error;
  return ((err.details?.errors as ImportProblem[] | undefined) ?? []).map((p) => p.text);
}

async function rejects(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    return problemsOf(err);
  }
  throw new Error('the import was accepted');
}

/** A workbook built the way a person's Excel inventory looks. */
async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Sheet[]> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return fromXlsx(Buffer.from(await wb.xlsx.writeBuffer()));
}

describe.each(engines)('governance import and export on %s', (dialect) => {
  let a: TestStore;
  let b: TestStore;
  beforeEach(async () => {
    a = await openTestStore(dialect);
    b = await openTestStore(dialect);
  });
  afterEach(async () => {
    await a.cleanup();
    await b.cleanup();
  });

  it('XLSX round-trips without loss: export → import into an empty store → export gives the same sheets', async () => {
    await populate(a.store);
    const first = await exportXlsx(a.store);
    const report = await importSheets(b.store, await fromXlsx(first), { actor: 'cli:test', source: 'x.xlsx' });
    expect(report.counts).toEqual({ created: 7, updated: 6, unchanged: 0 }); // RACI + 5 seeded cadences updated
    const second = await exportXlsx(b.store);
    expect(content(await fromXlsx(second))).toEqual(content(await fromXlsx(first)));
    expect(await exportCsv(b.store)).toEqual(await exportCsv(a.store));

    // What the sheets carry arrived as it was.
    const ws = presentObject((await findObjectByName(b.store, 'workspace', 'Finance close'))!);
    expect(ws).toMatchObject({
      folders: ['/srv/close', 'C:\\repos\\close', 'odd;name'],
      claude_md_present: true,
      scheduled_tasks_md_present: false,
      pilot_ends_on: '2027-03-31',
    });
    const gh = (await findObjectByName(b.store, 'connector', 'github'))!;
    expect(gh.status).toBe('approved');
    expect(gh.fields.tools).toEqual([
      { name: 'get_file_contents', access: 'read', policy: 'allow' },
      { name: 'ns:create_pull_request', access: 'write', policy: 'needs_approval' },
    ]);
    const policy = (await findObjectByName(b.store, 'policy', 'Acceptable use'))!;
    expect(await listPolicyVersions(b.store, policy.id)).toMatchObject([
      { version: 1, effective_date: '2026-04-01', approver: 'ceo@example.com', created_by: 'cli:test' },
    ]);
    expect((await getRaci(b.store, DEFAULT_ORG)).matrix.roles).toContain('finance');

    // Importing the same workbook again changes nothing.
    const again = await importSheets(b.store, await fromXlsx(second), { actor: 'cli:test' });
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 13 });
  });

  it('CSV round-trips without loss (one file per sheet)', async () => {
    await populate(a.store);
    const files = await exportCsv(a.store);
    expect(files.map((f) => f.file)).toEqual([
      'policies.csv',
      'policy-rules.csv',
      'workspaces.csv',
      'connectors.csv',
      'skills.csv',
      'raci.csv',
      'cadences.csv',
    ]);
    await importSheets(
      b.store,
      files.map((f) => fromCsv(f.text, f.file)),
      { actor: 'cli:test' },
    );
    expect(await exportCsv(b.store)).toEqual(files);
  });

  it('reports every bad row by sheet, row and column, and writes nothing', async () => {
    const sheets = await workbook((wb) => {
      const c = wb.addWorksheet('Connectors');
      c.addRow(['Name', 'Transport', 'URL', 'Command', 'Risk', 'Owner', 'Tools']);
      c.addRow(['fine', 'http', 'https://example.com/mcp', '', 'low', 'it@example.com', '']);
      c.addRow(['risky', 'http', 'https://example.com/mcp', '', 'extreme', '', '']);
      c.addRow(['no-url', 'http', '', '', '', '', '']);
      c.addRow(['no-command', 'stdio', '', '', '', 'bob', '']);
      c.addRow(['tooly', 'app', '', '', '', '', 'search:read:allow; delete:write:maybe']);
      c.addRow(['', 'app']);
      c.addRow(['fine', 'app']);
      const w = wb.addWorksheet('Workspaces');
      w.addRow(['Name', 'Classification', 'CLAUDE.md present']);
      w.addRow(['W', 'secret', 'perhaps']);
      const r = wb.addWorksheet('RACI');
      r.addRow(['Activity', 'IT', 'security']);
      r.addRow(['connector approval', 'A', 'A']);
      r.addRow(['incident response', 'R', 'X']);
    });
    const problems = await rejects(importSheets(a.store, sheets, { actor: 'cli:test' }));
    expect(problems).toEqual([
      'Workspaces row 2, column "Classification": "secret" is not one of public, internal, confidential, restricted',
      'Workspaces row 2, column "CLAUDE.md present": "perhaps" is not yes or no',
      'Connectors row 3, column "Risk": "extreme" is not one of low, medium, high, critical',
      'Connectors row 4, column "URL": an http connector needs a url',
      'Connectors row 5, column "Owner": "bob": must be a person’s email address',
      'Connectors row 6, column "Tools": "delete:write:maybe" is not name:access:policy (access read or write; policy allow, needs_approval or blocked)',
      'Connectors row 7, column "Name": a name is required',
      'Connectors row 8, column "Name": "fine" is listed twice (also Connectors row 2)',
      'RACI row 3, column "security": "X" is not letters from R, A, C, I (e.g. "A", "R/A", "C")',
    ]);
    expect(await listObjects(a.store)).toEqual([]);
    expect((await getRaci(a.store, DEFAULT_ORG)).version).toBe(0);

    // The stdio row without a command is found once the rows that hid it are fixed; the RACI's two As too.
    const more = await workbook((wb) => {
      const c = wb.addWorksheet('connectors');
      c.addRow(['Name', 'Transport', 'Command']);
      c.addRow(['ok', 'stdio', 'ok-mcp']);
      c.addRow(['no-command', 'stdio', '']);
      const r = wb.addWorksheet('RACI');
      r.addRow(['Activity', 'IT', 'security']);
      r.addRow(['connector approval', 'A', 'A/R']);
    });
    expect(await rejects(importSheets(a.store, more, { actor: 'cli:test' }))).toEqual([
      'connectors row 3, column "Command": a stdio connector needs a command',
      "RACI row 2: activity 'connector approval' has 2 accountable roles (IT, security); exactly one is required",
    ]);
    expect(await listObjects(a.store)).toEqual([]);
  });

  it('a dry run reports what would change and writes nothing', async () => {
    await populate(a.store);
    const sheets = await fromXlsx(await exportXlsx(a.store));
    const dry = await importSheets(b.store, sheets, { actor: 'cli:test', dryRun: true });
    expect(dry).toMatchObject({ dry_run: true, counts: { created: 7, updated: 6, unchanged: 0 } });
    expect(dry.items).toContainEqual({
      sheet: 'Connectors',
      row: 2,
      kind: 'connector',
      name: 'github',
      action: 'created',
    });
    expect(await listObjects(b.store)).toEqual([]);
    expect((await getRaci(b.store, DEFAULT_ORG)).version).toBe(0);
    expect(await listCadences(b.store.db, DEFAULT_ORG)).toEqual([]);

    await importSheets(b.store, sheets, { actor: 'cli:test' });
    const edited = sheets.map((s) =>
      s.name !== 'Connectors'
        ? s
        : { ...s, rows: s.rows.map((r) => ({ ...r, cells: r.cells.map((c) => (c === 'high' ? 'critical' : c)) })) },
    );
    const second = await importSheets(b.store, edited, { actor: 'cli:test', dryRun: true });
    expect(second.counts).toEqual({ created: 0, updated: 1, unchanged: 12 });
    expect((await findObjectByName(b.store, 'connector', 'github'))!.fields.risk).toBe('high');
  });

  it('imports a hand-made inventory: blank rows, columns in any order and spelling, dates, links and rich text', async () => {
    const sheets = await workbook((wb) => {
      const ws = wb.addWorksheet('MCP servers');
      // Two blank rows above the header, a blank row between the entries, a column the format does not have.
      ws.getRow(3).values = [
        'Name',
        'Risk rating',
        'Transport',
        'Scopes',
        'Tools',
        'Last review',
        'Link',
        'Notes',
        'URL',
      ];
      ws.getRow(4).values = [
        'Salesforce',
        'High',
        'App',
        'api\nrefresh_token',
        { richText: [{ text: 'query:read:allow; ' }, { text: 'update:write:Needs approval' }] },
        new Date(Date.UTC(2026, 1, 14)),
        { text: 'Confluence page', hyperlink: 'https://wiki.example.com/sf' },
        'ask Bob',
      ];
      ws.getRow(6).values = [
        'Jira',
        'low',
        'sse',
        'read:jira-work',
        '',
        '2026-01-31',
        '',
        '',
        'https://jira.example.com/mcp',
      ];
      const sk = wb.addWorksheet('Skills inventory');
      sk.addRow(['name', 'source', 'inputs', 'outputs', 'owner']);
      sk.addRow(['Board pack', 'Organisation', 'minutes; KPIs', 'deck', 'Ops@Example.com']);
      wb.addWorksheet('Read me').addRow(['This workbook lists our AI tools']);
    });
    const report = await importSheets(a.store, sheets, { actor: 'cli:test', source: 'inventory.xlsx' });
    expect(report.counts).toEqual({ created: 3, updated: 0, unchanged: 0 });
    expect(report.ignored).toEqual(['MCP servers column "Notes"', 'Read me (not a governance sheet)']);
    const sf = presentObject((await findObjectByName(a.store, 'connector', 'Salesforce'))!);
    expect(sf).toMatchObject({
      risk: 'high',
      transport: 'app',
      oauth_scopes: ['api', 'refresh_token'],
      tools: [
        { name: 'query', access: 'read', policy: 'allow' },
        { name: 'update', access: 'write', policy: 'needs_approval' },
      ],
      last_reviewed_at: '2026-02-14T00:00:00.000Z',
      home: 'Confluence page',
      status: 'requested',
    });
    expect(presentObject((await findObjectByName(a.store, 'connector', 'Jira'))!)).toMatchObject({
      transport: 'sse',
      url: 'https://jira.example.com/mcp',
      last_reviewed_at: '2026-01-31T00:00:00.000Z',
    });
    expect(presentObject((await findObjectByName(a.store, 'skill', 'Board pack'))!)).toMatchObject({
      source: 'organisation',
      inputs: ['minutes', 'KPIs'],
      owner: 'ops@example.com',
      created_by: 'cli:test',
    });
    const connectors = (await exportSheets(a.store, T0)).find((s) => s.title === 'Connectors');
    expect(connectors?.rows.map((r) => r[0])).toEqual(['Jira', 'Salesforce']);
  });

  it('a connector status in the sheet is a decision; a move the lifecycle refuses is an error on the Status column', async () => {
    const c = await createObject(a.store, 'connector', { name: 'slack', transport: 'app' }, ACTOR, T0);
    await decideConnector(a.store, c.id, { status: 'denied', reason: 'no' }, ACTOR, T0);
    const sheet = (status: string) =>
      workbook((wb) => {
        const ws = wb.addWorksheet('Connectors');
        ws.addRow(['Name', 'Status']);
        ws.addRow(['slack', status]);
      });
    expect(await rejects(importSheets(a.store, await sheet('approved'), { actor: 'cli:test' }))).toEqual([
      'Connectors row 2, column "Status": a connector cannot go from denied to approved (from denied: retired)',
    ]);
    await importSheets(a.store, await sheet('retired'), { actor: 'cli:test', source: 'inv.xlsx' });
    expect((await findObjectByName(a.store, 'connector', 'slack'))!.status).toBe('retired');
  });
});
