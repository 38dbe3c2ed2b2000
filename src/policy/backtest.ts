import type { Surface } from '../contracts/canonical.js';
import { surfaces } from '../contracts/canonical.js';
import type { Finding } from '../contracts/detection.js';
import { placeholderFindings } from '../detect/placeholders.js';
import type { Decision, DecisionRequest, EnforcementPoint, PolicyAction } from '../contracts/policy-decision.js';
import type { CompiledPolicy } from './compile.js';
import { evaluate } from './evaluate.js';

/**
 * Backtest: replay stored activity against a draft policy and count what it would have done (issue: "what would
 * have been denied or redacted, for whom, how often"). Pure: the caller reads events from the store (time-bounded)
 * and passes its scanner; this module turns events into decision requests and tallies the decisions.
 *
 * Replayed: prompts (stage prompt, with their text when content capture kept it), tool calls (stage tool_call, from
 * `tool_result` events, which carry the tool input when tool details are logged, and from rejected
 * `tool_decision` events, since a blocked call has no result), and model requests (`api_request`, stage
 * model_request, by model). Accepted tool decisions are skipped: their `tool_result` is the same call.
 */
export interface ReplayEvent {
  id: number;
  time: number;
  kind: string;
  surface: string;
  personId: string | null;
  email: string | null;
  department: string | null;
  team: string | null;
  sessionId: string | null;
  promptId: string | null;
  tool: string | null;
  toolUseId: string | null;
  mcpServer: string | null;
  mcpTool: string | null;
  model: string | null;
  decision: string | null;
  content: string | null;
  attrs: Record<string, unknown>;
}

export type Scan = (text: string) => Finding[];

export interface Replay {
  request: DecisionRequest;
  /** What was decided, without content: `prompt`, `Bash: rm -rf [REDACTED:…]`. */
  summary: string;
}

const SUMMARY_CHARS = 120;

export function replayEvent(e: ReplayEvent, scan: Scan): Replay | null {
  const surface: Surface = (surfaces as readonly string[]).includes(e.surface) ? (e.surface as Surface) : 'api';
  const point: EnforcementPoint = surface === 'claude_code' ? 'claude_code_hook' : 'inference_hook';
  const base = {
    point,
    surface,
    subject: { personId: e.personId, email: e.email, team: e.team, department: e.department, groups: [] },
    time: e.time,
    sessionId: e.sessionId,
    promptId: e.promptId,
    toolUseId: e.toolUseId,
    model: e.model,
    folders: [],
  };
  if (e.kind === 'prompt') {
    const text = e.content;
    const findings = text ? storedFindings(text, scan) : [];
    return {
      request: { ...base, stage: 'prompt', findings },
      summary: text ? `prompt: ${excerpt(text, findings)}` : 'prompt (text not stored)',
    };
  }
  if (e.kind === 'tool_result' || (e.kind === 'tool_decision' && e.decision === 'reject')) {
    const input = toolInput(e);
    const text = input === null ? null : inputText(input);
    const findings = text ? storedFindings(text, scan) : [];
    const tool = e.tool ?? 'unknown tool';
    return {
      request: {
        ...base,
        stage: 'tool_call',
        tool: e.tool,
        toolInput: input,
        mcpServer: e.mcpServer,
        mcpTool: e.mcpTool,
        findings,
      },
      summary: text ? `${tool}: ${excerpt(text, findings)}` : `${tool} (input not stored)`,
    };
  }
  if (e.kind === 'api_request') {
    return { request: { ...base, stage: 'model_request', findings: [] }, summary: `model request: ${e.model ?? '?'}` };
  }
  return null;
}

/** Stored text is redacted by default: its placeholders count as findings of their types, besides what the scan finds. */
function storedFindings(text: string, scan: Scan): Finding[] {
  const placeholders = placeholderFindings(text);
  const scanned = scan(text);
  return placeholders.length === 0 ? scanned : [...placeholders, ...scanned];
}

/** The tool input as Claude Code passed it, from whatever the telemetry kept (`tool_input`, `tool_parameters`). */
function toolInput(e: ReplayEvent): Record<string, unknown> | null {
  for (const raw of [e.attrs['tool_input'], e.content]) {
    const o = asObject(raw);
    if (o) return o;
  }
  const params = asObject(e.attrs['tool_parameters']);
  if (params) {
    const command = params['full_command'] ?? params['bash_command'];
    return typeof command === 'string' ? { ...params, command } : params;
  }
  return null;
}

