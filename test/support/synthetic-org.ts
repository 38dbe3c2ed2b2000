/**
 * A synthetic organisation for the dashboard benchmark (bench/analytics.bench.ts) and the tier tests: people in departments and teams
 * over a span of days, producing stored events exactly as ingest would (value arrays in EVENT_COLUMNS order with
 * the dedupe key ingest computes), the sessions and people they reference, and Claude Code metric points.
 *
 * Shapes follow the demo generator (src/cli/demo/, itself built from the observed clients): per session a few
 * prompts, each a prompt event then model ↔ tool rounds (api_request + assistant_response, tool_decision +
 * tool_result), subagents that make their own API requests and end with subagent_completed, skills, MCP tool
 * calls named in full (tool details on), plugin loads and MCP connections at start-up, compactions and API errors.
 * Content capture is `full` for prompts and responses so thread search by content has text to match.
 *
 * Deterministic for a seed. Generation is day by day (`days()`), each day's events in time order, so loading it is
 * shaped like live ingest. Volume is set by `scale` (expected sessions per active person-day are multiplied by it).
 */
import { hashString } from '../../src/cli/demo/seeded-random.js';
import {
  CLAUDE_CODE_MCP_SERVERS,
  COWORK_CONNECTORS,
  DEPARTMENT_PROFILES,
  DEPARTMENTS,
  FIRST_NAMES,
  LAST_NAMES,
  MODEL_MIX,
  SKILLS,
  TOOL_MIX,
  type DemoModel,
  type DemoTool,
  type Department,
  type Surface,
} from '../../src/cli/demo/demo-catalog.js';
import { costUsd, costUsdMicros } from '../../src/cli/demo/model-prices.js';
import type { EventValues } from '../../src/contracts/event-columns.js';
import { timedDedupeKey } from '../../src/ingest/normalise/dedupe-key.js';
import type { MetricPointsTable, PeopleTable, SessionsTable } from '../../src/store/database.js';

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface BenchPerson {
  id: string;
  email: string;
  department: Department;
  team: string;
  costCenter: string;
  surfaces: readonly (readonly [Surface, number])[];
  /** Hours east of UTC: people work 9:00–18:00 local. */
  tz: number;
  /** First day (index) the person uses Claude at all: adoption grows over the span. */
  startDay: number;
  /** Probability of being active on a workday once started. */
  activity: number;
  sessionsPerDay: number;
  models: Record<Surface, readonly (readonly [DemoModel, number])[]>;
  mcpServers: readonly string[];
  connectors: readonly string[];
  plugins: readonly string[];
  workspacePaths: readonly string[];
  /** Filled by whoever stores the generated days (from the sessions actually kept). */
  firstSeen: number;
  lastSeen: number;
}

export type MetricPointRow = Omit<MetricPointsTable, 'id'>;

export interface DayBatch {
  day: number;
  events: EventValues[];
  sessions: SessionsTable[];
  metrics: MetricPointRow[];
}

const PLUGINS = ['commit-commands', 'pr-review-toolkit', 'security-guidance', 'feature-dev', 'code-review'];
const TZ = [-8, -7, -5, -5, -4, 0, 0, 1, 1, 1, 2, 5.5, 8, 9];
const REPOS = ['api', 'web', 'billing', 'infra', 'mobile-app', 'data-pipeline', 'auth', 'search', 'notifications'];

