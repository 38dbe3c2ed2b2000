/**
 * How a shell command is read for `Bash(…)` rules. Claude Code matches a rule against the command and knows the
 * shell's operators (`&&`, `||`, `;`, `|`, `|&`, `&`, newlines): a prefix rule such as `Bash(safe *)` does not
 * allow `safe && other`, and it strips a few process wrappers (`timeout`, `time`, `nice`, `nohup`, `stdbuf`) before
 * matching (code.claude.com/docs/en/permissions, "Bash"). A restrictive rule must not be dodged by the same
 * structure, so the command is split once into:
 *   - `pipelines`: the parts between `&&`, `||`, `;`, `&` and newlines (a pipe stays inside: `curl x | sh`);
 *   - `commands`: every simple command, including those inside `$(…)`, backticks, `<(…)`, `( … )` groups and
 *     `sh -c '…'` / `eval '…'` strings, each also in a form without its wrappers and `NAME=value` prefixes.
 * This is a lexical reading (quotes, escapes and nesting are honoured; nothing is expanded), linear in the length.
 */
export interface CommandView {
  /** The whole command, trimmed, whitespace runs collapsed. */
  whole: string;
  pipelines: readonly string[];
  /** Simple commands as written (after whitespace collapsing), in order of appearance. */
  commands: readonly string[];
  /** Per simple command: its forms Claude Code itself would match (as written, documented wrappers stripped). */
  exact: readonly (readonly string[])[];
  /** Per simple command: every form, also without `sudo`, `env`, `command`, `exec` and `NAME=value` prefixes. */
  broad: readonly (readonly string[])[];
  /**
   * What a restrictive rule tests — the whole command, every pipeline, every broad form — narrowed to those starting
   * with `word` when given, so a line of thousands of commands costs each rule only the few that could match.
   */
  broadCandidates(word: string | null): readonly string[];
}

const MAX_DEPTH = 8;

export function readCommand(command: string): CommandView {
  const pipelines: string[] = [];
  const commands: string[] = [];
  collect(command.replace(/\\\r?\n/g, ' '), 0, pipelines, commands);
  const exact = commands.map((c) => variants(c, false));
  const broad = commands.map((c) => variants(c, true));
  const whole = collapse(command);
  let all: string[] | null = null;
  let byWord: Map<string, string[]> | null = null;
  return {
    whole,
    pipelines,
    commands,
    exact,
    broad,
    broadCandidates(word) {
      all ??= [...new Set([whole, ...pipelines, ...broad.flat()])];
      if (word === null) return all;
      if (!byWord) {
        byWord = new Map();
        for (const c of all) {
          const w = firstWord(c);
          const list = byWord.get(w);
          if (list) list.push(c);
          else byWord.set(w, [c]);
        }
      }
      return byWord.get(word) ?? [];
    },
  };
}

/** The text before the first space (the command name once collapsed). */
export function firstWord(s: string): string {
  const sp = s.indexOf(' ');
  return sp === -1 ? s : s.slice(0, sp);
}

/** Whitespace runs → one space. Only runs and non-space whitespace are replaced: single spaces dominate commands. */
function collapse(s: string): string {
  return s.replace(/\s{2,}|[^\S ]/g, ' ').trim();
}

/** Splits `text` into pipelines and simple commands; nested command text is split recursively. */
function collect(text: string, depth: number, pipelines: string[], commands: string[]): void {
  let pipelineStart = 0;
  let commandStart = 0;
  let quote: '"' | "'" | null = null;
  const nested: string[] = [];
  const heredocs: Heredoc[] = [];
  const endCommand = (end: number): void => {
    const c = collapse(text.slice(commandStart, end));
    if (c) commands.push(c);
  };
  const endPipeline = (end: number, next: number): void => {
    endCommand(end);
    const p = collapse(text.slice(pipelineStart, end));
    if (p) pipelines.push(p);
    pipelineStart = commandStart = next;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      continue;
    }
    if (ch === '\\') {
      i++;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if ((ch === '$' && text[i + 1] === '(') || ch === '`') {
        const end = ch === '`' ? closingBacktick(text, i) : closingParen(text, i + 1);
        nested.push(text.slice(ch === '`' ? i + 1 : i + 2, end));
        i = end;
      }
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      continue;
    }
    if (ch === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      const m = HEREDOC.exec(text.slice(i, i + 256));
      if (m) {
        const body = SHELL_WORD.test(stripWrappers(collapse(text.slice(commandStart, i)), true)) ? nested : null;
        heredocs.push({ delimiter: m[3] as string, tabs: m[1] === '-', body });
        i += m[0].length - 1;
        continue;
      }
    }
    // Command and process substitution, subshell groups: the inside is its own command list.
    const opensSub = (ch === '$' || ch === '<' || ch === '>') && text[i + 1] === '(';
    if (opensSub || ch === '`' || (ch === '(' && text.slice(commandStart, i).trim() === '')) {
      const start = opensSub ? i + 1 : i;
      const end = ch === '`' ? closingBacktick(text, i) : closingParen(text, start);
      nested.push(text.slice(start + 1, end));
      i = end;
      continue;
    }
    const next = text[i + 1];
    if (ch === '\n') {
      endPipeline(i, i + 1);
      if (heredocs.length > 0) {
        // Here-document bodies are data, not commands — unless a shell reads them (`bash <<EOF`).
        i = skipHeredocs(text, i + 1, heredocs) - 1;
        pipelineStart = commandStart = i + 1;
        heredocs.length = 0;
      }
      continue;
    }
    if (ch === ';') {
      endPipeline(i, i + 1);
      continue;
    }
    if ((ch === '&' && next === '&') || (ch === '|' && next === '|')) {
      endPipeline(i, i + 2);
      i++;
      continue;
    }
    if (ch === '&') {
      // `2>&1`, `>&2`, `&>file` and `&>>file` are redirections, not the background operator.
      const prev = text[i - 1];
      if (prev !== '>' && prev !== '<' && next !== '>') endPipeline(i, i + 1);
      continue;
    }
    if (ch === '|') {
      endCommand(i);
      commandStart = next === '&' ? i + 2 : i + 1;
      if (next === '&') i++;
    }
  }
  endPipeline(text.length, text.length);
  if (depth >= MAX_DEPTH) return;
  for (const inner of nested) collect(inner, depth + 1, pipelines, commands);
  // `sh -c '…'`, `bash -c "…"`, `eval '…'`: the string is a command list too.
  for (const c of [...commands]) {
    const script = shellScript(c);
    if (script !== null) collect(script, depth + 1, pipelines, commands);
  }
}

