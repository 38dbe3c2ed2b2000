import type { Surface } from '../../contracts/canonical.js';
import type { DecisionStage, EnforcementPoint, PolicyAction } from '../../contracts/policy-decision.js';
import type { CompiledPolicy } from '../compile.js';
import { failureStance } from '../evaluate.js';
import { parsePermissionRule } from '../permission-rule.js';
import type { PolicyRule } from '../schema.js';

/**
 * Which parts of a policy an endpoint can enforce by itself, shared by the Claude Code and Claude Desktop targets.
 *
 * The one invariant: **what is compiled never decides differently from the policy for anyone.** A compiled rule must
 * hold for every request it covers — everyone, always, whatever the content — because Claude Code applies managed
 * settings to every person on the machine and never sees Steward's detectors. So only rules with no subjects, no
 * exceptions, no content, folder or time condition compile; everything else stays with the hooks (which still run:
 * a compiled file always installs them). A compiled list may be narrower than the policy (the hooks catch the rest),
 * never broader. Within that:
 *   - deny and ask rules may be compiled one pattern at a time (each pattern is an alternative);
 *   - allowlists (allowedMcpServers, availableModels) are only derived when the policy itself is an allowlist
 *     (`defaults.action: deny`), and then from every rule that can let a request through, conditional or not;
 *   - warn and redact have no Claude Code equivalent: only a hook can warn or redact.
 * Claude Code reads rules deny → ask → allow (claude-surfaces.md §4.3), the same order as Steward's most restrictive
 * match, so compiled lists combine the way the policy's rules do.
 */
export type PermissionList = 'allow' | 'ask' | 'deny';

/** What a target's settings affect: a compiled rule must cover all of these surfaces, and either name no
 *  enforcement point or name this one. */
export interface EndpointScope {
  name: string;
  surfaces: readonly Surface[];
  point: EnforcementPoint | null;
}
/** Managed settings act inside Claude Code, where Steward's hooks are the enforcement point. */
export const CLAUDE_CODE_SCOPE: EndpointScope = {
  name: 'Claude Code',
  surfaces: ['claude_code'],
  point: 'claude_code_hook',
};
/** Desktop's managed keys act on the desktop app and on Cowork alike; no enforcement point of Steward's is there. */
export const CLAUDE_DESKTOP_SCOPE: EndpointScope = {
  name: 'Claude Desktop',
  surfaces: ['desktop', 'cowork'],
  point: null,
};

/** Hook stages a compiled file can make fail closed, in Claude Code's event names. */
export const hookStages = {
  SessionStart: 'session_start',
  UserPromptSubmit: 'prompt',
  PreToolUse: 'tool_call',
  PostToolUse: 'tool_result',
} as const satisfies Record<string, DecisionStage>;
export type HookEvent = keyof typeof hookStages;

export interface RuleOutcome {
  id: string;
  /** Permission rules this policy rule became, in its pattern order. */
  permissions: { list: PermissionList; rule: string }[];
  /** MCP servers it denies by name for everyone. */
  deniedMcpServers: string[];
  /** It denies every MCP server for everyone. */
  deniesAllMcp: boolean;
  /** Why the rule, or some of its patterns, stay with the hooks. Empty when fully compiled. */
  leftToHooks: string[];
  /** Set when the rule does not concern the target as a whole (other surfaces or enforcement points). */
  notForTarget: string | null;
}

export interface EndpointAnalysis {
  /** `defaults.shadow`: decide and record, never enforce — so nothing enforcing may be compiled. */
  shadow: boolean;
  permissions: Record<PermissionList, string[]>;
  deniedMcpServers: string[];
  /** Servers that may load, or null for no allowlist; `[]` blocks every server. */
  allowedMcpServers: string[] | null;
  availableModels: string[] | null;
  /** Why no allowlist was derived for MCP servers / models although the policy denies by default. */
  mcpAllowlistNote: string | null;
  modelAllowlistNote: string | null;
  /** Events whose stage the policy fails closed for (never in shadow mode). */
  failClosed: Record<HookEvent, boolean>;
  rules: RuleOutcome[];
}

function list<T>(v: T | readonly T[] | undefined): readonly T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

