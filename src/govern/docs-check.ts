import { posix } from 'node:path';
import { scan } from '../detect/scan.js';
import { compareTasks, parseScheduledTasks, type InventoryWorkspace } from './docs-check-tasks.js';
import { docsRules, type DocsFinding, type DocsLevel, type DocsRuleId } from './docs-check-rules.js';
import { parseSkillMd, skillFields } from './skill-md.js';

export type { DocsFinding, DocsLevel, DocsRuleId } from './docs-check-rules.js';

/**
 * `steward check docs` logic, pure: the CLI reads a folder into a `DocsTree` and prints what this returns. One tree
 * is one workspace folder or repository. Rules and their reasons: docs/governance-operations.md.
 */
export interface DocsTree {
  /** The folder as the user named it, POSIX separators (`.`, `repos/finance`); findings' paths start with it. */
  root: string;
  /** Absolute path of the folder, to match it against the inventory's workspace folders. */
  absoluteRoot: string;
  /** The files the rules read (memory files, scheduled-tasks.md, SKILL.md), paths relative to the root. */
  files: { path: string; text: string }[];
  /** Every folder below the root (relative, POSIX), to find skill folders without a SKILL.md. */
  dirs: string[];
}

export interface DocsCheckOptions {
  /** The workspace inventory; when given, scheduled-tasks.md is compared with the matching workspace's tasks. */
  inventory?: InventoryWorkspace[];
}

/** Claude Code truncates a skill's description + when_to_use at this many characters (claude-surfaces §4.5). */
export const SKILL_DESCRIPTION_LIMIT = 1536;
/** A CLAUDE.md is non-trivial with at least this many content lines and words (or an `@import`). */
export const MIN_CONTENT_LINES = 3;
export const MIN_CONTENT_WORDS = 20;

export function checkDocs(tree: DocsTree, options: DocsCheckOptions = {}): DocsFinding[] {
  const files = new Map(tree.files.map((f) => [f.path, f.text]));
  const out: DocsFinding[] = [];
  const at = (
    rule: DocsRuleId,
    path: string,
    line: number,
    message: string,
    level: DocsLevel = docsRules[rule].level,
  ): void => {
    out.push({ ruleId: rule, level, path: posix.join(tree.root, path), line, message });
  };
  checkClaudeMd(files, at);
  checkScheduledTasks(tree, files, options, at);
  checkSkills(tree, files, at);
  checkMemoryHygiene(tree.files, at);
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.ruleId.localeCompare(b.ruleId));
}

type Report = (rule: DocsRuleId, path: string, line: number, message: string, level?: DocsFinding['level']) => void;

function checkClaudeMd(files: Map<string, string>, at: Report): void {
  const path = files.has('CLAUDE.md') ? 'CLAUDE.md' : files.has('.claude/CLAUDE.md') ? '.claude/CLAUDE.md' : null;
  if (path === null) {
    at(
      'claude-md-missing',
      'CLAUDE.md',
      1,
      'no CLAUDE.md (nor .claude/CLAUDE.md): Claude starts without project context',
    );
    return;
  }
  const s = substance(files.get(path) ?? '');
  if (s.imports === 0 && (s.lines < MIN_CONTENT_LINES || s.words < MIN_CONTENT_WORDS)) {
    at(
      'claude-md-trivial',
      path,
      1,
      `${path} is trivial: ${s.lines} content line(s), ${s.words} word(s) besides headings, comments and ` +
        `placeholders; at least ${MIN_CONTENT_LINES} lines and ${MIN_CONTENT_WORDS} words (or an @import) are expected`,
    );
  }
}

const BOILERPLATE =
  /^(?:todo|tbd|fixme|wip|coming soon|placeholder|lorem ipsum|n\/a|(?:add|write|describe|put) (?:your |the )?(?:project |team )?(?:instructions|notes|content|context|description|details|project)(?: here)?)\b[.:!]*/i;

