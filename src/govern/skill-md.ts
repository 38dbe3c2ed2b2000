import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';

/**
 * SKILL.md reader (pure: the caller reads the file). A skill file is YAML frontmatter between `---` lines at the very
 * top, then a Markdown body (Claude's skills format: `name`, `description`, `when_to_use`, `allowed-tools`, …,
 * custom keys under `metadata`). The frontmatter is parsed with the `yaml` package (YAML 1.2, so every form Claude's
 * skills use works: `key: value`, quoted strings, `- item` lists, `>`/`|` blocks, flow lists). Problems come back
 * with the line of the whole file (1-based), never thrown.
 */
export interface SkillMdError {
  line: number;
  message: string;
}

export interface ParsedSkillMd {
  frontmatter: Record<string, unknown>;
  body: string;
  errors: SkillMdError[];
  /** Line (in the whole file) of each top-level frontmatter key, for locating findings. */
  keyLines: Record<string, number>;
  /** Line where the body starts (1 when there is no frontmatter). */
  bodyLine: number;
  /** Whether the file opened with a `---` frontmatter block at all. */
  hasFrontmatter: boolean;
}

/** A SKILL.md is a few kilobytes; larger frontmatter is refused rather than parsed. */
export const MAX_FRONTMATTER_BYTES = 64 * 1024;

const FENCE = /^---[ \t]*$/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/;

export function parseSkillMd(text: string): ParsedSkillMd {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = source.split(/\r?\n/);
  const empty = { frontmatter: {}, keyLines: {}, hasFrontmatter: false };
  if (lines.length === 0 || !FENCE.test(lines[0] ?? '')) {
    return {
      ...empty,
      body: source,
      bodyLine: 1,
      errors: [{ line: 1, message: 'no frontmatter: SKILL.md must start with a `---` line, YAML keys, then `---`' }],
    };
  }
  const end = lines.findIndex((l, i) => i > 0 && CLOSE.test(l));
  if (end < 0) {
    return {
      ...empty,
      hasFrontmatter: true,
      body: '',
      bodyLine: lines.length + 1,
      errors: [{ line: 1, message: 'frontmatter is not closed: no `---` line after the opening one' }],
    };
  }
  const yamlText = lines.slice(1, end).join('\n');
  const body = lines.slice(end + 1).join('\n');
  const bodyLine = end + 2;
  const base = { hasFrontmatter: true, body, bodyLine };
  if (yamlText.length > MAX_FRONTMATTER_BYTES) {
    return {
      ...base,
      frontmatter: {},
      keyLines: {},
      errors: [{ line: 2, message: `frontmatter is larger than ${MAX_FRONTMATTER_BYTES} bytes` }],
    };
  }
  return { ...base, ...parseFrontmatter(yamlText) };
}

function parseFrontmatter(yamlText: string): Pick<ParsedSkillMd, 'frontmatter' | 'keyLines' | 'errors'> {
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  // +1: the opening `---` is line 1 of the file, the YAML's line 1 is the file's line 2.
  const lineOf = (offset: number): number => counter.linePos(offset).line + 1;
  const errors = doc.errors.map((e) => ({ line: lineOf(e.pos[0]), message: firstLine(e.message) }));
  if (errors.length > 0) return { frontmatter: {}, keyLines: {}, errors };
  if (doc.contents === null) {
    return { frontmatter: {}, keyLines: {}, errors: [{ line: 2, message: 'frontmatter is empty' }] };
  }
  if (!isMap(doc.contents)) {
    return {
      frontmatter: {},
      keyLines: {},
      errors: [{ line: 2, message: 'frontmatter must be a mapping of `key: value` lines' }],
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 20 });
  } catch (e) {
    return { frontmatter: {}, keyLines: {}, errors: [{ line: 2, message: (e as Error).message }] };
  }
  const keyLines: Record<string, number> = {};
  for (const pair of doc.contents.items) {
    if (isScalar(pair.key) && pair.key.range) keyLines[String(pair.key.value)] = lineOf(pair.key.range[0]);
  }
  return { frontmatter: raw as Record<string, unknown>, keyLines, errors: [] };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The governance fields of a skill, read from its frontmatter (top level first, then under `metadata`). */
export interface SkillFields {
  name: string | null;
  description: string | null;
  intendedUse: string | null;
  inputs: string[];
  outputs: string[];
  owner: string | null;
  version: string | null;
  allowedTools: string[];
}

/**
 * Accepted spellings, top level or under `metadata:` (Claude's format keeps custom keys there):
 * intended use — `intended-use`, `intended_use`, `intendedUse`, else Claude's own `when_to_use`;
 * inputs/outputs — `inputs`/`outputs` (a string or a list); owner — `owner` (a string, or a map with `email`/`name`);
 * allowed tools — `allowed-tools` (a list or a space/comma-separated string).
 */
export function skillFields(frontmatter: Record<string, unknown>): SkillFields {
  const meta = isRecord(frontmatter.metadata) ? frontmatter.metadata : {};
  const pick = (...keys: string[]): unknown => {
    for (const source of [frontmatter, meta]) {
      for (const key of keys) {
        const value = source[key];
        if (value !== undefined && value !== null && value !== '') return value;
      }
    }
    return undefined;
  };
  return {
    name: text(pick('name')),
    description: text(pick('description')),
    intendedUse: text(pick('intended-use', 'intended_use', 'intendedUse', 'when_to_use', 'when-to-use')),
    inputs: list(pick('inputs', 'input')),
    outputs: list(pick('outputs', 'output')),
    owner: owner(pick('owner')),
    version: text(pick('version')),
    allowedTools: list(pick('allowed-tools', 'allowed_tools', 'allowedTools'), /[\s,]+/),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function list(value: unknown, separator: RegExp = /\n/): string[] {
  if (Array.isArray(value))
    return value.map((v) => (isRecord(v) ? JSON.stringify(v) : String(v).trim())).filter(Boolean);
  if (isRecord(value)) return Object.entries(value).map(([k, v]) => (v === null ? k : `${k}: ${String(v)}`));
  const single = text(value);
  if (single === null) return [];
  return single
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

function owner(value: unknown): string | null {
  if (isRecord(value)) return text(value.email) ?? text(value.name);
  return text(value);
}