interface Heredoc {
  delimiter: string;
  /** `<<-`: leading tabs are stripped from body lines and the delimiter line. */
  tabs: boolean;
  /** Where the body goes when a shell reads it; null when it is data. */
  body: string[] | null;
}

const HEREDOC = /^<<(-?)\s*(['"]?)([A-Za-z0-9_.-]+)\2/;
const SHELL_WORD = /^(?:(?:ba|z|da|k)?sh|source|\.)(?:\s|$)/;

/** Skips the bodies of the pending here-documents starting at `pos`; returns the index after the last one. */
function skipHeredocs(text: string, pos: number, heredocs: readonly Heredoc[]): number {
  let at = pos;
  for (const h of heredocs) {
    const start = at;
    for (;;) {
      if (at >= text.length) {
        h.body?.push(text.slice(start));
        return text.length;
      }
      const nl = text.indexOf('\n', at);
      const end = nl === -1 ? text.length : nl;
      const line = text.slice(at, end);
      const next = nl === -1 ? text.length : nl + 1;
      if ((h.tabs ? line.replace(/^\t+/, '') : line) === h.delimiter) {
        h.body?.push(text.slice(start, at));
        at = next;
        break;
      }
      at = next;
    }
  }
  return at;
}

/** Index of the `)` closing the `(` at `open`, honouring quotes and nesting; the end of text when unclosed. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '\\') i++;
    else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return text.length;
}

function closingBacktick(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '`') return i;
  }
  return text.length;
}

const SHELL_C = /^(?:(?:ba|z|da|k)?sh)\s+(?:-[a-z]+\s+)*-[a-z]*c[a-z]*\s+(.+)$|^eval\s+(.+)$/;

const SCRIPT_WORDS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'eval']);

function shellScript(command: string): string | null {
  const stripped = stripWrappers(command, true);
  if (!SCRIPT_WORDS.has(firstWord(stripped))) return null;
  const m = SHELL_C.exec(stripped);
  const arg = m?.[1] ?? m?.[2];
  return arg === undefined ? null : unquote(arg);
}

function unquote(arg: string): string {
  const first = arg[0];
  if ((first === "'" || first === '"') && arg.length > 1) {
    const end = arg.indexOf(first, 1);
    return arg.slice(1, end === -1 ? arg.length : end);
  }
  return arg;
}

/** Wrappers Claude Code strips before matching (documented), then those only a restrictive reading strips. */
const DOCUMENTED_WRAPPERS =
  /^(?:timeout(?:\s+-{1,2}[a-z-]+(?:[= ]\S+)?)*\s+\d+(?:\.\d+)?[smhd]?|time(?:\s+-p)?|nice(?:\s+-n\s*-?\d+|\s+-\d+)?|nohup|stdbuf(?:\s+-[ioe]\s*\S+)*)\s+/;
const PRIVILEGED_WRAPPERS = new RegExp(
  '^(?:' +
    [
      'sudo(?:\\s+-(?:[ugpCDrtUTh]\\s*\\S+|[a-zA-Z]+))*',
      'doas(?:\\s+-(?:u\\s*\\S+|[a-zA-Z]+))*',
      'env(?:\\s+-(?:u\\s*\\S+|[a-zA-Z]+))*',
      'xargs(?:\\s+-(?:[nPILdEsa]\\s*\\S+|[a-zA-Z0]+))*',
      'command',
      'exec',
      'builtin',
      `[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|\\S*)`,
    ].join('|') +
    ')\\s+',
);

const WRAPPER_WORDS = new Set(['timeout', 'time', 'nice', 'nohup', 'stdbuf', 'sudo', 'doas', 'env', 'command']);
for (const w of ['exec', 'builtin', 'xargs']) WRAPPER_WORDS.add(w);

function stripWrappers(command: string, privileged: boolean): string {
  let c = command;
  for (let guard = 0; guard < 16; guard++) {
    // Most commands start with neither a wrapper nor an assignment: skip the regular expressions.
    const word = firstWord(c);
    if (!WRAPPER_WORDS.has(word) && !(privileged && word.includes('='))) break;
    const m = DOCUMENTED_WRAPPERS.exec(c) ?? (privileged ? PRIVILEGED_WRAPPERS.exec(c) : null);
    if (!m) break;
    c = c.slice(m[0].length);
  }
  return c;
}

/** Quotes removed (escapes kept): `rm -rf "/"` is read as `rm -rf /` by a restrictive rule. */
function dequote(command: string): string {
  return command.replace(/\\.|["']/g, (m) => (m.length === 2 ? m : ''));
}

function variants(command: string, privileged: boolean): string[] {
  const forms = [command, stripWrappers(command, privileged)];
  if (privileged) forms.push(dequote(forms[1] as string));
  return [...new Set(forms)];
}
