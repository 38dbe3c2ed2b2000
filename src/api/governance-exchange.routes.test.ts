import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSteward, type TestSteward } from '../../test/support/steward.js';
import { fromXlsx } from '../govern/exchange/exchange-formats.js';

/** Governance import and export through real HTTP with real tokens. */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function inventory(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Connectors');
  ws.addRow(['Name', 'Transport', 'URL', 'Risk']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('governance import and export API', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const upload = (body: Buffer, query = '', role: 'admin' | 'analyst' = 'admin', type = XLSX) =>
    t.api(`/api/v1/governance/import${query}`, { method: 'POST', role, headers: { 'content-type': type }, body });

  it('imports an XLSX upload (dry run first), refuses bad rows naming them, and exports XLSX, CSV and Markdown', async () => {
    const good = await inventory([['github', 'http', 'https://api.githubcopilot.com/mcp/', 'medium']]);
    const dry = await upload(good, '?dry_run=true');
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ dry_run: true, counts: { created: 1, updated: 0, unchanged: 0 } });
    expect((await t.getJson<{ items: unknown[] }>('/api/v1/governance/connectors')).items).toEqual([]);

    expect((await upload(good, '', 'analyst')).status).toBe(403);
    const done = await upload(good);
    expect(await done.json()).toMatchObject({ dry_run: false, counts: { created: 1 } });

    const bad = await upload(await inventory([['jira', 'sse', '', 'extreme']]));
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: { errors: { text: string }[] } } };
    expect(body.error.details.errors.map((e) => e.text)).toEqual([
      'Connectors row 2, column "Risk": "extreme" is not one of low, medium, high, critical',
    ]);
    const csv = await upload(
      Buffer.from('Name,Transport,Risk\r\njira,app,low\r\n'),
      '?sheet=connectors',
      'admin',
      'text/csv',
    );
    expect(await csv.json()).toMatchObject({ counts: { created: 1 } });

    const xlsx = await t.api('/api/v1/governance/export?format=xlsx', { role: 'analyst' });
    expect(xlsx.headers.get('content-type')).toBe(XLSX);
    const sheets = await fromXlsx(Buffer.from(await xlsx.arrayBuffer()));
    expect(sheets.find((s) => s.name === 'Connectors')?.rows.map((r) => r.cells[0])).toEqual(['github', 'jira']);
    const one = await t.api('/api/v1/governance/export?format=csv&sheet=connectors', { role: 'analyst' });
    expect(await one.text()).toMatch(/^Name,Status,Owner,Publisher,Transport,URL,.*\r\ngithub,requested,/);
    const md = await t.api('/api/v1/governance/export?format=md', { role: 'analyst' });
    expect(await md.text()).toContain('## Connectors');
    expect((await t.api('/api/v1/governance/export?format=csv', { role: 'analyst' })).status).toBe(400);
  });
});