const PROMPTS_CODE = [
  'fix the flaky test in the {r} service',
  'refactor the {r} module to remove the duplicated retry logic',
  'why does the build fail on CI for {r}',
  'add pagination to the {r} list endpoint',
  'write unit tests for the {r} parser',
  'explain how authentication works in {r}',
  'upgrade the {r} dependencies and fix the type errors',
  'investigate the memory leak reported in {r}',
  'add structured logging to {r}',
  'review my pull request for {r} and suggest improvements',
];
const PROMPTS_WORK: Record<Department, readonly string[]> = {
  finance: [
    'reconcile the vendor invoice totals with the ledger export',
    'summarise the variance between forecast and actuals',
    'draft the month-end close checklist',
  ],
  legal: [
    'compare these two contract versions and list the changes',
    'summarise the data processing agreement obligations',
    'draft a reply about the indemnity clause',
  ],
  operations: [
    'draft a reply to the vendor about the late invoice',
    'turn these notes into a runbook',
    'summarise open procurement requests',
  ],
  marketing: [
    'write three subject lines for the launch email',
    'summarise the campaign performance report',
    'draft a blog post outline about the new feature',
  ],
  engineering: [
    'summarise the incident postmortem',
    'draft the design doc for the queue migration',
    'turn these meeting notes into action items',
  ],
  sales: [
    'prepare a briefing on the account before the renewal call',
    'draft a follow-up email after the demo',
    'summarise the pricing objections from last quarter',
  ],
  hr: [
    'draft the job description for a senior analyst',
    'summarise the engagement survey comments',
    'rewrite the onboarding checklist',
  ],
};

const REJECT: Record<DemoTool, number> = {
  Bash: 0.07,
  Write: 0.04,
  Edit: 0.02,
  WebFetch: 0.06,
  mcp_tool: 0.05,
  Read: 0.01,
  Grep: 0.005,
  Agent: 0.01,
};
const FAIL: Record<DemoTool, number> = {
  Bash: 0.12,
  Write: 0.02,
  Edit: 0.06,
  WebFetch: 0.08,
  mcp_tool: 0.05,
  Read: 0.03,
  Grep: 0.01,
  Agent: 0.02,
};
const ACCEPT_SOURCES = [
  ['config', 70],
  ['user_temporary', 15],
  ['user_permanent', 10],
  ['hook', 5],
] as const;
const REJECT_SOURCES = [
  ['config', 50],
  ['hook', 30],
  ['user_reject', 20],
] as const;

const HEX = '0123456789abcdef';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * sfc32 (128-bit state): the demo's 32-bit-state generator would revisit its own stream across the hundreds of
 * millions of draws a 10M-event organisation takes, repeating ids and whole days.
 */
export class BenchRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(label: string) {
    this.a = hashString(`a/${label}`);
    this.b = hashString(`b/${label}`);
    this.c = hashString(`c/${label}`);
    this.d = hashString(`d/${label}`);
    for (let i = 0; i < 12; i++) this.u32();
  }

  fork(label: string | number): BenchRandom {
    return new BenchRandom(`${this.u32()}/${label}`);
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.u32() / 4_294_967_296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let roll = this.next() * total;
    for (const [v, w] of entries) {
      roll -= w;
      if (roll < 0) return v;
    }
    return (entries[entries.length - 1] as readonly [T, number])[0];
  }

  logNormal(median: number, spread: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return median * Math.exp(spread * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }

  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count++;
      product *= this.next();
    }
    return count;
  }

  base62(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += BASE62[Math.floor(this.next() * 62)];
    return out;
  }

  uuid(): string {
    let h = '';
    for (let i = 0; i < 4; i++) h += this.u32().toString(16).padStart(8, '0');
    const variant = HEX[(parseInt(h[16] ?? '0', 16) & 0x3) | 0x8] ?? '8';
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
  }
}

/** A deterministic id that looks like the resolver's (a UUID). */
function uuidOf(random: BenchRandom): string {
  return random.uuid();
}

