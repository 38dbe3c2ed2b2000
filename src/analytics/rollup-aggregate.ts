import { COL, type EventValues } from '../contracts/event-columns.js';
import { DAY_MS, HOUR_MS, ROLLUP_COUNTERS, type RollupCounter, type RollupRow } from '../contracts/rollup-columns.js';

/**
 * In-memory aggregation of newly stored events and metric points into hourly rollup increments. Pure: ingest
 * (inside the commit transaction) and `steward rollups rebuild` feed it the same rows, so a rebuild reproduces
 * exactly what ingest maintained. Every output is order-independent — counters add, and sessions/people are
 * distinct tuples — so it does not matter in which batches or order the events arrived.
 */
export interface SessionHour {
  org_id: string;
  hour: number;
  session_id: string;
  person_id: string;
  department: string;
  team: string;
  surface: string;
}

export interface PersonDay {
  org_id: string;
  day: number;
  person_id: string;
  department: string;
  team: string;
  surface: string;
}

export interface RollupIncrements {
  rows: Map<string, RollupRow>;
  sessionHours: Map<string, SessionHour>;
  personDays: Map<string, PersonDay>;
  /** The previous event's session-level key parts: consecutive events mostly share them, so the key is reused. */
  last: { row: EventValues | null; hour: number; prefix: string; session: string };
}

/** A metric point as the aggregation needs it (a stored `metric_points` row has these fields). */
export interface MetricPointInput {
  org_id: string;
  time: number;
  name: string;
  type: string | null;
  value: number;
  person_id: string | null;
  surface: string;
  model: string | null;
  department: string | null;
  team: string | null;
}

/**
 * Kinds that make a person "active" that day: they asked, or Claude worked for them. Start-up bookkeeping
 * (settings resolved, hooks and plugins loaded, auth) does not, or every machine that opens a terminal would count.
 */
const ENGAGED_KINDS = new Set([
  'prompt',
  'response',
  'api_request',
  'api_error',
  'tool_decision',
  'tool_result',
  'mcp_call',
  'skill_activated',
  'subagent',
]);

export function newIncrements(): RollupIncrements {
  return {
    rows: new Map(),
    sessionHours: new Map(),
    personDays: new Map(),
    last: { row: null, hour: NaN, prefix: '', session: '' },
  };
}

export const hourOf = (t: number): number => Math.floor(t / HOUR_MS) * HOUR_MS;
export const dayOf = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;

const SEP = '\u0001';
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

function rowFor(
  inc: RollupIncrements,
  org: string,
  hour: number,
  person: string,
  team: string,
  department: string,
  surface: string,
  model: string,
): RollupRow {
  const key =
    org + SEP + hour + SEP + person + SEP + team + SEP + department + SEP + surface + SEP + model + SEP.repeat(5);
  let r = inc.rows.get(key);
  if (!r) {
    r = newRow(org, hour, person, team, department, surface, model, '', '', '', '', '');
    inc.rows.set(key, r);
  }
  return r;
}

function newRow(
  org: string,
  hour: number,
  person: string,
  team: string,
  department: string,
  surface: string,
  model: string,
  agent: string,
  workflow: string,
  skill: string,
  plugin: string,
  mcpServer: string,
): RollupRow {
  return {
    org_id: org,
    hour,
    person_id: person,
    team,
    department,
    surface,
    model,
    agent,
    workflow,
    skill,
    plugin,
    mcp_server: mcpServer,
    ...ZERO,
  };
}

