import type { Surface } from '../contracts/canonical.js';
import type { ContentClass, DetectorType, Finding, OrganisationPatterns } from '../contracts/detection.js';
import type { DecisionRequest, DecisionStage, EnforcementPoint, PolicyAction } from '../contracts/policy-decision.js';
import { checkLinear } from '../detect/linear-regex.js';
import { messagePlaceholders } from './messages.js';
import { globSource } from './path-glob.js';
import { compilePermissionRule, type ToolMatcher } from './permission-rule.js';
import type { PolicyDocument, PolicyRule, PolicySubjects } from './schema.js';
import { compileWindow, type CompiledWindow } from './time-window.js';
import { nameMatcher } from './wildcard.js';

/**
 * A policy compiled once for evaluation: every pattern parsed, every list turned into a set or a matcher, so
 * `evaluate` only runs closures over the request. Compilation also checks what the schema cannot (permission-rule
 * syntax, time zones, placeholders, duplicate ids) and reports it by document path, which the loader turns into
 * file:line.
 */
export const actionRank: Record<PolicyAction, number> = { allow: 0, warn: 1, redact: 2, ask: 3, deny: 4 };

export type Path = readonly (string | number)[];

export interface PolicyIssue {
  path: Path;
  message: string;
  severity: 'error' | 'warning';
}

export interface FindingFilter {
  classes: ReadonlySet<ContentClass> | null;
  types: ReadonlySet<DetectorType> | null;
  minConfidence: number;
  includeExamples: boolean;
}

export interface CompiledRule {
  id: string;
  index: number;
  action: PolicyAction;
  rank: number;
  message: string | null;
  onFailure: 'open' | 'closed' | null;
  stages: ReadonlySet<DecisionStage> | null;
  points: ReadonlySet<EnforcementPoint> | null;
  subjects: SubjectMatcher | null;
  except: SubjectMatcher | null;
  tools: readonly ToolMatcher[] | null;
  mcpServer: ((name: string | null | undefined) => boolean) | null;
  mcpTool: ((name: string | null | undefined) => boolean) | null;
  model: ((name: string | null | undefined) => boolean) | null;
  folders: readonly RegExp[] | null;
  time: readonly CompiledWindow[] | null;
  content: FindingFilter | null;
  /** For action redact: which classes/types are replaced; null = what matched. */
  redact: ReadonlySet<string> | null;
}

export interface CompiledPolicy {
  name: string;
  /** Recorded with every decision: the stored version (`v3`) or a digest of the text for an unstored draft. */
  version: string;
  defaultAction: PolicyAction;
  onFailure: 'open' | 'closed';
  shadow: boolean;
  acceptableUseUrl: string | null;
  organisation: OrganisationPatterns | undefined;
  rules: readonly CompiledRule[];
  document: PolicyDocument;
}

export type SubjectMatcher = (req: DecisionRequest) => boolean;

export class PolicyCompileError extends Error {
  constructor(readonly issues: readonly PolicyIssue[]) {
    super(issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; '));
    this.name = 'PolicyCompileError';
  }
}

export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(document)';
}

function list<T>(v: T | readonly T[] | undefined): readonly T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

function setOrNull<T>(v: T | readonly T[] | undefined): ReadonlySet<T> | null {
  const l = list(v);
  return l.length === 0 ? null : new Set(l);
}

/** Compiles a validated document; throws PolicyCompileError when it has errors (warnings are only returned). */
export function compilePolicy(document: PolicyDocument, options: { version?: string } = {}): CompiledPolicy {
  const { policy, issues } = compileWithIssues(document, options);
  if (issues.some((i) => i.severity === 'error')) throw new PolicyCompileError(issues);
  return policy;
}