export function makePeople(count: number, days: number, seed: number): BenchPerson[] {
  const root = new BenchRandom(`${seed}/people`);
  const weights = DEPARTMENTS.map((d) => [d, DEPARTMENT_PROFILES[d].headcount] as const);
  const out: BenchPerson[] = [];
  for (let i = 0; i < count; i++) {
    const r = root.fork(i);
    const department = r.weighted(weights);
    const profile = DEPARTMENT_PROFILES[department];
    const teamIndex = r.int(0, profile.teams.length - 1);
    const team = profile.teams[teamIndex] as string;
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const code = r.chance(profile.claudeCodeAdoption);
    const cowork = r.chance(profile.coworkAdoption) || !code;
    const surfaces: [Surface, number][] = [];
    if (code) surfaces.push(['claude_code', cowork ? 3 : 1]);
    if (cowork) surfaces.push(['cowork', 1]);
    const tilt = (mix: readonly (readonly [DemoModel, number])[]) =>
      mix.map(([m, w]) => [m, w * r.logNormal(1, 0.5)] as const);
    const mcpPool = Object.keys(CLAUDE_CODE_MCP_SERVERS);
    const connectorPool = Object.keys(COWORK_CONNECTORS);
    // 60% use Claude from the first day; the rest start over the span (new and returning people, growth).
    const startDay = r.chance(0.6) ? 0 : r.int(1, Math.max(1, days - 1));
    out.push({
      id: uuidOf(r),
      email: `${first}.${last}.${i}@bench.example`,
      department,
      team,
      costCenter: `${profile.costCentrePrefix}-${String(teamIndex + 1).padStart(3, '0')}`,
      surfaces,
      tz: r.pick(TZ),
      startDay,
      activity: Math.min(0.97, 0.45 + r.next() * 0.5),
      sessionsPerDay: profile.sessionsPerWorkday * r.logNormal(1, 0.35),
      models: { claude_code: tilt(MODEL_MIX.claude_code), cowork: tilt(MODEL_MIX.cowork) },
      mcpServers: code ? sample(r, mcpPool, r.int(0, 3)) : [],
      connectors: cowork ? sample(r, connectorPool, r.int(0, 3)) : [],
      plugins: code && r.chance(0.3) ? sample(r, PLUGINS, r.int(1, 2)) : [],
      workspacePaths: cowork ? workspaceFor(first, last, department, r) : [],
      firstSeen: Number.POSITIVE_INFINITY,
      lastSeen: 0,
    });
  }
  return out;
}

function sample<T>(r: BenchRandom, pool: readonly T[], n: number): T[] {
  const left = [...pool];
  const out: T[] = [];
  while (out.length < n && left.length > 0) out.push(left.splice(r.int(0, left.length - 1), 1)[0] as T);
  return out;
}

function workspaceFor(first: string, last: string, department: Department, r: BenchRandom): string[] {
  const base = `/Users/${first}.${last}/Documents/${department}`;
  return r.chance(0.3) ? [`${base}/Shared`, `${base}/Projects`] : [`${base}/Shared`];
}

/** People rows as the resolver would have written them (email alias → display name), first/last seen filled. */
export function peopleRows(people: readonly BenchPerson[]): PeopleTable[] {
  return people
    .filter((p) => p.lastSeen > 0)
    .map((p) => ({
      id: p.id,
      org_id: 'default',
      display_name: p.email,
      email: p.email,
      department: p.department,
      team: p.team,
      cost_center: p.costCenter,
      manager: null,
      is_demo: 0,
      first_seen: p.firstSeen,
      last_seen: p.lastSeen,
      merged_into: null,
    }));
}

/** Events of one session, built as stored rows; `t` is the session's clock. */
class SessionWriter {
  t: number;
  seq = 0;
  promptId: string | null = null;
  readonly s: SessionsTable;
  readonly out: EventValues[];
  readonly iso: (t: number) => string;

  constructor(
    readonly r: BenchRandom,
    readonly person: BenchPerson,
    readonly surface: Surface,
    readonly model: DemoModel,
    readonly id: string,
    start: number,
    readonly notAfter: number,
    out: EventValues[],
  ) {
    this.t = start;
    this.out = out;
    this.iso = (t) => new Date(t).toISOString();
    this.s = {
      id,
      org_id: 'default',
      person_id: person.id,
      surface,
      service_name: surface === 'cowork' ? 'cowork' : 'claude-code',
      app_version: surface === 'cowork' ? '1.22209.3' : '2.1.329',
      entrypoint: surface === 'cowork' ? 'claude-desktop' : 'cli',
      terminal_type: surface === 'cowork' ? 'non-interactive' : 'vscode',
      os_type: 'darwin',
      host_arch: 'arm64',
      department: person.department,
      team: person.team,
      workspace_paths:
        surface === 'cowork' && person.workspacePaths.length ? JSON.stringify(person.workspacePaths) : null,
      first_seen: start,
      last_seen: start,
      event_count: 0,
      prompt_count: 0,
      api_request_count: 0,
      tool_call_count: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_micros: 0,
    };
  }

