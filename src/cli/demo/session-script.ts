import type { SessionPlan } from './activity-schedule.js';
import { COWORK_RELEASES, SKILLS, type DemoModel, type Surface } from './demo-catalog.js';
import { copiedResourceAttributes } from './demo-resource.js';
import { costUsd, costUsdMicros, type TokenUsage } from './model-prices.js';
import type { DemoOrganisation } from './organisation.js';
import { SeededRandom } from './seeded-random.js';
import { runToolUse, type ToolContext } from './session-tools.js';
import { SessionMetrics, type MetricAttributes, type ScriptedMetricPoint } from './session-metrics.js';

/**
 * One session's telemetry, in the exact order and with the exact attribute names and value types the real client
 * emits (claude-code-observed.md §3, catalog.json): event name without prefix in `event.name`, the prefixed name
 * in the body, `event.sequence` from 0 per process, `prompt.id` on everything after the first prompt, numeric-
 * looking strings where the client sends strings, and the OTEL_RESOURCE_ATTRIBUTES copies on every record.
 * Content is redacted as with the default capture settings; MCP/Bash tool details are on (OTEL_LOG_TOOL_DETAILS=1
 * for Claude Code, `otlpContentCapture: ["toolDetails"]` for Cowork) because governance needs connector names.
 */

export type EventAttributeValue = string | number | boolean | string[];
export type EventAttributes = Record<string, EventAttributeValue>;

export interface ScriptedEvent {
  /** `event.name`, without prefix. */
  readonly name: string;
  /** The LogRecord body: `claude_code.<name>` or `claude_cowork.<name>`. */
  readonly body: string;
  readonly timeMs: number;
  readonly attributes: Readonly<EventAttributes>;
}

export interface SessionScript {
  readonly sessionId: string;
  readonly surface: Surface;
  readonly appVersion: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly events: readonly ScriptedEvent[];
  /** Delta-sum points for the session (Claude Code only: Cowork sends no metrics). */
  readonly metrics: readonly ScriptedMetricPoint[];
  readonly costUsd: number;
}

const REDACTED = '<REDACTED>';
const MS_PER_OUTPUT_TOKEN: Readonly<Record<DemoModel, number>> = {
  'claude-opus-5': 28,
  'claude-sonnet-5': 16,
  'claude-haiku-4-5': 7,
};
const API_ERRORS: readonly (readonly [{ status: number; message: string }, number])[] = [
  [{ status: 529, message: 'Overloaded' }, 5],
  [{ status: 429, message: 'Number of request tokens has exceeded your per-minute rate limit' }, 3],
  [{ status: 500, message: 'Internal server error' }, 2],
];

export function scriptSession(org: DemoOrganisation, plan: SessionPlan): SessionScript {
  return new SessionRecorder(org, plan).run();
}

/** Mutable state of one session while its script is written; tools (session-tools.ts) drive it through ToolContext. */
class SessionRecorder implements ToolContext {
  readonly random: SeededRandom;
  readonly surface: Surface;
  readonly metrics: SessionMetrics | null;
  readonly plan: SessionPlan;
  readonly model: DemoModel;
  readonly permissionMode: string;
  private readonly sessionId: string;
  private readonly prefix: string;
  private readonly common: EventAttributes;
  private readonly emitsAssistantResponse: boolean;
  private readonly events: ScriptedEvent[] = [];
  private time: number;
  private sequence = 0;
  private promptId: string | null = null;
  private apiCalls = 0;
  private totalCost = 0;
  private cliSeconds = 0;
  private userSeconds = 0;

  constructor(
    private readonly org: DemoOrganisation,
    plan: SessionPlan,
  ) {
    this.plan = plan;
    this.random = new SeededRandom(org.seed).fork(`session/${plan.key}`);
    this.surface = plan.surface;
    this.sessionId = this.random.uuid();
    this.time = plan.startMs;
    const person = plan.person;
    const cowork = COWORK_RELEASES.find((release) => release.version === plan.appVersion);
    this.prefix = this.surface === 'cowork' ? (cowork?.bodyPrefix ?? 'claude_cowork') : 'claude_code';
    this.emitsAssistantResponse = this.surface === 'claude_code' || cowork?.emitsAssistantResponse === true;
    this.model = this.random.weighted(person.modelMix[this.surface]);
    this.permissionMode = this.surface === 'claude_code' && this.random.chance(0.2) ? 'acceptEdits' : 'default';

    const account = {
      'organization.id': org.organizationId,
      'user.account_uuid': person.accountUuid,
      'user.account_id': person.accountId,
      'user.email': person.email,
    };
    const copied = copiedResourceAttributes(person, this.surface);
    if (this.surface === 'claude_code') {
      const common: MetricAttributes = {
        ...copied,
        'user.id': person.deviceIds.claude_code,
        'session.id': this.sessionId,
        ...(person.claudeCodeAuth === 'oauth' ? account : {}),
        'anthropic.provider': 'firstParty',
        'anthropic.custom_base_url': person.customBaseUrl,
        'terminal.type': person.terminalType,
      };
      this.common = { ...common };
      this.metrics = new SessionMetrics(common);
    } else {
      this.common = {
        ...copied,
        'user.id': person.deviceIds.cowork,
        'session.id': this.sessionId,
        ...account,
        'workspace.host_paths': [...person.workspacePaths],
        'terminal.type': 'non-interactive',
      };
      this.metrics = null;
    }
  }