const PERMISSION_ACTIONS: ReadonlySet<PolicyAction> = new Set(['allow', 'ask', 'deny']);
/** A name Claude Code can put in `mcp__<server>__<tool>` unchanged. */
const PLAIN_NAME = /^[A-Za-z0-9_-]+$/;
/** Tools whose path rules Claude Code does not consult: it checks paths against Read(…) and Edit(…) only. */
const PATH_TOOLS_NOT_CONSULTED = new Set(['Write', 'MultiEdit', 'NotebookEdit', 'NotebookRead', 'Grep', 'Glob', 'LS']);

export function analyseEndpointPolicy(policy: CompiledPolicy, scope: EndpointScope): EndpointAnalysis {
  const rules = (policy.document.rules ?? []).filter((r) => r.enabled !== false);
  const outcomes = rules.map((r) => analyseRule(r, scope));
  const shadow = policy.shadow;
  const permissions: Record<PermissionList, string[]> = { allow: [], ask: [], deny: [] };
  const denied: string[] = [];
  let denyAll = false;
  if (!shadow) {
    for (const o of outcomes) {
      for (const p of o.permissions) if (!permissions[p.list].includes(p.rule)) permissions[p.list].push(p.rule);
      for (const s of o.deniedMcpServers) if (!denied.includes(s)) denied.push(s);
      denyAll ||= o.deniesAllMcp;
    }
  }
  const mcp = shadow ? { servers: null, note: null } : mcpAllowlist(rules, policy.defaultAction, denyAll, scope);
  const models = shadow ? { models: null, note: null } : modelAllowlist(rules, policy.defaultAction, scope);
  const failClosed = Object.fromEntries(
    Object.entries(hookStages).map(([event, stage]) => [event, !shadow && failureStance(policy, stage) === 'closed']),
  ) as Record<HookEvent, boolean>;
  return {
    shadow,
    permissions,
    deniedMcpServers: denyAll ? [] : denied,
    allowedMcpServers: mcp.servers,
    availableModels: models.models,
    mcpAllowlistNote: mcp.note,
    modelAllowlistNote: models.note,
    failClosed,
    rules: outcomes,
  };
}

function outcome(id: string): RuleOutcome {
  return { id, permissions: [], deniedMcpServers: [], deniesAllMcp: false, leftToHooks: [], notForTarget: null };
}

/** Why a rule cannot be compiled as a whole, or null when it holds for everyone, always, whatever the content. */
function conditionalOn(rule: PolicyRule): string | null {
  const s = rule.subjects ?? {};
  const when = rule.when ?? {};
  if (s.people || s.teams || s.departments || s.groups) return 'it applies to some people only (subjects)';
  if (rule.except) return 'it has exceptions (except)';
  if (when.content || when.types) return 'it depends on what the detectors find (content, types)';
  if (when.folders) return 'it depends on the folder (folders)';
  if (when.time) return 'it depends on the time (time)';
  if (!PERMISSION_ACTIONS.has(rule.action)) return `only a hook can ${rule.action}`;
  return null;
}

function analyseRule(rule: PolicyRule, scope: EndpointScope): RuleOutcome {
  const o = outcome(rule.id);
  const when = rule.when ?? {};
  const points = list(when.point);
  const surfaces = list(rule.subjects?.surfaces);
  if (points.length > 0 && (scope.point === null || !points.includes(scope.point))) {
    o.notForTarget = `it applies at ${points.join(', ')} only`;
    return o;
  }
  if (surfaces.length > 0 && !scope.surfaces.every((s) => surfaces.includes(s))) {
    o.notForTarget = `it applies to ${surfaces.join(', ')} only`;
    return o;
  }
  const why = conditionalOn(rule);
  if (why !== null) {
    o.leftToHooks.push(why);
    return o;
  }
  const stages = list(when.stage);
  const tools = list(when.tools);
  const servers = list(when.mcpServers);
  const mcpTools = list(when.mcpTools);
  const models = list(when.models);
  const action = rule.action as PermissionList;

  if (tools.length > 0 || servers.length > 0 || mcpTools.length > 0) {
    if (stages.length > 0 && !stages.includes('tool_call')) {
      o.leftToHooks.push(`it decides at ${stages.join(', ')}, not on tool calls`);
    } else if (models.length > 0 || (tools.length > 0 && (servers.length > 0 || mcpTools.length > 0))) {
      o.leftToHooks.push('it combines conditions one permission rule cannot express');
    } else if (tools.length > 0) {
      for (const pattern of tools) {
        const r = /^mcp__\*(\(\*\))?$/.test(pattern.trim()) ? allMcp(action) : toClaudeCodeRule(pattern);
        if ('all' in r) o.deniesAllMcp = true;
        else if ('rule' in r) o.permissions.push({ list: action, rule: r.rule });
        else o.leftToHooks.push(`${pattern}: ${r.why}`);
      }
    } else analyseMcpRule(o, action, servers, mcpTools);
    return o;
  }
  if (models.length > 0) {
    o.leftToHooks.push(
      'model rules are decided on model requests (the gateway); Claude Code gets availableModels only when the ' +
        'policy allows models by name under defaults.action: deny',
    );
    return o;
  }
  o.leftToHooks.push('it has no tool, MCP server or model condition');
  return o;
}

