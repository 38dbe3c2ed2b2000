import { COL, type EventValues } from '../contracts/event-columns.js';
import { DAY_MS, ROLLUP_DIMENSIONS, type RollupRow } from '../contracts/rollup-columns.js';
import { addToPrompt, emptyPrompt, type PromptPart } from './prompt-fold.js';
import {
  addEvent,
  addMetricPoint,
  dayOf,
  newIncrements,
  type MetricPointInput,
  type RollupIncrements,
} from './rollup-aggregate.js';

/**
 * Folds stored events and metric points into the increments of the derived tiers (migration 0005). Pure and
 * order-independent like the rollup aggregation it builds on: the refresher folds what it reads past its cursor
 * and adds the result to the stored tiers; a report folds the few rows past the cursor and adds them to what it
 * read. Keys are per UTC day; the store spreads a day's increment over the blocks of every span containing it.
 */

/** Dimensions projected one at a time; '' is the session-level base (person, team, department, surface). */
export const TIER_DIMS = ['', 'model', 'agent', 'workflow', 'skill', 'plugin', 'mcp_server'] as const;
export type TierDim = (typeof TIER_DIMS)[number];

export interface DimPair {
  org_id: string;
  day: number;
  dim: string;
  value: string;
  person_id: string;
  team: string;
  department: string;
  surface: string;
  first_hour: number;
  last_hour: number;
  calls: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_micros: number;
}

export const TOOL_KEY = ['kind', 'tool', 'mcp_server', 'mcp_tool', 'skill', 'plugin', 'agent'] as const;
export type ToolKeyColumn = (typeof TOOL_KEY)[number];
export type ToolKeyValues = Record<ToolKeyColumn, string>;

export interface ToolUse extends ToolKeyValues {
  org_id: string;
  day: number;
  detail: string;
  person_id: string;
  team: string;
  department: string;
  calls: number;
  errors: number;
  first_time: number;
  last_time: number;
}

/** Per tool key (no person): calls, failures, who and the latency histogram (bucket → count). */
export interface ToolKeyUse extends ToolKeyValues {
  org_id: string;
  day: number;
  calls: number;
  errors: number;
  /** Calls by no known person (the graph links them to no one). */
  anonymous_calls: number;
  last_time: number;
  people: Set<string>;
  latency: Map<number, number>;
}

/**
 * A person's edges in the access graph for one day (analytics/graph-fast.ts): to models, agents, skills and plugins
 * (from the rollups: calls, last hour) and to tools (from tool results: calls, last time), with the calls those
 * edges add to the person's node.
 */
export interface PersonEdges {
  org_id: string;
  day: number;
  person_id: string;
  team: string;
  department: string;
  graph_calls: number;
  /** Edge key → [calls, last]: `d␂<dim>␂<value>` or `t␂<agent>␂<tool>␂<mcp_server>␂<mcp_tool>`. */
  edges: Map<string, [number, number]>;
}

/** A value of a dimension over one day: first/last rollup hour, activity, and each known person's activity. */
export interface ValueUse {
  org_id: string;
  day: number;
  dim: string;
  value: string;
  first_hour: number;
  last_hour: number;
  calls: number;
  people: Map<string, number>;
}

/** Dimensions with value tiers (discovery's items, the graph's value nodes). */
export const VALUE_DIMS = new Set(['model', 'agent', 'skill', 'plugin', 'mcp_server', 'department']);

/** The rollup dimensions the access graph links people to. */
export const GRAPH_DIMS = ['model', 'agent', 'skill', 'plugin'] as const;
export const EDGE_SEP = '\u0002';

/** Kinds the tool tiers keep: what tool visibility reads, plus MCP connections (for transports). */
export const TOOL_TIER_KINDS = new Set(['tool_result', 'skill_activated', 'plugin', 'subagent', 'mcp_connection']);
/** Tool visibility's kinds: they also fold per tool key (calls, people, latency). */
export const VISIBILITY_KINDS = new Set(['tool_result', 'skill_activated', 'plugin', 'subagent']);

/**
 * Latency bucket of a duration: whole milliseconds below 100 ms, then two significant digits (1,234 ms → 1,200;
 * 45,678 → 46,000): at most 5% off, and a window's histogram stays a few hundred buckets per tool.
 */
export function latencyBucket(durationMs: number): number {
  if (durationMs < 99.5) return Math.round(durationMs);
  // Rounded once, from the value itself: rounding to whole milliseconds first and then to two significant digits
  // moved 104.5 to 110 (5.3% off; found by the property test below 5%).
  const step = 10 ** (Math.floor(Math.log10(durationMs)) - 1);
  return Math.round(durationMs / step) * step;
}

const SEP = '\u0001';
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