  run(): SessionScript {
    const person = this.plan.person;
    const code = this.surface === 'claude_code';
    this.advance(this.random.int(40, 250));
    if (code) {
      // Startup events carry no prompt.id (observed): managed settings attestation, then MCP connections.
      this.emit('managed_settings_resolved', {
        'managed_settings.trigger': 'startup',
        'managed_settings.sources': ['file'],
        'managed_settings.source_behavior': 'first-wins',
        'managed_settings.helper.state': 'none',
        'managed_settings.helper.applied': 'none',
        'managed_settings.resolved_sha256': this.org.managedSettingsSha256,
      });
      for (const server of person.mcpServers) this.connectMcp(server);
    }
    const prompts = 1 + Math.min(code ? 13 : 7, this.random.poisson(code ? 3.5 : 2));
    for (let p = 0; p < prompts && this.time < this.plan.notAfterMs; p++) {
      const think = p === 0 ? this.random.int(3_000, 30_000) : Math.min(1_200_000, this.random.logNormal(90_000, 1));
      this.advance(think);
      this.promptId = this.random.uuid();
      const promptLength = Math.max(1, Math.round(this.random.logNormal(160, 1)));
      this.userSeconds += promptLength / 6;
      this.emit('user_prompt', {
        prompt_length: String(promptLength),
        prompt: REDACTED,
        ...(code ? { prompt_text: REDACTED } : {}),
        ...(this.emitsAssistantResponse ? { 'message.uuid': this.random.uuid() } : {}),
      });
      // Cowork holds its export until the first turn, so its connector connections carry the first prompt.id.
      if (!code && p === 0) for (const connector of person.coworkConnectors) this.connectMcp(connector);
      if (this.random.chance(code ? 0.05 : 0.12)) {
        this.advance(this.random.int(5, 40));
        this.emit('skill_activated', {
          'skill.name': this.random.pick(SKILLS[this.surface]),
          invocation_trigger: this.random.weighted([
            ['claude-proactive', 6],
            ['user-slash', 3],
            ['nested-skill', 1],
          ] as const),
        });
      }
      this.runTurns();
    }
    this.metrics?.add('claude_code.session.count', 1, {
      start_type: this.random.weighted([
        ['fresh', 85],
        ['resume', 10],
        ['continue', 5],
      ] as const),
    });
    this.metrics?.add('claude_code.active_time.total', round3(this.userSeconds), { type: 'user' });
    this.metrics?.add('claude_code.active_time.total', round3(this.cliSeconds), { type: 'cli' });
    return {
      sessionId: this.sessionId,
      surface: this.surface,
      appVersion: this.plan.appVersion,
      startMs: this.plan.startMs,
      endMs: this.time,
      events: this.events,
      metrics: this.metrics?.toPoints() ?? [],
      costUsd: this.totalCost,
    };
  }

  /** Model ↔ tool rounds for one prompt; the last round is the final answer without tool use. */
  private runTurns(): void {
    const rounds = Math.min(12, this.random.poisson(this.surface === 'claude_code' ? 2.5 : 1.5));
    for (let round = 0; round <= rounds; round++) {
      const requestId = this.apiCall({ querySource: 'main' });
      if (requestId === null || round === rounds) return;
      const tools = this.random.weighted([
        [1, 70],
        [2, 22],
        [3, 8],
      ] as const);
      for (let i = 0; i < tools; i++) runToolUse(this, requestId);
    }
  }

