/**
 * Checks the rules of DESIGN §6 and §8 that the compiler and the linter cannot see:
 *   names     every file and folder under src/, test/, bench/, scripts/ and web/src/ is kebab-case (dots separate
 *             role suffixes: `usage.routes.ts`, `usage.test.ts`); no file or folder named utils, helpers, misc, common.
 *   layers    imports in src/ point down: cli, app.ts, main.ts → surfaces → domain → store → contracts, with config/,
 *             errors/ and version.ts usable from everywhere. Modules in the same layer may import each other;
 *             nothing outside cli/ imports cli/.
 *   purity    policy/ and detect/ do no I/O: no node I/O modules, database or HTTP clients, nothing from store/.
 *   size      files under src/ stay under 400 lines (warning) and never pass 600 (error).
 * Tests beside the code (`*.test.ts`) follow the layer rules too, but may read fixtures (purity does not apply to
 * them) and may import shared support code from test/.
 *
 * Imports are found with regular expressions over `import … from '…'`, `export … from '…'`, `import '…'` and
 * `import('…')`, after removing comments. That is good enough for this codebase's style (one statement per import,
 * no specifiers built at run time) and keeps the check fast and dependency-free; it is not a TypeScript parser.
 *
 * Usage: tsx scripts/check-architecture.ts [root]   (root defaults to the repository; exits 1 on any error)
 */
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Violation {
  rule: 'names' | 'layers' | 'purity' | 'size';
  file: string;
  message: string;
}

export interface ArchitectureReport {
  errors: Violation[];
  warnings: Violation[];
}

/** Folders whose names are checked, relative to the root. */
const NAMED_ROOTS = ['src', 'test', 'bench', 'scripts', 'web/src'];
/** Vendored opentelemetry-proto definitions keep upstream names and are not our code. */
const VENDORED = ['src/ingest/otlp/proto'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist']);
const WELL_KNOWN_NAMES = new Set([
  'README.md',
  'ARCHITECTURE.md',
  'CHANGELOG.md',
  'LICENSE',
  'index.html',
  'vite.config.ts',
  'vitest.config.ts',
  'tsconfig.json',
  'package.json',
  '.gitkeep',
]);
const KEBAB_SEGMENT = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** Grab-bag names (DESIGN §6): a helper lives where it is used or in a single-topic file with its own test. */
const GRAB_BAG_STEMS = new Set(['util', 'utils', 'helper', 'helpers', 'misc', 'common']);
const GRAB_BAG_SUFFIX = /-(utils?|helpers?)$/;

/** Layer of each top-level module of src/ (a folder, or a file such as `app.ts`); higher imports lower. */
const LAYERS = new Map<string, { rank: number; layer: string }>();
function defineLayer(layer: string, rank: number, modules: string[]): void {
  for (const m of modules) LAYERS.set(m, { rank, layer });
}
defineLayer('entry', 4, ['cli', 'app', 'main']);
// `ops` (health, readiness, Prometheus metrics routes) is not named in DESIGN §6; it is an HTTP surface like `api`.
defineLayer('surface', 3, ['ingest', 'enforce', 'api', 'export', 'connectors', 'ops']);
// `budgets` (budget definitions, windows, reservations; DESIGN §4 budget counters) is a domain module like `identity`.
// `govern` (the governance objects, findings, RACI, cadences, doc checks; issue 6) is domain logic too: DESIGN §6 lists
// it among the surfaces, but its HTTP surface is api/governance-*.routes.ts, and the CLI and routes both call it.
defineLayer('domain', 2, ['analytics', 'policy', 'detect', 'audit', 'identity', 'budgets', 'govern']);
defineLayer('store', 1, ['store']);
defineLayer('contracts', 0, ['contracts']);
/**
 * Usable from every layer; they import only zod, node builtins and each other (errors never imports config).
 * `version` (src/version.ts: the package version, read with node:fs) is not named in DESIGN §6; it is such a leaf.
 */
// `thread-entry` (src/thread-entry.ts: starts a worker thread from .js when built or .ts under tsx) is such a leaf
// too, used by ingest's decode and writer threads and the audit vault's parallel verification.
const FOUNDATION = new Set(['config', 'errors', 'version', 'thread-entry']);
// `tsx`: thread-entry.ts names tsx's loader in the bootstrap it evaluates inside a worker when running from
// TypeScript sources (tests, `npm run dev`); built code never loads it.
const FOUNDATION_PACKAGES = new Set(['zod', 'tsx']);

const PURE_MODULES = new Set(['policy', 'detect']);
const IO_PACKAGES = new Set(['pg', 'better-sqlite3', 'ioredis', 'undici', 'kysely']);
const IO_BUILTINS = new Set(['fs', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'child_process']);

const WARN_LINES = 400;
const MAX_LINES = 600;

export function checkArchitecture(root: string): ArchitectureReport {
  const report: ArchitectureReport = { errors: [], warnings: [] };
  for (const base of NAMED_ROOTS) {
    const dir = join(root, base);
    if (existsSync(dir)) checkNames(root, dir, report);
  }
  const srcDir = join(root, 'src');
  if (existsSync(srcDir)) {
    checkTopLevelModules(root, srcDir, report);
    for (const file of sourceFiles(root, srcDir)) checkSourceFile(root, file, report);
  }
  // Stable sort: by file, then in the order found (import order within a file).
  const byFile = (a: Violation, b: Violation): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
  return { errors: report.errors.sort(byFile), warnings: report.warnings.sort(byFile) };
}

function checkNames(root: string, dir: string, report: ArchitectureReport): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const rel = toPosix(relative(root, full));
    if (VENDORED.includes(rel) || (entry.isDirectory() && SKIPPED_DIRS.has(entry.name))) continue;
    const problem = nameProblem(entry.name);
    if (problem) report.errors.push({ rule: 'names', file: rel, message: problem });
    if (entry.isDirectory()) checkNames(root, full, report);
  }
}