function asObject(raw: unknown): Record<string, unknown> | null {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw !== 'string' || !raw.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The text scanned for a tool call: the command or path when there is one, else the input as JSON. */
function inputText(input: Record<string, unknown>): string {
  for (const key of ['command', 'file_path', 'url', 'path']) {
    const v = input[key];
    if (typeof v === 'string') return key === 'command' ? v : JSON.stringify(input);
  }
  return JSON.stringify(input);
}

/** A short, redacted excerpt: every finding replaced by its type, cut to SUMMARY_CHARS. */
function excerpt(text: string, findings: readonly Finding[]): string {
  let out = '';
  let at = 0;
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    if (f.start < at) continue;
    out += text.slice(at, f.start) + `[REDACTED:${f.type}]`;
    at = f.end;
    if (out.length > SUMMARY_CHARS) break;
  }
  out += text.slice(at, at + SUMMARY_CHARS);
  const flat = out.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_CHARS ? `${flat.slice(0, SUMMARY_CHARS - 1)}…` : flat;
}

export interface BacktestExample {
  eventId: number;
  time: number;
  person: string | null;
  stage: DecisionRequest['stage'];
  summary: string;
  /** What happened at the time, for tool calls (`accept` / `reject`). */
  decidedThen: string | null;
}

type Counts = Record<PolicyAction, number>;

export interface BacktestSummary {
  policyVersion: string;
  events: number;
  evaluated: number;
  byAction: Counts;
  byRule: { ruleId: string; action: PolicyAction; count: number; people: number; examples: BacktestExample[] }[];
  byPerson: { person: string; counts: Counts; total: number }[];
}

const zero = (): Counts => ({ allow: 0, warn: 0, redact: 0, ask: 0, deny: 0 });

/** Accumulates decisions; memory is bounded by rules × examples and the number of distinct people. */
export class BacktestTally {
  private events = 0;
  private evaluated = 0;
  private readonly byAction = zero();
  private readonly rules = new Map<
    string,
    { action: PolicyAction; count: number; people: Set<string>; examples: BacktestExample[] }
  >();
  private readonly people = new Map<string, Counts>();

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly scan: Scan,
    private readonly examplesPerRule = 5,
  ) {}

  add(e: ReplayEvent): Decision | null {
    this.events++;
    const replay = replayEvent(e, this.scan);
    if (replay === null) return null;
    this.evaluated++;
    const decision = evaluate(this.policy, replay.request);
    this.byAction[decision.action]++;
    const person = e.email ?? e.personId ?? '(unknown)';
    let counts = this.people.get(person);
    if (!counts) this.people.set(person, (counts = zero()));
    counts[decision.action]++;
    if (decision.ruleId !== null && decision.action !== 'allow') {
      let r = this.rules.get(decision.ruleId);
      if (!r)
        this.rules.set(decision.ruleId, (r = { action: decision.action, count: 0, people: new Set(), examples: [] }));
      r.count++;
      r.people.add(person);
      if (r.examples.length < this.examplesPerRule) {
        r.examples.push({
          eventId: e.id,
          time: e.time,
          person,
          stage: replay.request.stage,
          summary: replay.summary,
          decidedThen: e.kind === 'prompt' || e.kind === 'api_request' ? null : e.decision,
        });
      }
    }
    return decision;
  }

  summary(topPeople = 20): BacktestSummary {
    const rank = (c: Counts): number => c.deny * 1e9 + c.ask * 1e6 + c.redact * 1e3 + c.warn;
    return {
      policyVersion: this.policy.version,
      events: this.events,
      evaluated: this.evaluated,
      byAction: { ...this.byAction },
      byRule: [...this.rules.entries()]
        .map(([ruleId, r]) => ({
          ruleId,
          action: r.action,
          count: r.count,
          people: r.people.size,
          examples: r.examples,
        }))
        .sort((a, b) => b.count - a.count || a.ruleId.localeCompare(b.ruleId)),
      byPerson: [...this.people.entries()]
        .map(([person, counts]) => ({
          person,
          counts: { ...counts },
          total: counts.warn + counts.redact + counts.ask + counts.deny,
        }))
        .filter((p) => p.total > 0)
        .sort((a, b) => rank(b.counts) - rank(a.counts) || a.person.localeCompare(b.person))
        .slice(0, topPeople),
    };
  }
}