/** What a CLAUDE.md says besides headings, comments, rules, fences, table rulers and placeholder lines. */
export function substance(text: string): { lines: number; words: number; imports: number } {
  const body = text
    .replace(/^\uFEFF/, '')
    .replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  let lines = 0;
  let words = 0;
  let imports = 0;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw
      .trim()
      .replace(/^(?:>\s*)+/, '')
      .replace(/^(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?/, '')
      .trim();
    if (line === '' || /^#{1,6}(\s|$)/.test(line) || /^([-*_=~`])\1{2,}/.test(line) || /^\|?[\s:|-]+\|?$/.test(line)) {
      continue;
    }
    if (/^@[\w./~-]+$/.test(line)) {
      imports++;
      continue;
    }
    if (BOILERPLATE.test(line) && line.replace(BOILERPLATE, '').trim().length < 3) continue;
    const count = line.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
    if (count === 0) continue;
    lines++;
    words += count;
  }
  return { lines, words, imports };
}

function checkScheduledTasks(tree: DocsTree, files: Map<string, string>, options: DocsCheckOptions, at: Report): void {
  const path = 'scheduled-tasks.md';
  const text = files.get(path);
  const workspace = options.inventory ? matchWorkspace(options.inventory, tree.absoluteRoot) : null;
  if (options.inventory && !workspace) {
    at('workspace-not-in-inventory', '.', 1, `no workspace in the inventory lists the folder ${tree.absoluteRoot}`);
  }
  if (text === undefined) {
    const tasks = workspace?.scheduledTasks.length ?? 0;
    at(
      'scheduled-tasks-missing',
      path,
      1,
      'no scheduled-tasks.md: list the scheduled tasks (or write `None`)' +
        (workspace && tasks > 0 ? `; the inventory declares ${tasks} for workspace '${workspace.name}'` : ''),
    );
    return;
  }
  const parsed = parseScheduledTasks(text);
  for (const p of parsed.problems) at('scheduled-tasks-invalid', path, p.line, p.message);
  if (workspace && parsed.problems.length === 0) {
    for (const m of compareTasks(parsed, workspace)) at('scheduled-tasks-mismatch', path, m.line, m.message, m.level);
  }
}

/** The inventory workspace whose folders include this one (same absolute path, else same last path segment). */
export function matchWorkspace(inventory: InventoryWorkspace[], absoluteRoot: string): InventoryWorkspace | null {
  const norm = (p: string): string => p.replace(/\\/g, '/').replace(/\/+$/, '');
  const root = norm(absoluteRoot);
  const base = posix.basename(root).toLowerCase();
  return (
    inventory.find((w) => w.folders.some((f) => norm(f) === root)) ??
    inventory.find((w) => w.folders.some((f) => posix.basename(norm(f)).toLowerCase() === base)) ??
    inventory.find((w) => w.name.toLowerCase() === base) ??
    null
  );
}

/** Skill folders: each direct child of a `skills/` folder inside `.claude/`, and each folder holding a SKILL.md. */
export function skillFolders(tree: DocsTree): string[] {
  const found = new Set<string>();
  for (const dir of tree.dirs) {
    if (/(^|\/)\.claude\/skills\/[^/]+$/.test(dir)) found.add(dir);
  }
  for (const f of tree.files) {
    if (posix.basename(f.path).toLowerCase() === 'skill.md') found.add(posix.dirname(f.path));
  }
  return [...found].sort();
}

const REQUIRED_SKILL_FIELDS = [
  ['name', 'name', '`name:`'],
  ['description', 'description', '`description:`'],
  ['intendedUse', 'intended use', '`intended-use:` (or `when_to_use:`)'],
  ['inputs', 'inputs', '`inputs:`'],
  ['outputs', 'outputs', '`outputs:`'],
  ['owner', 'owner', '`owner:`'],
] as const;