function nameProblem(name: string): string | undefined {
  const stem = baseStem(name);
  if (GRAB_BAG_STEMS.has(stem) || GRAB_BAG_SUFFIX.test(stem)) {
    return `"${name}" is a grab-bag name; put the code where it is used or in a file named for its one topic`;
  }
  if (WELL_KNOWN_NAMES.has(name)) return undefined;
  if (!name.split('.').every((segment) => KEBAB_SEGMENT.test(segment))) {
    return `"${name}" is not kebab-case (lowercase letters, digits and dashes; dots only before role suffixes)`;
  }
  return undefined;
}

function checkTopLevelModules(root: string, srcDir: string, report: ArchitectureReport): void {
  for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
    if (!entry.isDirectory() && !/\.(ts|tsx|mts|js|mjs)$/.test(entry.name)) continue;
    const module = entry.isDirectory() ? entry.name : baseStem(entry.name);
    if (!LAYERS.has(module) && !FOUNDATION.has(module)) {
      report.errors.push({
        rule: 'layers',
        file: toPosix(relative(root, join(srcDir, entry.name))),
        message: `src/${entry.name} belongs to no layer; add it to LAYERS in scripts/check-architecture.ts (DESIGN §6)`,
      });
    }
  }
}

function* sourceFiles(root: string, dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      const skipped = SKIPPED_DIRS.has(entry.name) || VENDORED.includes(toPosix(relative(root, full)));
      if (!skipped) yield* sourceFiles(root, full);
    } else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield full;
    }
  }
}

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

/** Finds static, re-export, side-effect and dynamic imports (see the header for why a regex is enough). */
export function findImports(source: string): ImportRef[] {
  const code = stripComments(source);
  const refs: ImportRef[] = [];
  const statement = /(?:^|[;}\n])\s*(import|export)\s+(type\s+)?(?:[^;'"`]*?\bfrom\s*)?['"]([^'"\n]+)['"]/g;
  for (const m of code.matchAll(statement)) refs.push({ specifier: m[3] as string, typeOnly: m[2] !== undefined });
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g)) {
    refs.push({ specifier: m[1] as string, typeOnly: false });
  }
  return refs;
}

function stripComments(source: string): string {
  // Block comments first, then whole-line `//` comments; a `//` after code (e.g. in a URL string) is left alone.
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

function checkSourceFile(root: string, file: string, report: ArchitectureReport): void {
  const rel = toPosix(relative(root, file));
  const text = readFileSync(file, 'utf8');
  const module = moduleOf(rel);
  const isTest = /\.test\.tsx?$/.test(rel);

  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_LINES) {
    report.errors.push({ rule: 'size', file: rel, message: `${lines} lines (limit ${MAX_LINES}); split it by topic` });
  } else if (lines > WARN_LINES) {
    report.warnings.push({ rule: 'size', file: rel, message: `${lines} lines (aim for under ${WARN_LINES})` });
  }

  for (const ref of findImports(text)) {
    const problem = importProblem(root, file, module, isTest, ref);
    if (problem) report.errors.push({ ...problem, file: rel });
  }
}

