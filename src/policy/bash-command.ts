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
}

const MAX_DEPTH = 8;

export function readCommand(command: string): CommandView {
  const pipelines: string[] = [];
  const commands: string[] = [];
  collect(command.replace(/\\\r?\n/g, ' '), 0, pipelines, commands);
  const exact = commands.map((c) => variants(c, false));
  const broad = commands.map((c) => variants(c, true));
  return { whole: collapse(command), pipelines, commands, exact, broad };
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Splits `text` into pipelines and simple commands; nested command text is split recursively. */
function collect(text: string, depth: number, pipelines: string[], commands: string[]): void {
  let pipeline = '';
  let cmd = '';
  let quote: '"' | "'" | null = null;
  const nested: string[] = [];
  const endCommand = (): void => {
    const c = collapse(cmd);
    if (c) commands.push(c);
    cmd = '';
  };
  const endPipeline = (): void => {
    endCommand();
    const p = collapse(pipeline);
    if (p) pipelines.push(p);
    pipeline = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      pipeline += ch;
      cmd += ch;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length) {
      pipeline += ch + text[i + 1];
      cmd += ch + text[i + 1];
      i++;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if ((ch === '$' && text[i + 1] === '(') || ch === '`') {
        const end = ch === '`' ? closingBacktick(text, i) : closingParen(text, i + 1);
        nested.push(text.slice(ch === '`' ? i + 1 : i + 2, end));
        pipeline += text.slice(i, end + 1);
        cmd += text.slice(i, end + 1);
        i = end;
        continue;
      }
      pipeline += ch;
      cmd += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      pipeline += ch;
      cmd += ch;
      continue;
    }
    // Command and process substitution, subshell groups: the inside is its own command list.
    const opensSub = (ch === '$' || ch === '<' || ch === '>') && text[i + 1] === '(';
    if (opensSub || ch === '`' || (ch === '(' && collapse(cmd) === '')) {
      const start = ch === '`' ? i : opensSub ? i + 1 : i;
      const end = ch === '`' ? closingBacktick(text, i) : closingParen(text, start);
      nested.push(text.slice(start + 1, end));
      pipeline += text.slice(i, end + 1);
      cmd += text.slice(i, end + 1);
      i = end;
      continue;
    }
    const next = text[i + 1];
    if (ch === '\n' || ch === ';') {
      endPipeline();
      continue;
    }
    if ((ch === '&' && next === '&') || (ch === '|' && next === '|')) {
      endPipeline();
      i++;
      continue;
    }
    if (ch === '&') {
      // `2>&1`, `>&2`, `&>file` and `&>>file` are redirections, not the background operator.
      const prev = text[i - 1];
      if (prev === '>' || prev === '<' || next === '>') {
        pipeline += ch;
        cmd += ch;
        continue;
      }
      endPipeline();
      continue;
    }
    if (ch === '|') {
      endCommand();
      pipeline += next === '&' ? '|&' : '|';
      if (next === '&') i++;
      continue;
    }
    pipeline += ch;
    cmd += ch;
  }
  endPipeline();
  if (depth >= MAX_DEPTH) return;
  for (const inner of nested) collect(inner, depth + 1, pipelines, commands);
  // `sh -c '…'`, `bash -c "…"`, `eval '…'`: the string is a command list too.
  for (const c of [...commands]) {
    const script = shellScript(c);
    if (script !== null) collect(script, depth + 1, pipelines, commands);
  }
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

function shellScript(command: string): string | null {
  const m = SHELL_C.exec(stripWrappers(command, true));
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

function stripWrappers(command: string, privileged: boolean): string {
  let c = command;
  for (let guard = 0; guard < 16; guard++) {
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
