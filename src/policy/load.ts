import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { compileWithIssues, formatPath, type CompiledPolicy, type Path, type PolicyIssue } from './compile.js';
import { policyKeys, policySchema, type PolicyDocument } from './schema.js';

/**
 * Text → compiled policy, with every problem located: `policies/x.yaml:14:9: rule "no-secrets": when.tools[1]:
 * "Bash(rm" must end with ")"`. YAML syntax errors, schema errors (zod issue paths mapped back to the YAML node's
 * line) and meaning errors (compile.ts) come out in one list, sorted by position. Pure: the caller reads the file.
 */
export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  /** The rule's id (or `rules[3]` when it has none) when the problem is inside a rule. */
  rule: string | null;
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export type LoadResult =
  | { ok: true; policy: CompiledPolicy; document: PolicyDocument; digest: string; warnings: PolicyProblem[] }
  | { ok: false; errors: PolicyProblem[]; warnings: PolicyProblem[] };

/** Upper bound on a policy's text; a real policy is a few kilobytes. */
export const MAX_POLICY_BYTES = 1024 * 1024;

export interface LoadOptions {
  /** Named in every problem (`policies/default.yaml`, `version 3`). */
  file?: string;
  /** Recorded as the decision's policyVersion; default `sha256:<first 12 hex>` of the text. */
  version?: string;
}

export function loadPolicy(text: string, options: LoadOptions = {}): LoadResult {
  const file = options.file ?? 'policy.yaml';
  const digest = createHash('sha256').update(text).digest('hex');
  const lines = new LineCounter();
  if (text.length > MAX_POLICY_BYTES) {
    return fail([problem(file, 1, 1, null, '', `policy is larger than ${MAX_POLICY_BYTES} bytes`)]);
  }
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors.map((e) => {
    const at = lines.linePos(e.pos[0]);
    return problem(file, at.line, at.col, null, '', e.message.split('\n')[0] ?? e.message);
  });
  if (syntax.length > 0) return fail(syntax);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return fail([problem(file, 1, 1, null, '', (e as Error).message)]);
  }
  if (raw === null || raw === undefined) return fail([problem(file, 1, 1, null, '', 'the policy is empty')]);

  const locate = (path: Path, key?: string): PolicyProblem & { severity: 'error' } => {
    const { line, column } = position(doc, lines, path, key);
    return { ...problem(file, line, column, ruleLabel(raw, path), formatPath(path), ''), severity: 'error' };
  };
  const parsed = policySchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const errors = flattenIssues(parsed.error.issues).map(({ path, message, key }) => ({
      ...locate(path, key),
      message,
    }));
    return fail(sortProblems(errors));
  }
  const { policy, issues } = compileWithIssues(parsed.data, {
    version: options.version ?? `sha256:${digest.slice(0, 12)}`,
  });
  const found = issues.map((i: PolicyIssue) => ({ ...locate(i.path), message: i.message, severity: i.severity }));
  const errors = sortProblems(found.filter((p) => p.severity === 'error'));
  const warnings = sortProblems(found.filter((p) => p.severity === 'warning'));
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, policy, document: parsed.data, digest, warnings };
}

/** `file:line:column: rule "id": path: message` — the form editors and CI annotate. */
export function formatProblem(p: PolicyProblem): string {
  const rule = p.rule ? ` rule "${p.rule}":` : '';
  const path = p.path ? ` ${p.path}:` : '';
  const level = p.severity === 'warning' ? ' warning:' : '';
  return `${p.file}:${p.line}:${p.column}:${level}${rule}${path} ${p.message}`;
}

function fail(errors: PolicyProblem[]): LoadResult {
  return { ok: false, errors, warnings: [] };
}

function problem(
  file: string,
  line: number,
  column: number,
  rule: string | null,
  path: string,
  message: string,
): PolicyProblem {
  return { file, line, column, rule, path, message, severity: 'error' };
}

function sortProblems<T extends PolicyProblem>(ps: T[]): T[] {
  return ps.sort((a, b) => a.line - b.line || a.column - b.column);
}

function ruleLabel(raw: unknown, path: Path): string | null {
  if (path[0] !== 'rules' || typeof path[1] !== 'number') return null;
  const rules = (raw as { rules?: unknown }).rules;
  const rule = Array.isArray(rules) ? (rules[path[1]] as { id?: unknown } | undefined) : undefined;
  return typeof rule?.id === 'string' ? rule.id : `rules[${path[1]}]`;
}

/** Line and column of the deepest YAML node on `path` (the key itself for an unknown key). */
function position(doc: Document, lines: LineCounter, path: Path, key?: string): { line: number; column: number } {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  const steps = key === undefined ? path : [...path, key];
  for (let i = 0; i < steps.length; i++) {
    const seg = steps[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      // For an unknown key point at the key; otherwise at the value when there is one.
      const last = i === steps.length - 1;
      const valueNode = pair.value as Node | null;
      offset =
        (last && key !== undefined ? keyNode?.range?.[0] : (valueNode?.range?.[0] ?? keyNode?.range?.[0])) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

type Issue = z.core.$ZodIssue;

/**
 * zod issues → located messages. A union (`stage: prompt` or a list) reports the branch matching the input's shape;
 * an unknown key is reported at the key, with the nearest known key as a suggestion.
 */
function flattenIssues(issues: readonly Issue[], prefix: Path = []): { path: Path; message: string; key?: string }[] {
  const out: { path: Path; message: string; key?: string }[] = [];
  for (const issue of issues) {
    const path: Path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Unions in the schema are `oneOrMany`: [a value, a list]; report the branch the input's shape chose.
      const branch = issue.errors[Array.isArray(issue.input) ? 1 : 0] ?? issue.errors[0] ?? [];
      out.push(...flattenIssues(branch, path));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path, key, message: `unknown key "${key}"${suggest(key, policyKeys)}` });
      }
    } else if (issue.input === undefined && (issue.code === 'invalid_value' || issue.code === 'invalid_type')) {
      const values = issue.code === 'invalid_value' ? ` (${issue.values.map(String).join(', ')})` : '';
      out.push({ path, message: `missing: this key is required${values}` });
    } else if (issue.code === 'invalid_value' && 'values' in issue) {
      const values = issue.values.map(String);
      const got = typeof issue.input === 'string' ? issue.input : JSON.stringify(issue.input);
      out.push({
        path,
        message:
          values.length > 8
            ? `"${got}" is not a known value${suggest(String(got), values)}`
            : `"${got}" is not one of ${values.join(', ')}`,
      });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

function suggest(word: string, candidates: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best === null ? '' : `; did you mean "${best}"?`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
