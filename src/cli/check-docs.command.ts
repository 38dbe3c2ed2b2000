import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { checkDocs, isMemoryFile, matchWorkspace, type DocsFinding, type DocsTree } from '../govern/docs-check.js';
import { docsFormats, renderDocsReport, type DocsFormat } from '../govern/docs-check-report.js';
import { parseScheduledTasks, type InventoryWorkspace } from '../govern/docs-check-tasks.js';
import { findObjectByName, listObjects, updateObject } from '../govern/governance-objects.js';
import { openStore } from '../store/store.js';
import { version } from '../version.js';
import { withAuditedStore } from './cli-audit.js';
import { configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * `steward check docs <paths…> [--format text|json|sarif] [--inventory file.json]`: documentation standards of
 * workspace folders and repositories (docs/governance-operations.md). Exit 0 when no finding is an error, 1 when
 * one is (for CI), 2 for a usage error (bad option, a path that is not a folder, an unreadable inventory).
 */
export function registerCheckCommand(program: Command): void {
  const check = program.command('check').description('check workspaces against Steward standards');
  check
    .command('docs')
    .description('check CLAUDE.md, scheduled-tasks.md, SKILL.md files and memory hygiene in workspace folders')
    .argument('<paths...>', 'workspace folders or repositories')
    .option('--format <format>', `output format: ${docsFormats.join(', ')}`, 'text')
    .option('--inventory <file>', 'workspace inventory (JSON) to compare scheduled-tasks.md with')
    .option('--data-dir <dir>', "compare with the workspace inventory of this Steward's SQLite store")
    .option('--database-url <url>', "compare with the workspace inventory of this Steward's PostgreSQL store")
    .option('--config <file>', 'Steward config file naming the store to read the inventory from')
    .option(
      '--record',
      "write what was found (CLAUDE.md and scheduled-tasks.md present, the scheduled tasks) into each matching workspace of the store's inventory",
    )
    .exitOverride(usageExit)
    .action(async (paths: string[], flags: CheckDocsFlags) => {
      const code = await runCheckDocs(paths, flags);
      process.exitCode = code;
    });
  check.exitOverride(usageExit);
}

/** Commander's own usage errors (unknown option, missing argument) exit 2 like ours; help and version exit 0. */
function usageExit(err: CommanderError): never {
  process.exit(err.exitCode === 0 ? 0 : 2);
}

function usage(message: string): number {
  process.stderr.write(`steward: ${message}\n`);
  return 2;
}

interface CheckDocsFlags extends Pick<ConfigFlags, 'config' | 'dataDir' | 'databaseUrl'> {
  format: string;
  inventory?: string;
  record?: boolean;
}

async function runCheckDocs(paths: string[], flags: CheckDocsFlags): Promise<number> {
  if (!(docsFormats as readonly string[]).includes(flags.format)) {
    return usage(`--format must be one of ${docsFormats.join(', ')}, got "${flags.format}"`);
  }
  const fromStore = flags.dataDir !== undefined || flags.databaseUrl !== undefined || flags.config !== undefined;
  if (flags.record && (!fromStore || flags.inventory !== undefined)) {
    return usage('--record needs the store (--data-dir, --database-url or --config), not --inventory');
  }
  let inventory: InventoryWorkspace[] | undefined;
  if (flags.inventory !== undefined) {
    const read = await readInventory(flags.inventory);
    if (typeof read === 'string') return usage(read);
    inventory = read;
  } else if (fromStore) {
    const read = await storeInventory(flags).catch((err: unknown) => `cannot read the inventory: ${String(err)}`);
    if (typeof read === 'string') return usage(read);
    inventory = read;
  }
  const findings: DocsFinding[] = [];
  const roots: string[] = [];
  const observed: Observed[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info?.isDirectory()) return usage(`${p} is not a folder`);
    const root = p.split(path.sep).join('/').replace(/\/+$/, '') || '/';
    roots.push(root);
    const tree = await readTree(p, root);
    findings.push(...checkDocs(tree, { inventory }));
    const workspace = inventory && flags.record ? matchWorkspace(inventory, tree.absoluteRoot) : null;
    if (workspace) observed.push({ workspace: workspace.name, ...observe(tree) });
  }
  if (observed.length > 0) await recordObserved(flags, observed);
  process.stdout.write(renderDocsReport(flags.format as DocsFormat, findings, roots, version));
  return findings.some((f) => f.level === 'error') ? 1 : 0;
}