  /** One model call: `api_request` (+ `assistant_response`), or a final `api_error` after the client's retries. */
  apiCall(options: { querySource: 'main' | 'subagent'; agentId?: string; agentType?: string }): string | null {
    const subagent = options.querySource === 'subagent';
    const model: DemoModel = subagent && this.random.chance(0.5) ? 'claude-haiku-4-5' : this.model;
    const eventQuerySource = subagent ? `agent:builtin:${options.agentType ?? 'general-purpose'}` : 'sdk';
    const effort = 'medium';
    const agent: EventAttributes = subagent ? { agent_id: options.agentId ?? '' } : {};
    if (this.random.chance(0.012)) {
      const failure = this.random.weighted(API_ERRORS);
      const duration = Math.round(this.random.logNormal(8_000, 0.8));
      this.advance(duration);
      this.emit('api_error', {
        model,
        error: failure.message,
        // Cowork reports status_code as a string (claude-surfaces.md §2.2); Claude Code as an int.
        status_code: this.surface === 'cowork' ? String(failure.status) : failure.status,
        duration_ms: duration,
        attempt: this.random.int(2, 11),
        request_id: this.requestId(),
        speed: 'normal',
        query_source: eventQuerySource,
        effort,
        ...agent,
      });
      return null;
    }
    const usage = this.tokenUsage(model, subagent);
    const cost = costUsd(model, usage);
    const ttft = Math.round(this.random.logNormal(1_100, 0.4));
    const duration = Math.round(ttft + usage.output * MS_PER_OUTPUT_TOKEN[model] * this.random.logNormal(1, 0.2));
    this.advance(duration);
    this.cliSeconds += duration / 1000;
    this.totalCost += cost;
    const requestId = this.requestId();
    this.emit('api_request', {
      model,
      input_tokens: usage.input,
      output_tokens: usage.output,
      cache_read_tokens: usage.cacheRead,
      cache_creation_tokens: usage.cacheCreation5m + usage.cacheCreation1h,
      cache_creation_5m_tokens: usage.cacheCreation5m,
      cache_creation_1h_tokens: usage.cacheCreation1h,
      cost_usd: cost,
      cost_usd_micros: costUsdMicros(cost),
      duration_ms: duration,
      ttft_ms: ttft,
      request_id: requestId,
      speed: 'normal',
      query_source: eventQuerySource,
      effort,
      ...(subagent ? { 'agent.name': options.agentType ?? 'general-purpose' } : {}),
      ...agent,
    });
    if (this.emitsAssistantResponse) {
      this.advance(this.random.int(1, 4));
      this.emit('assistant_response', {
        response_length: Math.max(1, Math.round(usage.output * this.random.logNormal(3.2, 0.3))),
        response: REDACTED,
        request_id: requestId,
        'message.uuid': this.random.uuid(),
        model,
        query_source: eventQuerySource,
        ...agent,
      });
    }
    const metricAttributes = {
      model,
      query_source: options.querySource,
      effort,
      ...(subagent ? { 'agent.name': options.agentType ?? 'general-purpose' } : {}),
    };
    this.metrics?.add('claude_code.cost.usage', cost, metricAttributes);
    this.metrics?.add('claude_code.token.usage', usage.input, { ...metricAttributes, type: 'input' });
    this.metrics?.add('claude_code.token.usage', usage.output, { ...metricAttributes, type: 'output' });
    this.metrics?.add('claude_code.token.usage', usage.cacheRead, { ...metricAttributes, type: 'cacheRead' });
    const creation = usage.cacheCreation5m + usage.cacheCreation1h;
    this.metrics?.add('claude_code.token.usage', creation, { ...metricAttributes, type: 'cacheCreation' });
    return requestId;
  }

  /**
   * Claude Code's `input_tokens` is only what follows the last cache breakpoint, so it stays small while cache
   * reads grow with the conversation; the first call of a session writes the system prompt to the cache.
   */
  private tokenUsage(model: DemoModel, subagent: boolean): TokenUsage {
    const scale = (this.surface === 'cowork' ? 0.8 : 1) * (subagent ? 0.5 : 1);
    const first = this.apiCalls++ === 0;
    const cacheRead = first
      ? this.random.int(0, 14_000)
      : Math.min(190_000, Math.round((25_000 + this.apiCalls * this.random.logNormal(6_000, 0.5)) * scale));
    const cacheCreation5m = Math.round(this.random.logNormal(first ? 18_000 : 2_000, first ? 0.3 : 0.8) * scale);
    let output = Math.min(32_000, Math.max(1, Math.round(this.random.logNormal(450, 0.9))));
    const input = Math.max(1, Math.round(this.random.logNormal(30, 1.2)));
    // An integral cost would be encoded as intValue by the OTLP transformer; the client always sends a double.
    while (Number.isInteger(costUsd(model, { input, output, cacheRead, cacheCreation5m, cacheCreation1h: 0 })))
      output++;
    return { input, output, cacheRead, cacheCreation5m, cacheCreation1h: 0 };
  }

  private connectMcp(server: string): void {
    const duration = Math.round(this.random.logNormal(350, 0.6));
    this.advance(duration);
    this.emit('mcp_server_connection', {
      status: this.random.chance(0.04) ? 'failed' : 'connected',
      transport_type: this.surface === 'cowork' || this.random.chance(0.4) ? 'http' : 'stdio',
      server_scope: 'dynamic',
      duration_ms: String(duration),
      is_plugin: false,
      server_name: server,
    });
  }

  emit(name: string, attributes: EventAttributes): void {
    this.events.push({
      name,
      body: `${this.prefix}.${name}`,
      timeMs: this.time,
      attributes: {
        ...this.common,
        'event.name': name,
        'event.timestamp': new Date(this.time).toISOString(),
        'event.sequence': this.sequence++,
        ...(this.promptId === null ? {} : { 'prompt.id': this.promptId }),
        ...attributes,
      },
    });
  }

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += Math.max(1, Math.round(ms));
  }

  addCliTime(ms: number): void {
    this.cliSeconds += ms / 1000;
  }

  addUserTime(ms: number): void {
    this.userSeconds += ms / 1000;
  }

  private requestId(): string {
    return `req_011C${this.random.base62(20)}`;
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
