import type { SessionPlan } from './activity-schedule.js';
import { COWORK_RELEASES, SKILLS, type DemoModel, type Surface } from './demo-catalog.js';
import { sessionAttributes } from './demo-resource.js';
import type { DemoOrganisation } from './organisation.js';
import { SeededRandom } from './seeded-random.js';
import { runApiCall, type ApiCallContext, type ApiCallOptions } from './session-api-call.js';
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

export function scriptSession(org: DemoOrganisation, plan: SessionPlan): SessionScript {
  return new SessionRecorder(org, plan).run();
}

/** Mutable state of one session while its script is written; tools (session-tools.ts) drive it through ToolContext. */
class SessionRecorder implements ToolContext, ApiCallContext {
  readonly random: SeededRandom;
  readonly surface: Surface;
  readonly metrics: SessionMetrics | null;
  readonly plan: SessionPlan;
  readonly model: DemoModel;
  readonly permissionMode: string;
  readonly emitsAssistantResponse: boolean;
  private readonly sessionId: string;
  private readonly prefix: string;
  private readonly common: EventAttributes;
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

    const common = sessionAttributes(org, person, this.surface, this.sessionId);
    this.common = common;
    // Metric points carry the same identity attributes as events, minus the event-only ones (§1.4).
    this.metrics = this.surface === 'claude_code' ? new SessionMetrics(common as MetricAttributes) : null;
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

  apiCall(options: ApiCallOptions): string | null {
    return runApiCall(this, options);
  }

  nextApiCallIndex(): number {
    return this.apiCalls++;
  }

  addCost(cost: number): void {
    this.totalCost += cost;
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
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