const taskSchema = z.union([
  z.string().min(1),
  z.object({ name: z.string().min(1), schedule: z.string().nullish(), owner: z.string().nullish() }),
]);
const workspaceSchema = z.object({
  name: z.string().min(1),
  folders: z.array(z.string()).optional(),
  folder: z.string().optional(),
  scheduled_tasks: z.array(taskSchema).optional(),
  scheduledTasks: z.array(taskSchema).optional(),
});
const inventorySchema = z.union([z.array(workspaceSchema), z.object({ workspaces: z.array(workspaceSchema) })]);

/**
 * The inventory file: `{"workspaces": [{"name", "folders": [...], "scheduled_tasks": [{"name","schedule","owner"}]}]}`
 * (or the bare array). Other keys of an exported inventory are ignored; tasks may be plain names.
 */
async function readInventory(file: string): Promise<InventoryWorkspace[] | string> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    return `cannot read the inventory ${file}: ${(err as Error).message}`;
  }
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `inventory ${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
  }
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.workspaces;
  return list.map((w) => ({
    name: w.name,
    folders: [...(w.folders ?? []), ...(w.folder ? [w.folder] : [])].map((f) => path.resolve(path.dirname(file), f)),
    scheduledTasks: (w.scheduled_tasks ?? w.scheduledTasks ?? []).map((t) => (typeof t === 'string' ? { name: t } : t)),
  }));
}

interface Observed {
  workspace: string;
  claude_md_present: boolean;
  scheduled_tasks_md_present: boolean;
  scheduled_tasks: string[];
}

/** What the folder's root holds: CLAUDE.md, scheduled-tasks.md and the tasks it lists. */
function observe(tree: DocsTree): Omit<Observed, 'workspace'> {
  const at = (name: string) => tree.files.find((f) => f.path === name);
  const tasks = at('scheduled-tasks.md');
  return {
    claude_md_present: at('CLAUDE.md') !== undefined,
    scheduled_tasks_md_present: tasks !== undefined,
    scheduled_tasks: tasks ? parseScheduledTasks(tasks.text).tasks.map((t) => t.name) : [],
  };
}

/** `--record`: the inventory's workspaces get what was found, through the objects' write path (history, actor). */
async function recordObserved(flags: CheckDocsFlags, observed: Observed[]): Promise<void> {
  const what = { action: 'governance.workspaces.docs_check', command: 'check docs --record' };
  await withAuditedStore(flags, what, async (store, note) => {
    const updated: string[] = [];
    for (const { workspace, ...facts } of observed) {
      const object = await findObjectByName(store, 'workspace', workspace);
      if (!object) continue;
      await updateObject(store, 'workspace', object.id, facts, `cli:${userInfo().username}`);
      updated.push(object.id);
    }
    note.details = { workspaces: updated };
  });
}

/** The workspaces of the store's inventory (`steward gov`), retired ones left out. */
async function storeInventory(flags: CheckDocsFlags): Promise<InventoryWorkspace[]> {
  const config = configFromFlags(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
    return (await listObjects(store, 'workspace'))
      .filter((w) => w.status !== 'retired')
      .map((w) => ({
        name: w.name,
        folders: strings(w.fields.folders),
        scheduledTasks: strings(w.fields.scheduled_tasks).map((name) => ({ name })),
      }));
  } finally {
    await store.close();
  }
}

const SKIP_DIRS = new Set([
  '.git',
  'node_modules',
  'dist',
  'build',
  'target',
  '.venv',
  'venv',
  '__pycache__',
  'vendor',
]);
const MAX_ENTRIES = 100_000;
const MAX_FILE_BYTES = 1024 * 1024;

/** Walks the folder (symbolic links not followed) and reads the files the rules look at. */
async function readTree(dir: string, root: string): Promise<DocsTree> {
  const tree: DocsTree = { root, absoluteRoot: path.resolve(dir), files: [], dirs: [] };
  const queue: string[] = [''];
  let entries = 0;
  while (queue.length > 0 && entries < MAX_ENTRIES) {
    const rel = queue.shift() ?? '';
    let list: Dirent[];
    try {
      list = await readdir(path.join(dir, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of list) {
      entries++;
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (SKIP_DIRS.has(entry.name)) continue;
        tree.dirs.push(child);
        queue.push(child);
      } else if (entry.isFile() && wanted(child, rel)) {
        const text = await readFile(path.join(dir, child)).catch(() => null);
        if (text) tree.files.push({ path: child, text: text.subarray(0, MAX_FILE_BYTES).toString('utf8') });
      }
    }
  }
  return tree;
}

function wanted(file: string, folder: string): boolean {
  const name = path.posix.basename(file);
  return isMemoryFile(file) || /^skill\.md$/i.test(name) || (folder === '' && name === 'scheduled-tasks.md');
}