  advance(ms: number): void {
    this.t += Math.max(1, Math.round(ms));
  }

  /** Appends one stored event; `c` holds the kind-specific columns. */
  emit(
    name: string,
    kind: string,
    c: {
      agent?: string | null;
      skill?: string | null;
      plugin?: string | null;
      model?: string | null;
      tool?: string | null;
      toolUseId?: string | null;
      mcpServer?: string | null;
      mcpTool?: string | null;
      decision?: string | null;
      decisionSource?: string | null;
      success?: number | null;
      tokens?: readonly [number, number, number, number, number] | null;
      duration?: number | null;
      requestId?: string | null;
      content?: string | null;
      attrs: string;
    },
  ): void {
    const seq = this.seq++;
    const time = this.t;
    if (time >= this.notAfter) return;
    const tk = c.tokens ?? null;
    const prefix = this.surface === 'cowork' ? 'claude_cowork' : 'claude_code';
    this.out.push([
      timedDedupeKey(time, ['ev', this.surface, this.id, seq, name]),
      time,
      'default',
      'otlp',
      this.surface,
      kind,
      name,
      this.person.id,
      this.id,
      this.promptId,
      seq,
      c.agent ?? null,
      null,
      c.skill ?? null,
      c.plugin ?? null,
      c.model ?? null,
      c.tool ?? null,
      c.toolUseId ?? null,
      c.mcpServer ?? null,
      c.mcpTool ?? null,
      c.decision ?? null,
      c.decisionSource ?? null,
      c.success ?? null,
      tk ? tk[0] : null,
      tk ? tk[1] : null,
      tk ? tk[2] : null,
      tk ? tk[3] : null,
      tk ? tk[4] : null,
      c.duration ?? null,
      c.requestId ?? null,
      this.person.department,
      this.person.team,
      c.content ?? null,
      `{"event.timestamp":"${this.iso(time)}","body":"${prefix}.${name}",${c.attrs}}`,
    ]);
    const s = this.s;
    if (s.event_count === 0) s.first_seen = time;
    s.event_count++;
    s.last_seen = time;
    if (kind === 'prompt') s.prompt_count++;
    if (kind === 'tool_result') s.tool_call_count++;
    if (kind === 'api_request' && tk) {
      s.api_request_count++;
      s.input_tokens += tk[0];
      s.output_tokens += tk[1];
      s.cache_read_tokens += tk[2];
      s.cache_write_tokens += tk[3];
      s.cost_micros += tk[4];
    }
  }
}

export interface GenerateOptions {
  people: BenchPerson[];
  /** UTC midnight of the first day. */
  start: number;
  days: number;
  /** Nothing is generated at or after this time (the "now" of the data). */
  notAfter: number;
  scale: number;
  seed: number;
  /** Only the days (indexes) this accepts are generated — for sampling. */
  only?: (day: number) => boolean;
}

/** Generates the organisation's activity day by day. */
export function* days(o: GenerateOptions): Generator<DayBatch> {
  for (let d = 0; d < o.days; d++) {
    const dayStart = o.start + d * DAY_MS;
    if (dayStart >= o.notAfter) return;
    if (o.only && !o.only(d)) continue;
    yield day(o, d, dayStart);
  }
}

function day(o: GenerateOptions, d: number, dayStart: number): DayBatch {
  const r = new BenchRandom(`${o.seed}/day/${d}`);
  const weekday = new Date(dayStart).getUTCDay();
  const workday = weekday !== 0 && weekday !== 6;
  const events: EventValues[] = [];
  const sessions: SessionsTable[] = [];
  const metrics: MetricPointRow[] = [];
  for (const person of o.people) {
    if (d < person.startDay) continue;
    if (!r.chance(workday ? person.activity : 0.06)) continue;
    const n = r.poisson(person.sessionsPerDay * o.scale);
    for (let i = 0; i < n; i++) {
      const surface = r.weighted(person.surfaces);
      const localStart = 9 * HOUR_MS + r.next() * 8.5 * HOUR_MS;
      const start = Math.round(dayStart + localStart - person.tz * HOUR_MS);
      // Events at or after notAfter are dropped as they are emitted, never skipped before the random stream is
      // drawn: a day regenerated with an earlier notAfter is then exactly a prefix of the same day.
      const before = events.length;
      const session = runSession(r, person, surface, start, o.notAfter, events, metrics);
      if (events.length > before) sessions.push(session);
    }
  }
  events.sort((a, b) => (a[1] as number) - (b[1] as number));
  metrics.sort((a, b) => a.time - b.time);
  return { day: dayStart, events, sessions, metrics };
}

