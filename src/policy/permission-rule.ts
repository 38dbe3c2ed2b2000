import { firstWord, readCommand, type CommandView } from './bash-command.js';
import { compilePathGlob, pathMatches, type PathGlob } from './path-glob.js';
import { compileWildcard, wildcardMatch, type Wildcard } from './wildcard.js';

/**
 * Tool patterns in Claude Code's permission-rule syntax (`Tool` or `Tool(specifier)`), so a rule reads the same in
 * a Steward policy and in the managed settings compiled from it (code.claude.com/docs/en/permissions):
 *   Bash, Bash(npm run build), Bash(npm run test:*), Bash(git * main)   command wildcards (see wildcard.ts)
 *   Read(./secrets/**), Edit(/src/**), Read(//etc/**), Read(~/.ssh/**)  gitignore paths (see path-glob.ts)
 *   WebFetch(domain:example.com)                                         the URL's host
 *   mcp__github, mcp__github__*, mcp__github__create_issue               every tool of a server, or one tool
 *   Agent(Explore), Skill(deploy), Tool(param:value)                     a named input of other tools
 * `Read` rules cover every built-in tool that reads files (Read, Grep, Glob, LS, NotebookRead) and `Edit` rules
 * every tool that edits them (Edit, Write, MultiEdit, NotebookEdit), as in Claude Code.
 *
 * A rule has two readings. `broad` is for restrictive rules (warn, redact, ask, deny): it matches when any part of
 * the call matches (one command of `a && b`, a command inside `$(…)`, a path in another case). `exact` is for
 * allow rules, which Claude Code also reads narrowly: every command of a compound line must match.
 */
export interface ToolCall {
  /** Tool name as Claude Code names it in hooks and permission rules (`Bash`, `mcp__github__create_issue`). */
  name: string;
  input: Readonly<Record<string, unknown>>;
  folders: readonly string[];
  /** The shell command read once per call (lazily, shared by every rule). */
  command(): CommandView | null;
}

export type ToolMatcher = (call: ToolCall, broad: boolean) => boolean;

const READ_TOOLS = new Set(['Read', 'Grep', 'Glob', 'LS', 'NotebookRead']);
const EDIT_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit']);
const SHELL_TOOLS = new Set(['Bash', 'PowerShell']);
/** The input a bare specifier names for tools whose specifier is not a command, path or domain. */
const PRIMARY_INPUT: Record<string, readonly string[]> = {
  Agent: ['subagent_type'],
  Task: ['subagent_type'],
  Skill: ['skill', 'command'],
  WebSearch: ['query'],
  SlashCommand: ['command'],
};
const TOOL_NAME = /^[A-Za-z0-9_*-]+$/;

export interface ParsedRule {
  tool: string;
  specifier: string | null;
}

/** Splits `Tool(specifier)`; returns an error message when the text is not a permission rule. */
export function parsePermissionRule(text: string): ParsedRule | string {
  const open = text.indexOf('(');
  if (open === -1) {
    return TOOL_NAME.test(text) ? { tool: text, specifier: null } : `"${text}" is not a tool name or Tool(specifier)`;
  }
  const tool = text.slice(0, open);
  if (!TOOL_NAME.test(tool)) return `"${tool}" is not a tool name (letters, digits, _, - and *)`;
  if (!text.endsWith(')')) return `"${text}" must end with ")"`;
  const specifier = text.slice(open + 1, -1);
  if (specifier.trim() === '') return `"${text}" has an empty specifier; write ${tool} for every use of the tool`;
  return { tool, specifier: specifier === '*' ? null : specifier };
}

/** Compiles one permission rule; throws an Error with a readable message when it is invalid. */
export function compilePermissionRule(text: string): ToolMatcher {
  const parsed = parsePermissionRule(text.trim());
  if (typeof parsed === 'string') throw new Error(parsed);
  const tools = toolNameMatcher(parsed.tool);
  const spec = parsed.specifier;
  if (spec === null) return (call) => tools(call.name);
  const input = inputMatcher(parsed.tool, spec);
  return (call, broad) => tools(call.name) && input(call, broad);
}