export function compileWithIssues(
  document: PolicyDocument,
  options: { version?: string } = {},
): { policy: CompiledPolicy; issues: PolicyIssue[] } {
  const issues: PolicyIssue[] = [];
  const seen = new Map<string, number>();
  const rules: CompiledRule[] = [];
  const docRules = document.rules ?? [];
  for (let i = 0; i < docRules.length; i++) {
    const rule = docRules[i] as PolicyRule;
    const where: Path = ['rules', i];
    const first = seen.get(rule.id);
    if (first !== undefined) {
      issues.push(error([...where, 'id'], `duplicate rule id "${rule.id}" (first used by rules[${first}])`));
    } else seen.set(rule.id, i);
    const compiled = compileRule(rule, i, where, issues);
    if (rule.enabled !== false) rules.push(compiled);
  }
  checkOrganisation(document.organisation, issues);
  const defaults = document.defaults ?? {};
  return {
    issues,
    policy: {
      name: document.name,
      version: options.version ?? 'unversioned',
      defaultAction: defaults.action ?? 'allow',
      onFailure: defaults.onFailure ?? 'open',
      shadow: defaults.shadow ?? false,
      acceptableUseUrl: document.acceptableUseUrl ?? null,
      organisation: document.organisation,
      rules,
      document,
    },
  };
}

function error(path: Path, message: string): PolicyIssue {
  return { path, message, severity: 'error' };
}