const ZERO = Object.fromEntries(ROLLUP_COUNTERS.map((c) => [c, 0])) as Record<RollupCounter, number>;

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** Adds one newly stored event (a value array in EVENT_COLUMNS order, person_id filled). */
export function addEvent(inc: RollupIncrements, row: EventValues): void {
  const kind = row[COL.kind] as string;
  const time = row[COL.time] as number;
  const org = row[COL.org_id] as string;
  const hour = hourOf(time);
  const person = s(row[COL.person_id]);
  const team = s(row[COL.team]);
  const department = s(row[COL.department]);
  const surface = s(row[COL.surface]);
  const sessionId = row[COL.session_id];
  // The session-level part of every key. This runs for every event on the ingest thread, and consecutive events
  // nearly always share it, so it is reused when nothing session-level changed since the previous event.
  const last = inc.last;
  const prev = last.row;
  let prefix: string;
  if (
    prev !== null &&
    last.hour === hour &&
    prev[COL.person_id] === row[COL.person_id] &&
    prev[COL.team] === row[COL.team] &&
    prev[COL.department] === row[COL.department] &&
    prev[COL.surface] === row[COL.surface] &&
    prev[COL.org_id] === org
  ) {
    prefix = last.prefix;
  } else {
    prefix = org + SEP + hour + SEP + person + SEP + team + SEP + department + SEP + surface;
    last.prefix = prefix;
    last.hour = hour;
    last.session = '';
  }
  last.row = row;
  if (typeof sessionId === 'string' && sessionId !== last.session) {
    last.session = sessionId;
    const k = prefix + SEP + sessionId;
    if (!inc.sessionHours.has(k)) {
      inc.sessionHours.set(k, {
        org_id: org,
        hour,
        session_id: sessionId,
        person_id: person,
        department,
        team,
        surface,
      });
    }
  }
  if (person !== '' && ENGAGED_KINDS.has(kind)) {
    const day = dayOf(time);
    const k = org + SEP + day + SEP + person + SEP + team + SEP + department + SEP + surface;
    if (!inc.personDays.has(k))
      inc.personDays.set(k, { org_id: org, day, person_id: person, department, team, surface });
  }
  if (
    kind !== 'api_request' &&
    kind !== 'api_error' &&
    kind !== 'prompt' &&
    kind !== 'tool_result' &&
    kind !== 'tool_decision'
  ) {
    return; // nothing to count: no empty rollup rows for hooks, settings, spans…
  }
  const model = s(row[COL.model]);
  const agent = s(row[COL.agent]);
  const workflow = s(row[COL.workflow]);
  const skill = s(row[COL.skill]);
  const plugin = s(row[COL.plugin]);
  const mcpServer = s(row[COL.mcp_server]);
  const key = prefix + SEP + model + SEP + agent + SEP + workflow + SEP + skill + SEP + plugin + SEP + mcpServer;
  let r = inc.rows.get(key);
  if (!r) {
    r = newRow(org, hour, person, team, department, surface, model, agent, workflow, skill, plugin, mcpServer);
    inc.rows.set(key, r);
  }
  switch (kind) {
    case 'api_request':
      r.requests += 1;
      r.input_tokens += num(row[COL.input_tokens]);
      r.output_tokens += num(row[COL.output_tokens]);
      r.cache_read_tokens += num(row[COL.cache_read_tokens]);
      r.cache_write_tokens += num(row[COL.cache_write_tokens]);
      r.cost_micros += num(row[COL.cost_micros]);
      break;
    case 'api_error':
      r.api_errors += 1;
      break;
    case 'prompt':
      r.prompts += 1;
      break;
    case 'tool_result':
      r.tool_calls += 1;
      if (row[COL.success] === 0) r.tool_errors += 1;
      break;
    case 'tool_decision':
      addDecision(r, row[COL.decision], row[COL.decision_source]);
      break;
  }
}

function addDecision(r: RollupRow, decision: unknown, source: unknown): void {
  const who = source === 'config' ? 'config' : source === 'hook' ? 'hook' : s(source).startsWith('user') ? 'user' : '';
  if (decision === 'accept') {
    r.decisions_accept += 1;
    if (who) r[`accept_${who}`] += 1;
  } else if (decision === 'reject') {
    r.decisions_reject += 1;
    if (who) r[`reject_${who}`] += 1;
  }
}

/** Adds one newly stored metric point; only the Claude Code productivity metrics feed rollups. */
export function addMetricPoint(inc: RollupIncrements, p: MetricPointInput): void {
  const counter = metricCounter(p.name, p.type);
  if (!counter) return;
  const r = rowFor(
    inc,
    p.org_id,
    hourOf(p.time),
    p.person_id ?? '',
    p.team ?? '',
    p.department ?? '',
    p.surface,
    p.model ?? '',
  );
  // Integer columns: active time is kept in milliseconds, counts are whole; rounding per point is what rebuild does.
  r[counter] += Math.round(counter === 'active_time_ms' ? p.value * 1000 : p.value);
}

/** Which counter a metric point feeds (the names are ROLLUP_METRICS). */
function metricCounter(name: string, type: string | null): RollupCounter | null {
  switch (name) {
    case 'claude_code.active_time.total':
      return 'active_time_ms';
    case 'claude_code.lines_of_code.count':
      return type === 'added' ? 'lines_added' : type === 'removed' ? 'lines_removed' : null;
    case 'claude_code.commit.count':
      return 'commits';
    case 'claude_code.pull_request.count':
      return 'prs';
    default:
      return null;
  }
}

/**
 * A session-hour the store reports as new: the session counts once in that hour, under its session-level
 * dimensions (person, team, department, surface) with the others empty — so `sessions` sums exactly over those four
 * but is not split by model, agent or skill (a session uses several).
 */
export function addNewSessionHour(inc: RollupIncrements, sh: SessionHour): void {
  rowFor(inc, sh.org_id, sh.hour, sh.person_id, sh.team, sh.department, sh.surface, '').sessions++;
}
