import type { z } from 'zod';
import { isAppError } from '../../errors/app-error.js';
import type { Store } from '../../store/store.js';
import type { Sheet, SheetRow } from './exchange-formats.js';
import {
  blankValue,
  columnOf,
  isBlank,
  readCell,
  sheetSpec,
  showCell,
  type ColumnSpec,
  type SheetKind,
} from './exchange-sheets.js';

/**
 * The importer's rows: the report and problem types, sheets read into records (cells by field), cells read into API
 * values, and failures turned into problems naming sheet, row and column. Used by exchange-import.ts (objects) and
 * exchange-apply.ts (RACI, cadences).
 */
export interface ImportProblem {
  sheet: string;
  row: number | null;
  column: string | null;
  message: string;
  /** `Connectors row 7, column "Risk": "extreme" is not one of low, medium, high, critical` */
  text: string;
}

export type ImportAction = 'created' | 'updated' | 'unchanged';
export interface ImportItem {
  sheet: string;
  row: number | null;
  kind: string;
  name: string;
  action: ImportAction;
}
export interface ImportReport {
  dry_run: boolean;
  items: ImportItem[];
  /** Sheets, files and columns that are not part of the format (and were not read). */
  ignored: string[];
  counts: Record<ImportAction, number>;
}
export interface ImportOptions {
  actor: string;
  dryRun?: boolean;
  /** Named in connector decisions taken by the import (`imported from inventory.xlsx`). */
  source?: string;
  now?: number;
}

export interface Cell {
  col: ColumnSpec;
  header: string;
  raw: unknown;
}
export interface Rec {
  sheet: Sheet;
  row: SheetRow | null;
  cells: Map<string, Cell>;
}

export class Problems {
  readonly list: ImportProblem[] = [];
  add(sheet: Sheet, row: SheetRow | null, column: string | null, message: string): void {
    const where = [sheet.name, sheet.rowWord && row ? ` ${sheet.rowWord} ${row.number}` : ''].join('');
    const text = `${where}${column === null ? '' : `, ${sheet.columnWord} "${column}"`}: ${message}`;
    this.list.push({ sheet: sheet.name, row: row?.number ?? null, column, message, text });
  }
}

export interface Ctx {
  store: Store;
  problems: Problems;
  opts: ImportOptions;
  now: number;
  items: ImportItem[];
  rules: Rules;
}

/** Runs one row; an expected failure (validation, a refused transition) becomes a problem on that row. */
export async function guard(ctx: Ctx, rec: Rec, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!isAppError(err)) throw err;
    const issues = (err.details?.issues as { path: string; message: string }[] | undefined) ?? [];
    if (issues.length > 0) {
      for (const i of issues) {
        const key = i.path.split('.')[0] ?? '';
        ctx.problems.add(rec.sheet, rec.row, headerFor(rec, key), i.message);
      }
    } else if (err.code === 'invalid_transition') {
      ctx.problems.add(rec.sheet, rec.row, headerFor(rec, 'status'), err.message);
    } else ctx.problems.add(rec.sheet, rec.row, null, err.message);
  }
}

export function headerFor(rec: Rec, key: string): string | null {
  const cell = rec.cells.get(key);
  if (cell) return cell.header;
  const col = rec.sheet.kind ? sheetSpec(rec.sheet.kind).columns.find((c) => c.key === key) : undefined;
  if (!col) return null;
  return rec.sheet.columnWord === 'field' ? col.key : col.header;
}

export function readRecords(sheet: Sheet, problems: Problems, ignored: string[]): Rec[] {
  const spec = sheetSpec(sheet.kind as SheetKind);
  const columns: (ColumnSpec | undefined)[] = sheet.headers.map((h, i) => {
    const col = columnOf(spec, h);
    if (!col && h !== '') ignored.push(`${sheet.name} ${sheet.columnWord} "${h}"`);
    if (col && sheet.headers.findIndex((o) => columnOf(spec, o) === col) !== i) {
      problems.add(sheet, null, h, `the same column as "${sheet.headers.find((o) => columnOf(spec, o) === col)}"`);
      return undefined;
    }
    return col;
  });
  if (sheet.rows.length === 0) return [];
  const nameKey = sheet.kind === 'policy_rules' ? 'policy' : 'name';
  if (!columns.some((c) => c?.key === nameKey)) {
    problems.add(sheet, null, null, `no "${nameKey === 'policy' ? 'Policy' : 'Name'}" ${sheet.columnWord}`);
    return [];
  }
  return sheet.rows.map((row) => {
    const cells = new Map<string, Cell>();
    columns.forEach((col, i) => {
      if (col) cells.set(col.key, { col, header: sheet.headers[i] as string, raw: row.cells[i] });
    });
    return { sheet, row, cells };
  });
}

/**
 * The cells of a record as API values: a blank cell clears the field (lists become empty), or is left out where the
 * field cannot be cleared (name, status, cadence, …: the default or the stored value stays). Cells that do not read are problems; the result is then undefined.
 */
export function values(ctx: Ctx, rec: Rec): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const [key, cell] of rec.cells) {
    if (isBlank(cell.raw)) {
      // Blank cells clear (lists empty): on a create too, so importing the same row again changes nothing.
      const blank = blankValue(cell.col);
      if (blank !== undefined) out[key] = blank;
      continue;
    }
    const r = readCell(cell.col, cell.raw);
    if (r.ok) out[key] = r.value;
    else {
      ctx.problems.add(rec.sheet, rec.row, cell.header, r.message);
      ok = false;
    }
  }
  return ok ? out : undefined;
}

export function valueAt(root: unknown, from: number, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path.slice(from))
    v = v === null || typeof v !== 'object' ? undefined : (v as Record<PropertyKey, unknown>)[p];
  return v;
}

export function describe(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && issue.code === 'invalid_type') return 'a value is required';
  if (issue.code === 'invalid_value') return `${showCell(value)} is not one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'unrecognized_keys')
    return `unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.join(', ')}`;
  return value === undefined ? issue.message : `${showCell(value)}: ${issue.message}`;
}

export interface Rules {
  /** The sheet was in the import: a policy without rows in it has no rules. */
  present: boolean;
  byPolicy: Map<string, { name: string; rules: Record<string, unknown>[]; recs: Rec[] }>;
  used: Set<string>;
}