function toolNameMatcher(tool: string): (name: string) => boolean {
  if (tool === 'Read') return (n) => READ_TOOLS.has(n);
  if (tool === 'Edit') return (n) => EDIT_TOOLS.has(n);
  if (tool === 'Agent' || tool === 'Task') return (n) => n === 'Agent' || n === 'Task';
  if (tool.includes('*')) {
    const w = compileWildcard(tool);
    return (n) => wildcardMatch(w, n);
  }
  // `mcp__server` names every tool of the server.
  if (tool.startsWith('mcp__') && !tool.slice(5).includes('__')) return (n) => n === tool || n.startsWith(`${tool}__`);
  return (n) => n === tool;
}

function inputMatcher(tool: string, spec: string): ToolMatcher {
  if (SHELL_TOOLS.has(tool)) return commandMatcher(compileWildcard(spec));
  if (tool === 'Read' || tool === 'Edit' || READ_TOOLS.has(tool) || EDIT_TOOLS.has(tool)) {
    return fileMatcher(compilePathGlob(spec));
  }
  if (tool === 'WebFetch') return webFetchMatcher(spec);
  const param = /^([A-Za-z_][A-Za-z0-9_]*):(.*)$/s.exec(spec);
  if (param) return fieldMatcher([param[1] as string], compileWildcard(param[2] as string), false);
  return fieldMatcher(PRIMARY_INPUT[tool] ?? [], compileWildcard(spec), true);
}

function commandMatcher(w: Wildcard): ToolMatcher {
  // A pattern whose first word is literal (`rm -rf *`, `git push`) only needs the candidates starting with it.
  const head = w.pieces[0] as string;
  const word = w.exact || head.includes(' ') ? firstWord(head) : null;
  return (call, broad) => {
    const view = call.command();
    if (view === null) return false;
    if (broad) return view.broadCandidates(word).some((c) => wildcardMatch(w, c));
    // An allow rule's `*` must not swallow `&& other`: a compound line matches only if each command does.
    if (view.commands.length === 1 && wildcardMatch(w, view.whole)) return true;
    return view.exact.length > 0 && view.exact.every((forms) => forms.some((f) => wildcardMatch(w, f)));
  };
}

function fileMatcher(glob: PathGlob): ToolMatcher {
  return (call, broad) => {
    const path = str(call.input, 'file_path') ?? str(call.input, 'notebook_path') ?? str(call.input, 'path');
    return path !== null && pathMatches(glob, path, call.folders, broad);
  };
}

function webFetchMatcher(spec: string): ToolMatcher {
  if (!spec.startsWith('domain:')) {
    const w = compileWildcard(spec);
    return (call) => {
      const url = str(call.input, 'url');
      return url !== null && wildcardMatch(w, url);
    };
  }
  const domain = spec.slice('domain:'.length).toLowerCase();
  if (domain === '') throw new Error('WebFetch(domain:…) needs a domain');
  const w = compileWildcard(domain);
  return (call, broad) => {
    const host = hostOf(str(call.input, 'url'));
    if (host === null) return false;
    if (wildcardMatch(w, host)) return true;
    // A restrictive rule on a domain also covers its subdomains (www., api., …).
    return broad && !domain.includes('*') && host.endsWith(`.${domain}`);
  };
}

function fieldMatcher(fields: readonly string[], w: Wildcard, anyStringWhenBroad: boolean): ToolMatcher {
  return (call, broad) => {
    for (const f of fields) {
      const v = str(call.input, f);
      if (v !== null && wildcardMatch(w, v)) return true;
    }
    if (fields.length > 0 || !anyStringWhenBroad || !broad) return false;
    // A tool Steward knows no primary input for: a restrictive rule looks at every string input.
    return Object.values(call.input).some((v) => typeof v === 'string' && wildcardMatch(w, v));
  };
}

export function hostOf(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return null;
  }
}

function str(o: Readonly<Record<string, unknown>>, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' ? v : null;
}

/** The shell command of a call's input, when the tool runs one. */
export function commandOf(name: string, input: Readonly<Record<string, unknown>>): CommandView | null {
  if (!SHELL_TOOLS.has(name)) return null;
  const c = input['command'];
  return typeof c === 'string' ? readCommand(c) : null;
}