/** `src/ingest/otlp/values.ts` → `ingest`; `src/app.ts` and `src/app.test.ts` → `app`. */
function moduleOf(relPath: string): string {
  const parts = relPath.split('/');
  const first = parts[1] ?? '';
  return parts.length > 2 ? first : baseStem(first);
}

type Problem = Omit<Violation, 'file'> | null;
const layers = (message: string): Problem => ({ rule: 'layers', message });
const purity = (message: string): Problem => ({ rule: 'purity', message });

function importProblem(root: string, file: string, module: string, isTest: boolean, ref: ImportRef): Problem {
  const { specifier } = ref;
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return packageProblem(module, isTest, ref);

  const target = toPosix(relative(root, resolve(dirname(file), specifier)));
  if (target.startsWith('web/')) return layers(`imports ${specifier}: nothing in src/ imports the console (web/)`);
  if (target.startsWith('test/')) {
    return isTest ? null : layers(`imports ${specifier}: code in src/ never imports test/ (only *.test.ts files may)`);
  }
  if (!target.startsWith('src/')) return null;

  const to = moduleOf(target);
  if (to === module) return null;
  if (to === 'cli') return layers(`imports ${specifier}: nothing outside src/cli imports src/cli`);
  if (PURE_MODULES.has(module) && to === 'store' && !isTest) {
    return purity(`imports ${specifier}: ${module}/ is pure and never reads the store; pass the data in`);
  }
  if (FOUNDATION.has(module)) {
    if (module === 'errors' && to === 'config') return layers(`imports ${specifier}: errors/ must not import config/`);
    if (FOUNDATION.has(to)) return null;
    return layers(`imports ${specifier}: ${module} imports only zod, node builtins, config/, errors/ and version.ts`);
  }
  if (FOUNDATION.has(to)) return null;

  const from = LAYERS.get(module);
  const into = LAYERS.get(to);
  if (!from || !into) return null; // reported once by checkTopLevelModules
  if (into.rank > from.rank) {
    return layers(
      `imports ${specifier}: ${module}/ (${from.layer} layer) must not import ${to} (higher ${into.layer} layer)`,
    );
  }
  return null;
}

function packageProblem(module: string, isTest: boolean, ref: ImportRef): Problem {
  const name = packageName(ref.specifier);
  const builtin = ref.specifier.startsWith('node:') || builtinModules.includes(name);
  // Tests beside foundation code may import their runner (vitest) and fast-check; the rule is about runtime code.
  if (FOUNDATION.has(module) && !isTest && !builtin && !FOUNDATION_PACKAGES.has(name) && !ref.typeOnly) {
    return layers(`imports ${ref.specifier}: ${module} imports only zod and node builtins (type-only imports aside)`);
  }
  if (PURE_MODULES.has(module) && !isTest) {
    const bare = name.replace(/^node:/, '');
    if ((builtin && IO_BUILTINS.has(bare)) || (!builtin && IO_PACKAGES.has(name))) {
      return purity(`imports ${ref.specifier}: ${module}/ does no I/O (DESIGN §6); its caller does`);
    }
  }
  return null;
}

/** `node:fs/promises` → `node:fs`; `@scope/pkg/sub` → `@scope/pkg`; `pkg/sub` → `pkg`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The name before its first dot: `usage.routes.ts` → `usage`. */
function baseStem(name: string): string {
  return name.split('.')[0] ?? name;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

export function formatReport(report: ArchitectureReport): string {
  const lines: string[] = [];
  const section = (title: string, items: Violation[]): void => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`);
    for (const v of items) {
      lines.push(`  [${v.rule}] ${v.file}: ${v.message}`);
    }
  };
  section('architecture errors', report.errors);
  section('architecture warnings', report.warnings);
  if (report.errors.length === 0) lines.push('architecture: ok');
  return lines.join('\n');
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href;
}

if (isMain()) {
  const defaultRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const root = resolve(process.argv[2] ?? defaultRoot);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`check-architecture: ${root} is not a directory\n`);
    process.exit(2);
  }
  const report = checkArchitecture(root);
  const out = formatReport(report);
  (report.errors.length ? process.stderr : process.stdout).write(out + '\n');
  process.exit(report.errors.length ? 1 : 0);
}
