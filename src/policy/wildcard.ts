/**
 * `*` wildcards as Claude Code's permission rules use them for commands and names: `*` stands for any run of
 * characters (spaces and slashes included), everything else is literal, `\*` is a literal star. A pattern ending
 * in ` *` also matches without its last argument, so `ls *` matches `ls` and `ls -la` but not `lsof`
 * (code.claude.com/docs/en/permissions: "the space before `*` matters"). The legacy suffix `:*` means the same as
 * ` *` (`npm run test:*` ≡ `npm run test *`).
 *
 * Matching is by literal pieces with indexOf, greedy left to right: O(text × pattern) at worst, never the
 * exponential backtracking a regular expression built from user text could fall into.
 */
export interface Wildcard {
  /** Literal pieces between stars. */
  pieces: readonly string[];
  /** True when the pattern has no star at all (exact match). */
  exact: boolean;
  /** The pattern without its trailing ` *` (which also matches), or null. */
  bare: Wildcard | null;
}

export function compileWildcard(pattern: string, caseInsensitive = false): Wildcard {
  let p = caseInsensitive ? pattern.toLowerCase() : pattern;
  if (p.endsWith(':*') && !p.endsWith('\\:*')) p = `${p.slice(0, -2)} *`;
  const pieces: string[] = [];
  let cur = '';
  let stars = 0;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i] as string;
    if (ch === '\\' && p[i + 1] === '*') {
      cur += '*';
      i++;
    } else if (ch === '*') {
      pieces.push(cur);
      cur = '';
      stars++;
    } else {
      cur += ch;
    }
  }
  pieces.push(cur);
  const bare = stars > 0 && p.endsWith(' *') ? compileWildcard(p.slice(0, -2)) : null;
  return { pieces, exact: stars === 0, bare };
}

export function wildcardMatch(w: Wildcard, text: string): boolean {
  return matchPieces(w, text) || (w.bare !== null && wildcardMatch(w.bare, text));
}

function matchPieces(w: Wildcard, text: string): boolean {
  const { pieces } = w;
  const first = pieces[0] as string;
  if (w.exact) return text === first;
  if (!text.startsWith(first)) return false;
  const last = pieces[pieces.length - 1] as string;
  let pos = first.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] as string;
    const at = text.indexOf(piece, pos);
    if (at === -1) return false;
    pos = at + piece.length;
  }
  return text.length - last.length >= pos && text.endsWith(last);
}

/** A glob over names (models, MCP servers and tools, teams): `*` any run, compared case-insensitively. */
export function nameMatcher(patterns: readonly string[]): (name: string | null | undefined) => boolean {
  const compiled = patterns.map((p) => compileWildcard(p, true));
  return (name) => {
    if (name === null || name === undefined || name === '') return false;
    const n = name.toLowerCase();
    return compiled.some((w) => wildcardMatch(w, n));
  };
}
