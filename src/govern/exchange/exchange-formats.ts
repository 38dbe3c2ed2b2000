import type ExcelJS from 'exceljs';
import { AppError } from '../../errors/app-error.js';
import { isBlank, sheetKindOf, type CellValue, type SheetKind } from './exchange-sheets.js';

/**
 * The exchange's files, in memory: sheets to and from XLSX (exceljs, buffers only), CSV (RFC 4180) and Markdown.
 * Reading keeps what a person's spreadsheet has — the header row is the first non-blank row of a sheet, blank rows
 * are skipped, row numbers are the ones the spreadsheet shows — and leaves the meaning of cells to the importer.
 */
export interface Sheet {
  /** The sheet's or file's name, as the error messages name it. */
  name: string;
  kind: SheetKind | undefined;
  /** How a row is named in messages: `row 7` (spreadsheets, CSV), `item 2` (YAML lists), nothing (a document). */
  rowWord: 'row' | 'item' | null;
  columnWord: 'column' | 'field';
  headers: string[];
  rows: SheetRow[];
}

export interface SheetRow {
  number: number;
  /** Aligned with the headers. */
  cells: CellValue[];
}

/** A sheet as an export writes it: header row, then text (and number) cells. */
export interface OutSheet {
  title: string;
  file: string;
  headers: string[];
  rows: (string | number)[][];
}

// ---------------------------------------------------------------------------------------------------------------
// XLSX
// ---------------------------------------------------------------------------------------------------------------

/** Excel refuses (repairs, cutting) cells longer than this. */
const MAX_XLSX_CELL = 32_767;

/**
 * exceljs is loaded on first use: imported at start-up it held ~7.5 MB of heap (and ~25 MB RSS with its code) in
 * every server, whether or not anyone ever exchanges a spreadsheet.
 */
async function excel(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}

export async function toXlsx(sheets: readonly OutSheet[]): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'Steward';
  // A fixed date keeps two exports of the same content byte-comparable in their sheets.
  wb.created = new Date(0);
  wb.modified = new Date(0);
  for (const s of sheets) {
    s.rows.forEach((r, i) =>
      r.forEach((v, j) => {
        if (typeof v === 'string' && v.length > MAX_XLSX_CELL) {
          throw new AppError(
            'bad_request',
            `${s.title} row ${i + 2}, column "${s.headers[j] ?? j}": ${v.length} characters, more than an Excel cell ` +
              `holds (${MAX_XLSX_CELL}); export as CSV or Markdown instead`,
          );
        }
      }),
    );
    const ws = wb.addWorksheet(s.title, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(s.headers).font = { bold: true };
    for (const r of s.rows) ws.addRow(r);
    s.headers.forEach((h, i) => {
      const widest = Math.max(h.length, ...s.rows.map((r) => String(r[i] ?? '').length));
      ws.getColumn(i + 1).width = Math.min(60, Math.max(10, widest + 2));
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** What a person sees in a cell: rich text joined, a hyperlink's text, a formula's result. */
function cellValue(v: ExcelJS.CellValue): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || v instanceof Date) return v;
  if ('richText' in v) return v.richText.map((p) => p.text).join('');
  if ('hyperlink' in v) {
    const text = typeof v.text === 'string' ? v.text : cellValue(v.text as ExcelJS.CellValue);
    return isBlank(text) ? v.hyperlink : text;
  }
  if ('formula' in v || 'sharedFormula' in v) return cellValue((v as { result?: ExcelJS.CellValue }).result ?? null);
  if ('error' in v) return String(v.error);
  return null;
}

export async function fromXlsx(bytes: Buffer | Uint8Array): Promise<Sheet[]> {
  const wb = new (await excel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new Error(`not an XLSX workbook (${(err as Error).message})`);
  }
  const sheets: Sheet[] = [];
  wb.eachSheet((ws) => {
    const rows: SheetRow[] = [];
    ws.eachRow({ includeEmpty: false }, (row, number) => {
      const values = row.values as ExcelJS.CellValue[];
      const cells = values.slice(1).map(cellValue);
      if (cells.every(isBlank)) return;
      rows.push({ number, cells });
    });
    sheets.push(makeSheet(ws.name, 'row', rows));
  });
  return sheets;
}

/** The first row is the header row; the rest are data rows. */
function makeSheet(name: string, rowWord: 'row', rows: SheetRow[], kindName = name): Sheet {
  const [head, ...data] = rows;
  return {
    name,
    kind: sheetKindOf(kindName),
    rowWord,
    columnWord: 'column',
    headers: (head?.cells ?? []).map((c) => (isBlank(c) ? '' : String(c as string).trim())),
    rows: data,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CSV (RFC 4180; CRLF on write, CRLF or LF on read)
// ---------------------------------------------------------------------------------------------------------------

const quote = (v: string): string => (/[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function toCsv(sheet: OutSheet): string {
  return [sheet.headers, ...sheet.rows].map((r) => r.map((v) => quote(String(v))).join(',')).join('\r\n') + '\r\n';
}

/** Records with the line each starts on; an unterminated quote is an error naming its line. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const s = text.replace(/^\uFEFF/, '');
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = 0;
  let quoted = false;
  while (i < s.length) {
    const ch = s[i] as string;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      fields.push(field);
      records.push({ line: start, fields });
      fields = [];
      field = '';
      if (ch === '\r' && s[i + 1] === '\n') i++;
      line++;
      start = line;
    } else field += ch;
    i++;
  }
  if (quoted) throw new Error(`line ${start}: a quoted field is not closed`);
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: start, fields });
  }
  return records;
}

/** A CSV file as a sheet: the kind comes from the file's name (`connectors.csv`), row numbers are line numbers. */
export function fromCsv(text: string, fileName: string): Sheet {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '');
  const rows = parseCsv(text)
    .map((r) => ({ number: r.line, cells: r.fields as CellValue[] }))
    .filter((r) => !r.cells.every(isBlank));
  return makeSheet(fileName.replace(/^.*[\\/]/, ''), 'row', rows, base);
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown (to paste into Notion or Confluence)
// ---------------------------------------------------------------------------------------------------------------

const mdCell = (v: string | number): string =>
  String(v).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');

export function markdownTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [
    `| ${headers.map(mdCell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${headers.map((_, i) => mdCell(r[i] ?? '')).join(' | ')} |`),
  ].join('\n');
}