function runSession(
  r: BenchRandom,
  person: BenchPerson,
  surface: Surface,
  start: number,
  notAfter: number,
  out: EventValues[],
  metrics: MetricPointRow[],
): SessionsTable {
  const code = surface === 'claude_code';
  const model = r.weighted(person.models[surface]);
  const w = new SessionWriter(r, person, surface, model, r.uuid(), start, notAfter, out);
  let cliMs = 0;
  let userMs = 0;
  const lines = new Map<string, [number, number]>();
  let commits = 0;
  if (code) {
    w.emit('managed_settings_resolved', 'settings', {
      attrs: '"managed_settings.trigger":"startup","managed_settings.source_behavior":"first-wins"',
    });
    for (const plugin of person.plugins) {
      w.advance(r.int(2, 30));
      w.emit('plugin_loaded', 'plugin', { plugin, attrs: '"plugin.version":"1.4.0","plugin.scope":"user"' });
    }
    for (const server of person.mcpServers) connect(w, r, server, r.chance(0.4) ? 'http' : 'stdio');
  }
  const prompts = 1 + Math.min(code ? 13 : 7, r.poisson(code ? 3.5 : 2));
  for (let p = 0; p < prompts; p++) {
    w.advance(p === 0 ? r.int(3_000, 30_000) : Math.min(1_200_000, r.logNormal(90_000, 1)));
    w.promptId = r.uuid();
    const text = promptText(r, person, surface);
    userMs += text.length * 160;
    w.emit('user_prompt', 'prompt', { content: text, attrs: `"prompt_length":"${text.length}"` });
    if (!code && p === 0) for (const c of person.connectors) connect(w, r, c, 'http');
    if (r.chance(code ? 0.05 : 0.12)) {
      w.advance(r.int(5, 40));
      const skill = r.pick(SKILLS[surface]);
      w.emit('skill_activated', 'skill_activated', { skill, attrs: '"invocation_trigger":"claude-proactive"' });
      // The model then calls the Skill tool; its parameters name the skill (lifted into the skill column).
      const toolUseId = `toolu_01${r.base62(22)}`;
      const cols = { tool: 'Skill', skill, toolUseId, attrs: '"tool_source":"builtin"' };
      w.advance(r.int(3, 30));
      w.emit('tool_decision', 'tool_decision', { ...cols, decision: 'accept', decisionSource: 'config' });
      w.advance(r.int(20, 400));
      w.emit('tool_result', 'tool_result', { ...cols, success: 1, duration: r.int(20, 400) });
    }
    if (r.chance(0.01)) {
      w.advance(r.int(2_000, 20_000));
      w.emit('compaction', 'compaction', { attrs: '"trigger":"auto","pre_tokens":151000' });
    }
    const rounds = Math.min(12, r.poisson(code ? 2.5 : 1.5));
    for (let round = 0; round <= rounds; round++) {
      const req = apiCall(w, r, model, null);
      if (req === null) break;
      cliMs += req.ms;
      if (round === rounds) break;
      const tools = r.weighted([
        [1, 70],
        [2, 22],
        [3, 8],
      ] as const);
      for (let i = 0; i < tools; i++) {
        const used = toolUse(w, r, person, surface, model, req.id);
        cliMs += used.ms;
        userMs += used.userMs;
        if (used.lines) {
          const l = lines.get(model) ?? [0, 0];
          l[0] += used.lines[0];
          l[1] += used.lines[1];
          lines.set(model, l);
        }
        if (used.commit) commits++;
      }
    }
  }
  if (code && w.s.event_count > 0 && w.t < notAfter) {
    const point = (name: string, value: number, type: string | null, m: string | null, unit: string) =>
      metrics.push({
        dedupe_key: timedDedupeKey(w.t, ['mp', w.id, name, type, m]),
        time: w.t,
        org_id: 'default',
        name,
        unit,
        surface,
        person_id: person.id,
        session_id: w.id,
        model: m,
        type,
        value,
        department: person.department,
        team: person.team,
        attrs: '{}',
      });
    point('claude_code.active_time.total', Math.round(userMs) / 1000, 'user', null, 's');
    point('claude_code.active_time.total', Math.round(cliMs) / 1000, 'cli', null, 's');
    for (const [m, [added, removed]] of lines) {
      if (added) point('claude_code.lines_of_code.count', added, 'added', m, '');
      if (removed) point('claude_code.lines_of_code.count', removed, 'removed', m, '');
    }
    if (commits) point('claude_code.commit.count', commits, null, null, '');
  }
  return w.s;
}