function checkSkills(tree: DocsTree, files: Map<string, string>, at: Report): void {
  for (const dir of skillFolders(tree)) {
    const path = posix.join(dir, 'SKILL.md');
    const text = files.get(path);
    if (text === undefined) {
      const other = tree.files.find(
        (f) => posix.dirname(f.path) === dir && /^skill\.md$/i.test(posix.basename(f.path)),
      );
      at(
        'skill-md-missing',
        other?.path ?? dir,
        1,
        other
          ? `skill file is named ${posix.basename(other.path)}; Claude reads SKILL.md (upper case)`
          : `skill folder ${dir} has no SKILL.md`,
      );
      continue;
    }
    const parsed = parseSkillMd(text);
    for (const e of parsed.errors) at('skill-md-invalid', path, e.line, e.message);
    if (!parsed.hasFrontmatter || parsed.errors.length > 0) continue;
    const fields = skillFields(parsed.frontmatter);
    for (const [key, label, hint] of REQUIRED_SKILL_FIELDS) {
      const value = fields[key];
      if (value === null || (Array.isArray(value) && value.length === 0)) {
        at(
          'skill-md-incomplete',
          path,
          1,
          `SKILL.md states no ${label}: add ${hint} to the frontmatter or its metadata`,
        );
      }
    }
    if (fields.name !== null && !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(fields.name)) {
      const line = parsed.keyLines.name ?? 1;
      at(
        'skill-md-incomplete',
        path,
        line,
        `skill name '${fields.name}' is not lower-case words joined by hyphens`,
        'warning',
      );
    }
    const long =
      (fields.description ?? '').length +
      (text.includes('when_to_use') ? String(parsed.frontmatter.when_to_use ?? '').length : 0);
    if (long > SKILL_DESCRIPTION_LIMIT) {
      const line = parsed.keyLines.description ?? 1;
      at(
        'skill-md-incomplete',
        path,
        line,
        `description and when_to_use are ${long} characters; Claude truncates at ${SKILL_DESCRIPTION_LIMIT}`,
        'warning',
      );
    }
  }
}

/** CLAUDE.md and CLAUDE.local.md anywhere, and every Markdown file under a `.claude/` folder. */
export function isMemoryFile(path: string): boolean {
  const name = posix.basename(path);
  return name === 'CLAUDE.md' || name === 'CLAUDE.local.md' || (/(^|\/)\.claude\//.test(path) && /\.md$/i.test(name));
}

/**
 * Memory files are scanned for everything; SKILL.md files (memory-like: loaded into context when the skill runs)
 * for secrets, hidden text and injection only, since they must name their owner.
 */
function checkMemoryHygiene(files: DocsTree['files'], at: Report): void {
  for (const file of files) {
    const skill = /^skill\.md$/i.test(posix.basename(file.path));
    if (!skill && !isMemoryFile(file.path)) continue;
    const lineStarts = [0];
    for (let i = 0; i < file.text.length; i++) if (file.text.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const seen = new Set<string>();
    for (const f of scan(file.text, { minConfidence: 0.5 })) {
      if (f.example || f.class === 'organisation') continue;
      if (skill && (f.class === 'personal' || f.class === 'financial')) continue;
      const line = lineOf(lineStarts, f.start);
      if (seen.has(`${f.type}:${line}`)) continue;
      seen.add(`${f.type}:${line}`);
      const what =
        f.class === 'secret'
          ? 'a secret'
          : f.class === 'hidden_text'
            ? 'hidden text'
            : f.class === 'injection'
              ? 'a prompt-injection marker'
              : `${f.class} data`;
      const advice =
        f.class === 'secret'
          ? '; remove it and rotate the credential'
          : '; memory files are sent to Claude in every session';
      at(
        'memory-sensitive-data',
        file.path,
        line,
        `${what} (${f.type}) at line ${line}${advice}`,
        f.class === 'secret' ? 'error' : 'warning',
      );
    }
  }
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
