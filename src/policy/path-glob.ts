/**
 * Paths for `Read(…)` / `Edit(…)` rules and folder conditions. Claude Code reads Read and Edit specifiers as
 * gitignore patterns with four anchors (code.claude.com/docs/en/permissions, "Read and Edit"):
 *   `//path`  absolute from the filesystem root     `Read(//etc/**)` → /etc/**
 *   `~/path`  from the home directory               `Read(~/.ssh/**)`
 *   `/path`   from the project root (NOT absolute)  `Edit(/src/**)` → <project>/src/**
 *   `path`, `./path`  from the current directory    `Read(./secrets/**)`, `Read(*.env)`
 * Within a pattern `*` is one path segment's worth of characters, `**` any number of segments, `?` one
 * character, `[…]` a class; a pattern with no slash but a trailing one matches at any depth (`*.env`, `.env`).
 * Steward knows the project as the request's first folder (Claude Code's `cwd`); it does not know the person's
 * home, so `~/x` matches `x` under any usual home directory (/home/*, /Users/*, /root, C:/Users/*).
 */
export type PathAnchor = 'root' | 'home' | 'project' | 'cwd';

export interface PathGlob {
  anchor: PathAnchor;
  /** Whether the pattern matches at any depth below its anchor (no slash inside it). */
  floating: boolean;
  /** Compiled against the path relative to the anchor (root: the absolute path without its leading slash). */
  exact: RegExp;
  /** The same, case-insensitive: what a restrictive rule uses (macOS and Windows paths ignore case). */
  folded: RegExp;
}

const HOMES = /^(?:\/home\/[^/]+|\/Users\/[^/]+|\/root|[a-z]:\/users\/[^/]+)\//i;

export function compilePathGlob(pattern: string): PathGlob {
  let anchor: PathAnchor;
  let body: string;
  if (pattern.startsWith('//')) [anchor, body] = ['root', pattern.slice(2)];
  else if (pattern.startsWith('~/')) [anchor, body] = ['home', pattern.slice(2)];
  else if (pattern.startsWith('/')) [anchor, body] = ['project', pattern.slice(1)];
  else [anchor, body] = ['cwd', pattern.startsWith('./') ? pattern.slice(2) : pattern];
  const trimmed = body.endsWith('/') ? body.slice(0, -1) : body;
  const floating = anchor === 'cwd' && !pattern.startsWith('./') && !trimmed.includes('/');
  const source = `^${floating ? '(?:.*/)?' : ''}${globSource(trimmed)}${body.endsWith('/') ? '(?:/.*)?' : ''}$`;
  return { anchor, floating, exact: new RegExp(source), folded: new RegExp(source, 'i') };
}

/** gitignore-style glob → regular-expression source (no anchors). */
export function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          // `**/` any leading directories; `/**` at the end everything inside.
          if (i + 2 === glob.length) out += '.*';
          else {
            out += '(?:.*/)?';
            i++; // the slash after `**` is part of the group
          }
          i++;
          continue;
        }
        i++;
      }
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) out += '\\[';
      else {
        let cls = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        out += `[${cls}]`;
        i = close;
      }
    } else if (ch === '\\' && i + 1 < glob.length) {
      out += escapeRegExp(glob[i + 1] as string);
      i++;
    } else {
      out += escapeRegExp(ch);
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Lexical normalisation: `\` → `/` for Windows paths, `.` and `..` segments resolved, repeated slashes folded. */
export function normalisePath(path: string): string {
  const p = /^[a-zA-Z]:[\\/]/.test(path) || path.includes('\\') ? path.replace(/\\/g, '/') : path;
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(seg);
  }
  return (absolute ? '/' : '') + out.join('/');
}

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[a-zA-Z]:\//.test(p);
}

/** `child` relative to `dir` when inside it (both normalised), else null. */
function relativeTo(child: string, dir: string): string | null {
  const d = dir.endsWith('/') ? dir : `${dir}/`;
  if (child === dir) return '';
  return child.startsWith(d) ? child.slice(d.length) : null;
}

/**
 * Does `glob` match the file at `path` (as the tool got it) with these project folders? `broad` (restrictive rules):
 * case-insensitive, and when no folder is known a project- or cwd-relative pattern matches at any depth rather than
 * not at all. Otherwise (allow rules) a pattern matches only when it certainly applies.
 */
export function pathMatches(glob: PathGlob, path: string, folders: readonly string[], broad: boolean): boolean {
  const re = broad ? glob.folded : glob.exact;
  const p = normalisePath(path);
  const abs = isAbsolutePath(p);
  if (glob.anchor === 'root') return abs && re.test(p.replace(/^\//, ''));
  if (glob.anchor === 'home') {
    const home = HOMES.exec(p);
    if (home) return re.test(p.slice(home[0].length));
    return !abs && p.startsWith('~/') && re.test(p.slice(2));
  }
  if (!abs) return re.test(p);
  for (const folder of folders) {
    const rel = relativeTo(p, normalisePath(folder));
    if (rel !== null && re.test(rel)) return true;
  }
  if (!broad || folders.length > 0) return false;
  // No project known: try every suffix of the path as if the project started there.
  const segments = p.split('/');
  for (let i = 1; i < segments.length; i++) if (re.test(segments.slice(i).join('/'))) return true;
  return false;
}