/** Every MCP tool: a deny blocks every server (allowedMcpServers: []); nothing else can say "every MCP tool". */
function allMcp(action: PermissionList): { all: true } | { why: string } {
  return action === 'deny' ? { all: true } : { why: `Claude Code has no rule that ${action}s every MCP tool` };
}

function analyseMcpRule(
  o: RuleOutcome,
  action: PermissionList,
  servers: readonly string[],
  mcpTools: readonly string[],
): void {
  if (servers.length === 0) {
    o.leftToHooks.push('MCP tool names without a server cannot be written as permission rules');
    return;
  }
  for (const server of servers) {
    if (server === '*' && mcpTools.length === 0) {
      const r = allMcp(action);
      if ('all' in r) o.deniesAllMcp = true;
      else o.leftToHooks.push(`mcpServers "*": ${r.why}`);
    } else if (server.includes('*')) {
      o.leftToHooks.push(`mcpServers "${server}": server-name wildcards cannot be compiled`);
    } else if (mcpTools.length === 0 && action === 'deny') {
      o.deniedMcpServers.push(server);
    } else if (!PLAIN_NAME.test(server)) {
      o.leftToHooks.push(`mcpServers "${server}": not a name Claude Code writes as mcp__${server}`);
    } else if (mcpTools.length === 0) {
      o.permissions.push({ list: action, rule: `mcp__${server}` });
    } else {
      for (const tool of mcpTools) {
        if (tool === '*') o.permissions.push({ list: action, rule: `mcp__${server}` });
        else if (/^[A-Za-z0-9_*-]+$/.test(tool)) o.permissions.push({ list: action, rule: `mcp__${server}__${tool}` });
        else o.leftToHooks.push(`mcpTools "${tool}": not a name Claude Code writes in mcp__${server}__<tool>`);
      }
    }
  }
}

/**
 * A Steward tool pattern as a Claude Code permission rule, or why it cannot be one. Steward's patterns are Claude
 * Code's syntax (permission-rule.ts), but Steward also accepts forms whose Claude Code reading is undocumented in the
 * reference or differs; those stay with the hooks rather than risk a rule Claude Code reads differently:
 *   - tool-name wildcards except in the tool part of `mcp__server__tool*` (documented: `mcp__github__get_*`);
 *   - `Read(/x)`/`Edit(/x)`: a single leading `/` is project-relative in Steward, but Claude Code has anchored it
 *     at the settings file's folder, which for managed settings is /etc/claude-code (write `./x` or `//x`);
 *   - path rules on Write, Grep, Glob… (Claude Code checks paths against Read and Edit rules only);
 *   - `WebFetch(…)` without `domain:`, and specifiers of other tools (Agent, Skill, `param:value`, PowerShell).
 */
export function toClaudeCodeRule(pattern: string): { rule: string } | { why: string } {
  const parsed = parsePermissionRule(pattern.trim());
  if (typeof parsed === 'string') return { why: parsed };
  const { tool, specifier } = parsed;
  if (tool.includes('*')) {
    const mcp = /^mcp__([A-Za-z0-9_-]+)__([A-Za-z0-9_*-]+)$/.exec(tool);
    if (mcp && specifier === null) return { rule: tool };
    return { why: 'tool-name wildcards are not Claude Code permission-rule syntax' };
  }
  if (specifier === null) return { rule: tool };
  if (tool.startsWith('mcp__')) return { why: 'MCP tools take no (specifier) in Claude Code rules' };
  if (tool === 'Bash') return { rule: `Bash(${specifier})` };
  if (tool === 'Read' || tool === 'Edit') {
    if (specifier.startsWith('/') && !specifier.startsWith('//')) {
      return { why: 'a single leading "/" is not project-relative in managed settings; write ./ or //' };
    }
    return { rule: `${tool}(${specifier})` };
  }
  if (tool === 'WebFetch') {
    return specifier.startsWith('domain:')
      ? { rule: `WebFetch(${specifier})` }
      : { why: 'Claude Code WebFetch rules name a domain (domain:…)' };
  }
  if (PATH_TOOLS_NOT_CONSULTED.has(tool))
    return { why: 'Claude Code checks file paths against Read and Edit rules only' };
  return { why: `Claude Code's reading of ${tool}(…) is not in Steward's reference` };
}