function compileRule(rule: PolicyRule, index: number, where: Path, issues: PolicyIssue[]): CompiledRule {
  const when = rule.when ?? {};
  const at = (...p: (string | number)[]): Path => [...where, ...p];

  const tools = list(when.tools).map((t, i): ToolMatcher => {
    try {
      const m = compilePermissionRule(t);
      if (
        /^(Read|Edit|Write|Grep|Glob|LS|MultiEdit|NotebookEdit)\((\/(etc|usr|var|bin|opt|tmp|home|Users|root)\b)/.test(
          t,
        )
      ) {
        issues.push({
          path: at('when', 'tools', i),
          severity: 'warning',
          message: `"${t}": a single leading "/" is relative to the project root in Claude Code's syntax; write "//" for an absolute path`,
        });
      }
      return m;
    } catch (e) {
      issues.push(error(at('when', 'tools', i), (e as Error).message));
      return () => false;
    }
  });

  const time = (when.time ?? []).map((w, i): CompiledWindow => {
    try {
      return compileWindow(w);
    } catch (e) {
      issues.push(error(at('when', 'time', i), (e as Error).message));
      return { timezone: 'UTC', days: new Set(), from: null, to: null };
    }
  });

  const folders = list(when.folders).map((f, i): RegExp => {
    try {
      return folderPattern(f);
    } catch (e) {
      issues.push(error(at('when', 'folders', i), `"${f}" is not a valid folder glob: ${(e as Error).message}`));
      return /$^/;
    }
  });

  const classes = setOrNull(when.content);
  const types = setOrNull(when.types);
  const hasContent = classes !== null || types !== null;
  if (!hasContent && (when.minConfidence !== undefined || when.includeExamples !== undefined)) {
    issues.push(error(at('when'), 'minConfidence and includeExamples apply to findings: add content or types'));
  }
  if (rule.redact !== undefined && rule.action !== 'redact') {
    issues.push(
      error(at('redact'), `redact lists what an action "redact" replaces; this rule's action is "${rule.action}"`),
    );
  }
  if (rule.message !== undefined) {
    for (const m of rule.message.matchAll(/\{(\w+)\}/g)) {
      if (!(messagePlaceholders as readonly string[]).includes(m[1] as string)) {
        issues.push(
          error(
            at('message'),
            `unknown placeholder {${m[1]}}; use ${messagePlaceholders.map((p) => `{${p}}`).join(' ')}`,
          ),
        );
      }
    }
  }

  return {
    id: rule.id,
    index,
    action: rule.action,
    rank: actionRank[rule.action],
    message: rule.message ?? null,
    onFailure: rule.onFailure ?? null,
    stages: setOrNull(when.stage),
    points: setOrNull(when.point),
    subjects: subjectMatcher(rule.subjects),
    except: subjectMatcher(rule.except),
    tools: tools.length > 0 ? tools : null,
    mcpServer: when.mcpServers === undefined ? null : nameMatcher(list(when.mcpServers)),
    mcpTool: when.mcpTools === undefined ? null : nameMatcher(list(when.mcpTools)),
    model: when.models === undefined ? null : nameMatcher(list(when.models)),
    folders: folders.length > 0 ? folders : null,
    time: time.length > 0 ? time : null,
    content: hasContent
      ? {
          classes: classes as ReadonlySet<ContentClass> | null,
          types: types as ReadonlySet<DetectorType> | null,
          minConfidence: when.minConfidence ?? 0,
          includeExamples: when.includeExamples ?? false,
        }
      : null,
    redact: setOrNull(rule.redact),
  };
}

/** Absolute folder globs; a match covers the folder and everything inside it. `~/x` is under any home. */
function folderPattern(glob: string): RegExp {
  let prefix: string;
  let body: string;
  if (glob.startsWith('~/')) [prefix, body] = ['(?:/home/[^/]+|/Users/[^/]+|/root|[a-z]:/users/[^/]+)/', glob.slice(2)];
  else if (glob.startsWith('/')) [prefix, body] = ['/', glob.replace(/^\/+/, '')];
  else if (/^[a-zA-Z]:[\\/]/.test(glob)) [prefix, body] = ['', glob.replace(/\\/g, '/')];
  else [prefix, body] = ['(?:.*/)?', glob];
  const trimmed = body.replace(/\/+$/, '');
  return new RegExp(`^${prefix}${globSource(trimmed)}(?:/.*)?$`, 'i');
}

function subjectMatcher(s: PolicySubjects | undefined): SubjectMatcher | null {
  if (s === undefined) return null;
  const people = list(s.people);
  const emails = people.length > 0 ? nameMatcher(people) : null;
  const ids = new Set(people);
  const teams = lowerSet(s.teams);
  const departments = lowerSet(s.departments);
  const groups = lowerSet(s.groups);
  const surfaceSet = setOrNull(s.surfaces) as ReadonlySet<Surface> | null;
  const identity = emails !== null || teams !== null || departments !== null || groups !== null;
  if (!identity && surfaceSet === null) return null;
  return (req) => {
    if (surfaceSet !== null && !surfaceSet.has(req.surface)) return false;
    if (!identity) return true;
    const sub = req.subject;
    if (emails !== null && (emails(sub.email) || (sub.personId != null && ids.has(sub.personId)))) return true;
    if (teams !== null && sub.team != null && teams.has(sub.team.toLowerCase())) return true;
    if (departments !== null && sub.department != null && departments.has(sub.department.toLowerCase())) return true;
    return groups !== null && (sub.groups ?? []).some((g) => groups.has(g.toLowerCase()));
  };
}

function lowerSet(v: string | readonly string[] | undefined): ReadonlySet<string> | null {
  const l = list(v);
  return l.length === 0 ? null : new Set(l.map((x) => x.toLowerCase()));
}

/** Organisation patterns run on every prompt: the detectors' linear-time check refuses those that could backtrack. */
function checkOrganisation(org: PolicyDocument['organisation'], issues: PolicyIssue[]): void {
  for (const [name, source] of Object.entries(org?.patterns ?? {})) {
    const checked = checkLinear(source);
    if (!checked.ok) issues.push(error(['organisation', 'patterns', name], `pattern "${name}" ${checked.reason}`));
  }
}

/** Findings that satisfy a rule's content condition. */
export function matchingFindings(filter: FindingFilter, findings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.confidence < filter.minConfidence || (f.example === true && !filter.includeExamples)) continue;
    if (filter.classes?.has(f.class) || filter.types?.has(f.type)) out.push(f);
  }
  return out;
}