function promptText(r: BenchRandom, person: BenchPerson, surface: Surface): string {
  if (surface === 'claude_code') return r.pick(PROMPTS_CODE).replace('{r}', r.pick(REPOS));
  return r.pick(PROMPTS_WORK[person.department]);
}

function connect(w: SessionWriter, r: BenchRandom, server: string, transport: string): void {
  const ms = Math.round(r.logNormal(350, 0.6));
  w.advance(ms);
  w.emit('mcp_server_connection', 'mcp_connection', {
    mcpServer: server,
    duration: ms,
    attrs: `"status":"connected","transport_type":"${transport}","server_scope":"dynamic","is_plugin":false`,
  });
}

function apiCall(
  w: SessionWriter,
  r: BenchRandom,
  mainModel: DemoModel,
  agent: string | null,
): { id: string; ms: number } | null {
  const model: DemoModel = agent !== null && r.chance(0.5) ? 'claude-haiku-4-5' : mainModel;
  const id = `req_011C${r.base62(20)}`;
  const source = agent === null ? 'sdk' : `agent:builtin:${agent}`;
  if (r.chance(0.012)) {
    const ms = Math.round(r.logNormal(8_000, 0.8));
    w.advance(ms);
    w.emit('api_error', 'api_error', {
      agent,
      model,
      duration: ms,
      requestId: id,
      success: null,
      attrs: `"error":"Overloaded","status_code":529,"attempt":${r.int(2, 11)},"query_source":"${source}"`,
    });
    return null;
  }
  const input = Math.round(r.logNormal(agent === null ? 400 : 200, 1));
  const output = Math.round(r.logNormal(agent === null ? 600 : 300, 0.8));
  const cacheRead = Math.round(r.logNormal(agent === null ? 40_000 : 12_000, 0.6));
  const cacheWrite = r.chance(0.3) ? Math.round(r.logNormal(3_000, 0.8)) : 0;
  const cost = costUsd(model, { input, output, cacheRead, cacheCreation5m: cacheWrite, cacheCreation1h: 0 });
  const ttft = Math.round(r.logNormal(1_100, 0.4));
  const ms = Math.round(ttft + output * 12 * r.logNormal(1, 0.2));
  w.advance(ms);
  w.emit('api_request', 'api_request', {
    agent,
    model,
    tokens: [input, output, cacheRead, cacheWrite, costUsdMicros(cost)],
    duration: ms,
    requestId: id,
    attrs: `"ttft_ms":${ttft},"speed":"normal","query_source":"${source}","effort":"medium","cache_creation_5m_tokens":${cacheWrite}`,
  });
  if (agent === null) {
    w.advance(r.int(1, 4));
    w.emit('assistant_response', 'response', {
      model,
      requestId: id,
      content: r.chance(0.5) ? 'Done. I made the change and the tests pass.' : 'Here is a summary of what I found.',
      attrs: `"response_length":"${output * 3}","query_source":"sdk"`,
    });
  }
  return { id, ms };
}