type Abort = { abort: string };

/**
 * `allowedMcpServers` (an allowlist for everyone): `[]` when the policy denies every MCP server outright; under
 * `defaults.action: deny`, the servers named by every rule that can let an MCP tool call through (any action but
 * deny — in Steward a matching warn rule also beats the default). A rule that could let through a server it does
 * not name (wildcards, no server condition) means there is no safe list.
 */
function mcpAllowlist(
  rules: readonly PolicyRule[],
  defaultAction: PolicyAction,
  denyAll: boolean,
  scope: EndpointScope,
): { servers: string[] | null; note: string | null } {
  if (denyAll) return { servers: [], note: null };
  if (defaultAction !== 'deny') return { servers: null, note: null };
  const servers: string[] = [];
  const add = (s: string): Abort | null => {
    if (s.includes('*')) return { abort: `a wildcard server name ("${s}")` };
    if (!servers.includes(s)) servers.push(s);
    return null;
  };
  for (const rule of rules) {
    if (rule.action === 'deny' || !reaches(rule, 'tool_call', scope)) continue;
    const when = rule.when ?? {};
    let r: Abort | null = null;
    if (when.mcpServers !== undefined) {
      for (const s of list(when.mcpServers)) r ??= add(s);
    } else if (when.tools !== undefined) {
      for (const t of list(when.tools)) {
        const parsed = parsePermissionRule(t.trim());
        const tool = typeof parsed === 'string' ? '*' : parsed.tool;
        if (tool.startsWith('mcp__')) r ??= add(tool.slice(5).split('__')[0] as string);
        else if (tool.includes('*')) r ??= { abort: `a tool-name wildcard ("${t}")` };
      }
    } else r = { abort: 'no tool or server condition' };
    if (r) {
      return { servers: null, note: `rule "${rule.id}" can let MCP calls through with ${r.abort}: no allowlist` };
    }
  }
  return { servers, note: null };
}

/** `availableModels` under `defaults.action: deny`: the models named by every rule that can let a model request
 *  through; rules with tool or MCP conditions never match a model request. */
function modelAllowlist(
  rules: readonly PolicyRule[],
  defaultAction: PolicyAction,
  scope: EndpointScope,
): { models: string[] | null; note: string | null } {
  if (defaultAction !== 'deny') return { models: null, note: null };
  const models: string[] = [];
  for (const rule of rules) {
    const when = rule.when ?? {};
    if (rule.action === 'deny' || !reaches(rule, 'model_request', scope)) continue;
    if (when.tools !== undefined || when.mcpServers !== undefined || when.mcpTools !== undefined) continue;
    const named = list(when.models);
    const bad = named.length === 0 ? 'no model condition' : named.find((m) => m.includes('*'));
    if (bad !== undefined) {
      const why = named.length === 0 ? bad : `a wildcard model name ("${bad}")`;
      return { models: null, note: `rule "${rule.id}" can let model requests through with ${why}: no availableModels` };
    }
    for (const m of named) if (!models.includes(m)) models.push(m);
  }
  if (models.length === 0) {
    return {
      models: null,
      note: 'no rule allows a model by name: availableModels left out (an empty list would keep the default model)',
    };
  }
  return { models, note: null };
}

/** Whether a rule can match requests at this stage for someone on one of the target's surfaces (any subjects, any
 *  enforcement point: an allowlist must include whatever any of them can let through). */
function reaches(rule: PolicyRule, stage: DecisionStage, scope: EndpointScope): boolean {
  const stages = list(rule.when?.stage);
  const surfaces = list(rule.subjects?.surfaces);
  return (
    (stages.length === 0 || stages.includes(stage)) &&
    (surfaces.length === 0 || surfaces.some((s) => scope.surfaces.includes(s)))
  );
}