export class DerivedFold {
  readonly dims = new Map<string, DimPair>();
  readonly uses = new Map<string, ToolUse>();
  readonly keys = new Map<string, ToolKeyUse>();
  readonly personEdges = new Map<string, PersonEdges>();
  private readonly valueUses = new Map<string, ValueUse>();
  readonly prompts = new Map<string, PromptPart>();
  private readonly rollups: RollupIncrements = newIncrements();
  private projected = false;

  /** Adds one stored event (a value array in EVENT_COLUMNS order; `attrs` needed only for MCP connections). */
  addEvent(row: EventValues): void {
    addEvent(this.rollups, row);
    const kind = row[COL.kind] as string;
    const time = row[COL.time] as number;
    if (TOOL_TIER_KINDS.has(kind)) this.addToolUse(row, kind, time);
    const promptId = row[COL.prompt_id];
    if (typeof promptId === 'string') this.addPromptEvent(row, promptId, kind, time);
  }

  addMetricPoint(p: MetricPointInput): void {
    addMetricPoint(this.rollups, p);
  }

  /** Values of the value dimensions, per day (projected with `dimPairs`). */
  values(): Map<string, ValueUse> {
    this.dimPairs();
    return this.valueUses;
  }

  /** People's access-graph edges (the rollup part is projected with `dimPairs`). */
  graphEdges(): Map<string, PersonEdges> {
    this.dimPairs();
    return this.personEdges;
  }

  /** The rollup increments projected on each tier dimension (computed once, after the last add). */
  dimPairs(): Map<string, DimPair> {
    if (this.projected) return this.dims;
    this.projected = true;
    for (const r of this.rollups.rows.values()) this.projectRow(r);
    for (const sh of this.rollups.sessionHours.values()) {
      this.pair(sh.org_id, sh.hour, '', '', sh.person_id, sh.team, sh.department, sh.surface, null);
    }
    for (const p of this.dims.values()) {
      const dim = p.dim === '' ? 'department' : p.dim;
      const value = p.dim === '' ? p.department : p.value;
      if (value === '' || !VALUE_DIMS.has(dim)) continue;
      const key = p.org_id + SEP + p.day + SEP + dim + SEP + value;
      let v = this.valueUses.get(key);
      if (!v) {
        v = {
          org_id: p.org_id,
          day: p.day,
          dim,
          value,
          first_hour: p.first_hour,
          last_hour: p.last_hour,
          calls: 0,
          people: new Map(),
        };
        this.valueUses.set(key, v);
      }
      v.first_hour = Math.min(v.first_hour, p.first_hour);
      v.last_hour = Math.max(v.last_hour, p.last_hour);
      v.calls += p.calls;
      if (p.person_id !== '') v.people.set(p.person_id, (v.people.get(p.person_id) ?? 0) + p.calls);
    }
    return this.dims;
  }

  private projectRow(r: RollupRow): void {
    this.pair(r.org_id, r.hour, '', '', r.person_id, r.team, r.department, r.surface, r);
    if (r.person_id !== '') {
      const calls = r.requests + r.tool_calls + r.prompts;
      let e: PersonEdges | null = null;
      for (const dim of GRAPH_DIMS) {
        const value = r[dim];
        if (value === '') continue;
        e ??= this.edgesOf(r.org_id, dayOf(r.hour), r.person_id, r.team, r.department);
        addEdge(e, 'd' + EDGE_SEP + dim + EDGE_SEP + value, calls, r.hour);
        e.graph_calls += calls;
      }
    }
    for (const dim of ROLLUP_DIMENSIONS) {
      if (dim === 'person_id' || dim === 'team' || dim === 'department' || dim === 'surface') continue;
      const value = r[dim];
      if (value !== '') this.pair(r.org_id, r.hour, dim, value, r.person_id, r.team, r.department, r.surface, r);
    }
  }

  private pair(
    org: string,
    hour: number,
    dim: string,
    value: string,
    person: string,
    team: string,
    department: string,
    surface: string,
    r: RollupRow | null,
  ): void {
    const day = dayOf(hour);
    const key =
      org + SEP + day + SEP + dim + SEP + value + SEP + person + SEP + team + SEP + department + SEP + surface;
    let p = this.dims.get(key);
    if (!p) {
      p = {
        org_id: org,
        day,
        dim,
        value,
        person_id: person,
        team,
        department,
        surface,
        first_hour: hour,
        last_hour: hour,
        calls: 0,
        requests: 0,
        input_tokens: 0,
        output_tokens: 0,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        cost_micros: 0,
      };
      this.dims.set(key, p);
    } else {
      if (hour < p.first_hour) p.first_hour = hour;
      if (hour > p.last_hour) p.last_hour = hour;
    }
    if (!r) return;
    p.calls += r.requests + r.tool_calls + r.prompts;
    p.requests += r.requests;
    p.input_tokens += r.input_tokens;
    p.output_tokens += r.output_tokens;
    p.cache_read_tokens += r.cache_read_tokens;
    p.cache_write_tokens += r.cache_write_tokens;
    p.cost_micros += r.cost_micros;
  }

