import type { Command } from 'commander';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { isAppError } from '../errors/app-error.js';
import { exportCsv, exportMarkdown, exportXlsx } from '../govern/exchange/exchange-export.js';
import { importSheets, type ImportProblem, type ImportReport } from '../govern/exchange/exchange-import.js';
import { sheetsFromFiles, type ReadFile } from '../govern/exchange/init-files.js';
import { withAuditedStore } from './cli-audit.js';
import { addConfigOptions, type ConfigFlags } from './config-options.js';

/**
 * `steward gov export --format xlsx|csv|md [--out PATH]` and `steward gov import <file|folder> [--dry-run]`
 * (docs/governance.md, "Import, export and init"). The disk is read and written here; the mapping and validation are
 * govern/exchange's. An import with any problem prints every one (sheet, row, column) and writes nothing.
 */
const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const FORMATS = ['xlsx', 'csv', 'md'] as const;

/** A file, or every file directly inside a folder (sorted by name). */
export async function readImportFiles(path: string): Promise<ReadFile[]> {
  const info = await stat(path).catch(() => {
    throw new Error(`${path}: no such file or folder`);
  });
  if (!info.isDirectory()) return [{ name: basename(path), bytes: await readFile(path) }];
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  return Promise.all(names.map(async (name) => ({ name, bytes: await readFile(join(path, name)) })));
}

export function reportText(r: ImportReport): string {
  const lines: string[] = [];
  if (r.dry_run) lines.push('dry run: nothing was written; this is what the import would do');
  const width = Math.max(0, ...r.items.map((i) => `${i.kind} ${i.name}`.length));
  for (const i of r.items) {
    const where = i.row === null ? i.sheet : `${i.sheet} ${/\.ya?ml/.test(i.sheet) ? 'item' : 'row'} ${i.row}`;
    lines.push(
      `${(r.dry_run ? `would be ${i.action}` : i.action).padEnd(20)} ${`${i.kind} ${i.name}`.padEnd(width)}  (${where})`,
    );
  }
  const c = r.counts;
  lines.push(`${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged${r.dry_run ? ' (dry run)' : ''}`);
  for (const i of r.ignored) lines.push(`ignored: ${i}`);
  return lines.join('\n');
}

export function registerGovExchangeCommand(program: Command): void {
  const gov =
    program.commands.find((c) => c.name() === 'gov') ??
    program.command('gov').description('governance: inventories, RACI, cadences');

  addConfigOptions(
    gov
      .command('export')
      .description('the inventories, policy rules, RACI and cadences as XLSX, CSV files or Markdown')
      .requiredOption('--format <format>', 'xlsx (one sheet per object), csv (one file per sheet) or md')
      .option('--out <path>', 'the .xlsx file, the folder for the CSV files, or the .md file (md: stdout without)'),
  ).action(async (flags: ConfigFlags & { format: string; out?: string }) => {
    if (!(FORMATS as readonly string[]).includes(flags.format)) {
      throw new Error(`--format must be one of ${FORMATS.join(', ')}, got "${flags.format}"`);
    }
    if (flags.out === undefined && flags.format !== 'md') throw new Error(`--format ${flags.format} needs --out`);
    const path = flags.out as string;
    await withAuditedStore(flags, { action: 'export.governance', command: 'gov export' }, async (store, note) => {
      note.details = { format: flags.format, ...(flags.out !== undefined ? { out: flags.out } : {}) };
      if (flags.format === 'xlsx') {
        await writeFile(path, await exportXlsx(store));
        out(`wrote ${path}`);
      } else if (flags.format === 'csv') {
        await mkdir(path, { recursive: true });
        const files = await exportCsv(store);
        for (const f of files) await writeFile(join(path, f.file), f.text);
        out(`wrote ${files.length} files to ${path}: ${files.map((f) => f.file).join(', ')}`);
      } else {
        const md = await exportMarkdown(store);
        if (flags.out === undefined) process.stdout.write(md);
        else {
          await writeFile(path, md);
          out(`wrote ${path}`);
        }
      }
    });
  });

  addConfigOptions(
    gov
      .command('import <path>')
      .description('import an XLSX workbook, CSV file(s) or the files `steward init` wrote (a file or a folder)')
      .option('--dry-run', 'report what would be created, updated or unchanged; write nothing')
      .option('--json', 'print the report (or the problems) as JSON'),
  ).action(async (path: string, flags: ConfigFlags & { dryRun?: boolean; json?: boolean }) => {
    const files = await readImportFiles(path);
    const { sheets, ignored } = await sheetsFromFiles(files);
    await withAuditedStore(flags, { action: 'governance.import', command: 'gov import' }, async (store, note) => {
      note.details = { source: basename(path), dry_run: flags.dryRun === true };
      try {
        const report = await importSheets(store, sheets, {
          actor: `cli:${userInfo().username}`,
          dryRun: flags.dryRun === true,
          source: basename(path),
        });
        report.ignored.unshift(...ignored);
        note.details = { ...note.details, ...report.counts };
        out(flags.json ? JSON.stringify(report, null, 2) : reportText(report));
      } catch (err) {
        const problems = isAppError(err) ? (err.details?.errors as ImportProblem[] | undefined) : undefined;
        if (!problems) throw err;
        if (flags.json) out(JSON.stringify({ errors: problems }, null, 2));
        for (const p of problems) process.stderr.write(`${p.text}\n`);
        const n = problems.length;
        note.details = { ...note.details, problems: n };
        process.stderr.write(`steward: ${n} ${n === 1 ? 'problem' : 'problems'} in ${path}; nothing was written\n`);
        process.exitCode = 1;
      }
    });
  });
}
