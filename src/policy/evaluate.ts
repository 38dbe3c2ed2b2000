import type { ContentClass, DetectorType, Finding } from '../contracts/detection.js';
import type { Decision, DecisionMatch, DecisionRequest, DecisionStage } from '../contracts/policy-decision.js';
import type { CommandView } from './bash-command.js';
import { matchingFindings, type CompiledPolicy, type CompiledRule } from './compile.js';
import { defaultMessage, renderMessage, type MessageFacts } from './messages.js';
import { commandOf, type ToolCall } from './permission-rule.js';
import { inWindow, localTime, type LocalTime } from './time-window.js';

/**
 * The policy engine (DESIGN §3): pure, synchronous, no I/O. Every rule is tested against the request; all matches
 * are collected and the most restrictive action wins (deny > ask > redact > warn > allow; the first rule in the
 * document among equals). Nothing matching → the policy default. The request carries the detectors' findings: the
 * engine never scans text itself, so its cost does not grow with the size of a prompt.
 */
export function evaluate(policy: CompiledPolicy, req: DecisionRequest): Decision {
  const view = new RequestView(req);
  const hits: { rule: CompiledRule; findings: Finding[] | null }[] = [];
  for (const rule of policy.rules) {
    const findings = ruleMatches(rule, view);
    if (findings !== undefined) hits.push({ rule, findings });
  }
  hits.sort((a, b) => b.rule.rank - a.rule.rank || a.rule.index - b.rule.index);
  const best = hits[0];
  const action = best ? best.rule.action : policy.defaultAction;

  const matches: DecisionMatch[] = hits.map(({ rule, findings }) => ({
    ruleId: rule.id,
    action: rule.action,
    ...(findings
      ? { types: distinct(findings.map((f) => f.type)), classes: distinct(findings.map((f) => f.class)) }
      : {}),
  }));

  const redact = new Set<Finding>();
  for (const { rule, findings } of hits) {
    if (rule.action === 'redact') for (const f of redactedBy(rule, findings, req.findings)) redact.add(f);
  }
  if (!best && action === 'redact') for (const f of req.findings) if (f.example !== true) redact.add(f);

  let message: string | null = null;
  if (action !== 'allow') {
    const found = best?.findings ?? (best ? [] : req.findings.filter((f) => f.example !== true));
    const facts: MessageFacts = {
      action,
      stage: req.stage,
      ruleId: best?.rule.id ?? null,
      tool: view.toolName,
      types: distinct(found.map((f) => f.type)),
      classes: distinct(found.map((f) => f.class)),
      aup: policy.acceptableUseUrl,
    };
    message = best?.rule.message ? renderMessage(best.rule.message, facts) : defaultMessage(facts);
  }

  return {
    action,
    ruleId: best?.rule.id ?? null,
    message,
    matches,
    redact: [...redact].sort((a, b) => a.start - b.start || a.end - b.end),
    policyVersion: policy.version,
    onFailure: best?.rule.onFailure ?? policy.onFailure,
    shadow: policy.shadow,
  };
}

/**
 * What an enforcement point should do for a stage when it cannot get a decision (Steward unreachable, timeout):
 * closed when the policy's default is closed or any rule covering that stage is.
 */
export function failureStance(policy: CompiledPolicy, stage: DecisionStage): 'open' | 'closed' {
  if (policy.onFailure === 'closed') return 'closed';
  const closed = policy.rules.some((r) => r.onFailure === 'closed' && (r.stages === null || r.stages.has(stage)));
  return closed ? 'closed' : 'open';
}

/** undefined: the rule does not match; null: it matches without a content condition; else the findings. */
function ruleMatches(rule: CompiledRule, v: RequestView): Finding[] | null | undefined {
  const req = v.req;
  if (rule.stages !== null && !rule.stages.has(req.stage)) return undefined;
  if (rule.points !== null && !rule.points.has(req.point)) return undefined;
  if (rule.subjects !== null && !rule.subjects(req)) return undefined;
  if (rule.except !== null && rule.except(req)) return undefined;
  if (rule.model !== null && !rule.model(req.model)) return undefined;
  if (rule.mcpServer !== null && !rule.mcpServer(v.mcpServer)) return undefined;
  if (rule.mcpTool !== null && !rule.mcpTool(v.mcpTool)) return undefined;
  if (rule.tools !== null) {
    const call = v.call();
    // Restrictive rules read a call broadly (any part of it), allow rules exactly (permission-rule.ts).
    const broad = rule.rank > 0;
    if (call === null || !rule.tools.some((m) => m(call, broad))) return undefined;
  }
  if (rule.folders !== null) {
    const folders = req.folders ?? [];
    if (!rule.folders.some((re) => folders.some((f) => re.test(f.replace(/\\/g, '/'))))) return undefined;
  }
  if (rule.time !== null && !rule.time.some((w) => inWindow(w, v.localTime(w.timezone)))) return undefined;
  if (rule.content === null) return null;
  const found = matchingFindings(rule.content, req.findings);
  return found.length > 0 ? found : undefined;
}

function redactedBy(rule: CompiledRule, matched: Finding[] | null, all: readonly Finding[]): readonly Finding[] {
  if (rule.redact === null) return matched ?? all.filter((f) => f.example !== true);
  const wanted = rule.redact;
  const pool = rule.content
    ? all.filter(
        (f) =>
          f.confidence >= (rule.content?.minConfidence ?? 0) && (f.example !== true || rule.content?.includeExamples),
      )
    : all.filter((f) => f.example !== true);
  return pool.filter((f) => wanted.has(f.type) || wanted.has(f.class));
}

function distinct<T extends DetectorType | ContentClass>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

const MCP_NAME = /^mcp__(.+?)__(.+)$/;

/** What rules read from a request, derived once and lazily (a tool call's command is split only if a rule asks). */
class RequestView {
  readonly toolName: string | null;
  readonly mcpServer: string | null;
  readonly mcpTool: string | null;
  private callView: ToolCall | null | undefined;
  private commandView: CommandView | null | undefined;
  private readonly times = new Map<string, LocalTime>();

  constructor(readonly req: DecisionRequest) {
    const tool = req.tool ?? null;
    const parsed = tool !== null ? MCP_NAME.exec(tool) : null;
    this.mcpServer = req.mcpServer ?? parsed?.[1] ?? null;
    this.mcpTool = req.mcpTool ?? parsed?.[2] ?? null;
    // Telemetry names MCP calls `mcp_tool` with the server and tool apart; rules use Claude Code's full name.
    this.toolName =
      this.mcpServer !== null && (tool === null || !tool.startsWith('mcp__'))
        ? `mcp__${this.mcpServer}${this.mcpTool !== null ? `__${this.mcpTool}` : ''}`
        : tool;
  }

  call(): ToolCall | null {
    if (this.callView !== undefined) return this.callView;
    const name = this.toolName;
    if (name === null) return (this.callView = null);
    const input = this.req.toolInput ?? {};
    this.callView = {
      name,
      input,
      folders: this.req.folders ?? [],
      command: () => (this.commandView !== undefined ? this.commandView : (this.commandView = commandOf(name, input))),
    };
    return this.callView;
  }

  localTime(timezone: string): LocalTime {
    let t = this.times.get(timezone);
    if (!t) this.times.set(timezone, (t = localTime(this.req.time, timezone)));
    return t;
  }
}
