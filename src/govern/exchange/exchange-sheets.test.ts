import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../../test/support/engines.js';
import { isAppError } from '../../errors/app-error.js';
import { listObjects } from '../governance-objects.js';
import { fromCsv, parseCsv, toXlsx } from './exchange-formats.js';
import { importSheets, type ImportProblem } from './exchange-import.js';
import { initFiles, sheetsFromFiles } from './init-files.js';
import { formatCell, readCell, sheetKindOf, sheetSpec, splitList } from './exchange-sheets.js';

const col = (kind: Parameters<typeof sheetSpec>[0], key: string) => {
  const c = sheetSpec(kind).columns.find((x) => x.key === key);
  if (!c) throw new Error(key);
  return c;
};

describe('exchange cells', () => {
  it('writes lists with "; " and reads them back, a ";" inside an item escaped', () => {
    const folders = col('workspaces', 'folders');
    const items = ['/srv/a', 'C:\\repos\\b', 'odd;name'];
    const cell = formatCell(folders, items);
    expect(cell).toBe('/srv/a; C:\\repos\\b; odd\\;name');
    expect(readCell(folders, cell)).toEqual({ ok: true, value: items });
    expect(splitList(' a ;\nb;; c ')).toEqual(['a', 'b', 'c']);
  });

  it('reads yes/no, times, dates, enums and tools leniently and says what is wrong otherwise', () => {
    expect(readCell(col('workspaces', 'claude_md_present'), 'Yes')).toEqual({ ok: true, value: true });
    expect(readCell(col('workspaces', 'last_reviewed_at'), '2026-02-01')).toEqual({
      ok: true,
      value: '2026-02-01T00:00:00.000Z',
    });
    expect(readCell(col('workspaces', 'last_reviewed_at'), 'last week')).toEqual({
      ok: false,
      message: '"last week" is not a date (YYYY-MM-DD) or an ISO 8601 time',
    });
    expect(readCell(col('connectors', 'risk'), 'Critical')).toEqual({ ok: true, value: 'critical' });
    expect(readCell(col('connectors', 'tools'), 'a:b:read:Needs approval')).toEqual({
      ok: true,
      value: [{ name: 'a:b', access: 'read', policy: 'needs_approval' }],
    });
    expect(readCell(col('cadences', 'grace_days'), '1.5')).toEqual({
      ok: false,
      message: '"1.5" is not a whole number',
    });
    expect(sheetKindOf('MCP Servers')).toBe('connectors');
    expect(sheetKindOf('policy-rules.csv'.replace('.csv', ''))).toBe('policy_rules');
    expect(sheetKindOf('Budget')).toBeUndefined();
  });

  it('parses CSV with quotes, embedded line breaks and CRLF, keeping line numbers', () => {
    expect(parseCsv('a,b\r\n"x, ""y""","1\n2"\r\n\r\nz,\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, "y"', '1\n2'] },
      { line: 4, fields: [''] },
      { line: 5, fields: ['z', ''] },
    ]);
    expect(() => parseCsv('a\n"open')).toThrow('line 2: a quoted field is not closed');
  });

  it('refuses an XLSX cell longer than Excel holds, naming it', async () => {
    const sheet = {
      title: 'Policies',
      file: 'policies',
      headers: ['Name', 'Policy text'],
      rows: [['AUP', 'x'.repeat(40_000)]],
    };
    await expect(toXlsx([sheet])).rejects.toThrow(
      'Policies row 2, column "Policy text": 40000 characters, more than an Excel cell holds (32767); export as CSV',
    );
  });
});

describe.each(engines)('policy rules import on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('names the Policy rules row and column of a bad rule, and a rule for a policy the import does not have', async () => {
    const policies = fromCsv('Name,Status\r\nAUP,active\r\n', 'policies.csv');
    const rules = fromCsv(
      'Policy,Effect,Groups,Data classes,Surfaces\r\n' +
        'AUP,allow,*,public,*\r\n' +
        'AUP,deny,team:finance,financial,claude_code; phone\r\n' +
        'Other,deny,*,secrets,*\r\n',
      'policy-rules.csv',
    );
    let problems: string[] = [];
    try {
      await importSheets(t.store, [policies, rules], { actor: 'cli:test' });
    } catch (err) {
      if (!isAppError(err)) throw err;
      problems = (err.details?.errors as ImportProblem[]).map((p) => p.text);
    }
    expect(problems).toEqual([
      'policy-rules.csv row 3, column "Surfaces": "phone" is not one of claude_code, cowork, desktop, office, api, claude_ai, *',
      'policy-rules.csv row 4, column "Policy": no policy "Other" in the Policies sheet',
    ]);
    expect(await listObjects(t.store)).toEqual([]);
  });

  it('reads back what steward init writes: the same objects, and nothing to change the second time', async () => {
    const files = initFiles(Date.parse('2026-05-04T12:00:00Z'), 'pilot@example.com').map((f) => ({
      name: f.path,
      bytes: Buffer.from(f.text),
    }));
    const { sheets, ignored } = await sheetsFromFiles(files);
    expect(ignored).toEqual(['README.md (no "kind: policy" frontmatter)']);
    const first = await importSheets(t.store, sheets, { actor: 'cli:test' });
    expect(first.counts).toEqual({ created: 3, updated: 5, unchanged: 1 });
    expect((await listObjects(t.store)).map((o) => `${o.kind} ${o.name} ${o.owner} ${o.status}`).sort()).toEqual([
      'connector github pilot@example.com requested',
      'policy Acceptable use of Claude pilot@example.com draft',
      'workspace Pilot pilot@example.com pilot',
    ]);
    expect((await importSheets(t.store, sheets, { actor: 'cli:test' })).counts).toEqual({
      created: 0,
      updated: 0,
      unchanged: 9,
    });
  });
});