  private edgesOf(org: string, day: number, person: string, team: string, department: string): PersonEdges {
    const key = org + SEP + day + SEP + person + SEP + team + SEP + department;
    let e = this.personEdges.get(key);
    if (!e) {
      e = { org_id: org, day, person_id: person, team, department, graph_calls: 0, edges: new Map() };
      this.personEdges.set(key, e);
    }
    return e;
  }

  private addToolUse(row: EventValues, kind: string, time: number): void {
    const org = row[COL.org_id] as string;
    const day = Math.floor(time / DAY_MS) * DAY_MS;
    const k = toolKeyOf(row, kind);
    const detail = kind === 'mcp_connection' ? transportOf(row[COL.attrs]) : '';
    const person = s(row[COL.person_id]);
    const team = s(row[COL.team]);
    const department = s(row[COL.department]);
    const keyText = keyString(k);
    const key = org + SEP + day + SEP + keyText + SEP + detail + SEP + person + SEP + team + SEP + department;
    let u = this.uses.get(key);
    if (!u) {
      u = {
        org_id: org,
        day,
        ...k,
        detail,
        person_id: person,
        team,
        department,
        calls: 0,
        errors: 0,
        first_time: time,
        last_time: time,
      };
      this.uses.set(key, u);
    }
    u.calls += 1;
    if (row[COL.success] === 0) u.errors += 1;
    if (time < u.first_time) u.first_time = time;
    if (time > u.last_time) u.last_time = time;
    if (kind === 'tool_result' && k.tool !== '' && person !== '') {
      const e = this.edgesOf(org, day, person, team, department);
      const ek = 't' + EDGE_SEP + k.agent + EDGE_SEP + k.tool + EDGE_SEP + k.mcp_server + EDGE_SEP + k.mcp_tool;
      addEdge(e, ek, 1, time);
      if (k.agent === '') e.graph_calls += 1;
    }
    if (!VISIBILITY_KINDS.has(kind)) return;
    const kk = org + SEP + day + SEP + keyText;
    let ku = this.keys.get(kk);
    if (!ku) {
      ku = {
        org_id: org,
        day,
        ...k,
        calls: 0,
        errors: 0,
        anonymous_calls: 0,
        last_time: time,
        people: new Set(),
        latency: new Map(),
      };
      this.keys.set(kk, ku);
    }
    ku.calls += 1;
    if (person === '') ku.anonymous_calls += 1;
    if (time > ku.last_time) ku.last_time = time;
    if (row[COL.success] === 0) ku.errors += 1;
    if (person !== '') ku.people.add(person);
    const duration = row[COL.duration_ms];
    if (typeof duration === 'number') {
      const ms = latencyBucket(duration);
      ku.latency.set(ms, (ku.latency.get(ms) ?? 0) + 1);
    }
  }

  private addPromptEvent(row: EventValues, promptId: string, kind: string, time: number): void {
    const org = row[COL.org_id] as string;
    const key = org + SEP + promptId;
    let p = this.prompts.get(key);
    if (!p) {
      p = emptyPrompt(org, promptId, time);
      this.prompts.set(key, p);
    }
    addToPrompt(p, row, kind, time);
  }
}

export function addEdge(e: { edges: Map<string, [number, number]> }, key: string, calls: number, last: number): void {
  const x = e.edges.get(key);
  if (!x) e.edges.set(key, [calls, last]);
  else {
    x[0] += calls;
    if (last > x[1]) x[1] = last;
  }
}

export function toolKeyOf(row: EventValues, kind: string): ToolKeyValues {
  return {
    kind,
    tool: s(row[COL.tool]),
    mcp_server: s(row[COL.mcp_server]),
    mcp_tool: s(row[COL.mcp_tool]),
    skill: s(row[COL.skill]),
    plugin: s(row[COL.plugin]),
    agent: s(row[COL.agent]),
  };
}

export function keyString(k: ToolKeyValues): string {
  return k.kind + SEP + k.tool + SEP + k.mcp_server + SEP + k.mcp_tool + SEP + k.skill + SEP + k.plugin + SEP + k.agent;
}

/** `transport_type` of an MCP connection event's attributes (JSON text), '' when absent or unreadable. */
export function transportOf(attrs: unknown): string {
  if (typeof attrs !== 'string' || !attrs.includes('transport_type')) return '';
  try {
    const t = (JSON.parse(attrs) as Record<string, unknown>)['transport_type'];
    return typeof t === 'string' ? t : '';
  } catch {
    return '';
  }
}