function toolUse(
  w: SessionWriter,
  r: BenchRandom,
  person: BenchPerson,
  surface: Surface,
  model: DemoModel,
  requestId: string,
): { ms: number; userMs: number; lines: [number, number] | null; commit: boolean } {
  let tool = r.weighted(TOOL_MIX[surface]);
  const servers = surface === 'claude_code' ? person.mcpServers : person.connectors;
  if (tool === 'mcp_tool' && servers.length === 0) tool = 'Read';
  const catalog = surface === 'claude_code' ? CLAUDE_CODE_MCP_SERVERS : COWORK_CONNECTORS;
  const mcpServer = tool === 'mcp_tool' ? r.pick(servers) : null;
  const mcpTool = mcpServer ? r.pick(catalog[mcpServer] ?? ['call']) : null;
  const toolUseId = `toolu_01${r.base62(22)}`;
  const rejected = r.chance(REJECT[tool]);
  const source = r.weighted(rejected ? REJECT_SOURCES : ACCEPT_SOURCES);
  const userDecision = source.startsWith('user_');
  const decisionMs = userDecision ? r.logNormal(4_000, 0.7) : r.int(3, 40);
  w.advance(decisionMs);
  const cols = { tool, toolUseId, mcpServer, mcpTool, requestId };
  w.emit('tool_decision', 'tool_decision', {
    ...cols,
    decision: rejected ? 'reject' : 'accept',
    decisionSource: source,
    attrs: `"tool_source":"${mcpServer ? 'mcp' : 'builtin'}","permission_mode":"default"`,
  });
  const userMs = userDecision ? decisionMs : 0;
  if (rejected) return { ms: 0, userMs, lines: null, commit: false };
  const started = w.t;
  let agent: string | null = null;
  if (tool === 'Agent') {
    agent = r.weighted([
      ['general-purpose', 6],
      ['Explore', 4],
    ] as const);
    const calls = r.int(1, 4);
    for (let i = 0; i < calls; i++) {
      if (!apiCall(w, r, model, agent)) continue;
      // Subagents use tools too: their results carry the agent.
      if (r.chance(0.6)) {
        const sub = r.pick(['Read', 'Grep', 'Bash'] as const);
        const ms = duration(r, sub);
        w.advance(ms);
        w.emit('tool_result', 'tool_result', {
          agent,
          tool: sub,
          toolUseId: `toolu_01${r.base62(22)}`,
          success: r.chance(FAIL[sub]) ? 0 : 1,
          duration: ms,
          attrs: `"tool_input_size_bytes":"${r.int(50, 900)}","tool_result_size_bytes":"${r.int(100, 9000)}"`,
        });
      }
    }
    w.advance(r.int(2, 20));
    w.emit('subagent_completed', 'subagent', {
      agent,
      model,
      duration: w.t - started,
      attrs: `"agent.source":"built-in","is_built_in":true,"total_tokens":${r.int(800, 9000)}`,
    });
  }
  w.advance(duration(r, tool));
  const ms = w.t - started;
  const success = !r.chance(FAIL[tool]);
  w.emit('tool_result', 'tool_result', {
    ...cols,
    success: success ? 1 : 0,
    duration: ms,
    attrs:
      `"tool_input_size_bytes":"${r.int(50, 900)}","tool_result_size_bytes":"${r.int(100, 9000)}"` +
      (success ? '' : ',"error":"Command failed with exit code 1"'),
  });
  let lines: [number, number] | null = null;
  if (success && (tool === 'Edit' || tool === 'Write')) {
    lines = [
      Math.round(r.logNormal(tool === 'Write' ? 60 : 12, 0.9)),
      tool === 'Edit' ? Math.round(r.logNormal(5, 1)) : 0,
    ];
  }
  return { ms, userMs, lines, commit: tool === 'Bash' && success && r.chance(0.06) };
}

function duration(r: BenchRandom, tool: DemoTool): number {
  switch (tool) {
    case 'Bash':
      return r.logNormal(1_800, 1.2);
    case 'WebFetch':
      return r.logNormal(1_500, 0.6);
    case 'mcp_tool':
      return r.logNormal(900, 0.7);
    case 'Grep':
      return r.int(20, 300);
    case 'Agent':
      return r.int(5, 50);
    default:
      return r.int(5, 80);
  }
}
