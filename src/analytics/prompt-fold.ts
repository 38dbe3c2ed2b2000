import { COL, type EventValues } from '../contracts/event-columns.js';

/**
 * Prompt summaries folded one event at a time (derived-fold.ts): the same figures thread search computes per
 * prompt over raw events (store/threads-read.repo.ts), plus the sets it filters on and the stored content it
 * matches. Parts merge, so a prompt whose events arrive in several refresher chunks adds up.
 */

/** Separates stored contents in a prompt summary; content search never matches across it. */
export const CONTENT_SEPARATOR = '\u0001';

export interface PromptPart {
  org_id: string;
  prompt_id: string;
  first_time: number;
  last_time: number;
  person_min: string | null;
  person_max: string | null;
  no_person: number;
  session_min: string | null;
  session_max: string | null;
  no_session: number;
  events: number;
  api_requests: number;
  tool_calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_micros: number;
  tools: Set<string>;
  mcp_servers: Set<string>;
  skills: Set<string>;
  models: Set<string>;
  content: string[];
}

const n = (v: unknown): number => (typeof v === 'number' ? v : 0);

export function emptyPrompt(org: string, promptId: string, time: number): PromptPart {
  return {
    org_id: org,
    prompt_id: promptId,
    first_time: time,
    last_time: time,
    person_min: null,
    person_max: null,
    no_person: 0,
    session_min: null,
    session_max: null,
    no_session: 0,
    events: 0,
    api_requests: 0,
    tool_calls: 0,
    errors: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_micros: 0,
    tools: new Set(),
    mcp_servers: new Set(),
    skills: new Set(),
    models: new Set(),
    content: [],
  };
}

const minText = (a: string | null, b: string | null): string | null => (a === null ? b : b === null || a <= b ? a : b);
const maxText = (a: string | null, b: string | null): string | null => (a === null ? b : b === null || a >= b ? a : b);

/** The same figures thread search computes per prompt (store/threads-read.repo.ts), one event at a time. */
export function addToPrompt(p: PromptPart, row: EventValues, kind: string, time: number): void {
  if (time < p.first_time) p.first_time = time;
  if (time > p.last_time) p.last_time = time;
  const person = row[COL.person_id];
  if (typeof person === 'string') {
    p.person_min = minText(p.person_min, person);
    p.person_max = maxText(p.person_max, person);
  } else p.no_person += 1;
  const session = row[COL.session_id];
  if (typeof session === 'string') {
    p.session_min = minText(p.session_min, session);
    p.session_max = maxText(p.session_max, session);
  } else p.no_session += 1;
  p.events += 1;
  if (kind === 'api_request') p.api_requests += 1;
  if (kind === 'tool_result') p.tool_calls += 1;
  if (kind === 'api_error' || (kind === 'tool_result' && row[COL.success] === 0)) p.errors += 1;
  p.input_tokens += n(row[COL.input_tokens]);
  p.output_tokens += n(row[COL.output_tokens]);
  p.cache_read_tokens += n(row[COL.cache_read_tokens]);
  p.cache_write_tokens += n(row[COL.cache_write_tokens]);
  p.cost_micros += n(row[COL.cost_micros]);
  const tool = row[COL.tool];
  if (typeof tool === 'string') p.tools.add(tool);
  const server = row[COL.mcp_server];
  if (typeof server === 'string') p.mcp_servers.add(server);
  const skill = row[COL.skill];
  if (typeof skill === 'string') p.skills.add(skill);
  const model = row[COL.model];
  if (typeof model === 'string') p.models.add(model);
  const content = row[COL.content];
  if (typeof content === 'string' && content !== '') p.content.push(content);
}

/** Folds one summary part into another (both of the same prompt). */
export function mergePrompt(into: PromptPart, p: PromptPart): void {
  into.first_time = Math.min(into.first_time, p.first_time);
  into.last_time = Math.max(into.last_time, p.last_time);
  into.person_min = minText(into.person_min, p.person_min);
  into.person_max = maxText(into.person_max, p.person_max);
  into.no_person += p.no_person;
  into.session_min = minText(into.session_min, p.session_min);
  into.session_max = maxText(into.session_max, p.session_max);
  into.no_session += p.no_session;
  into.events += p.events;
  into.api_requests += p.api_requests;
  into.tool_calls += p.tool_calls;
  into.errors += p.errors;
  into.input_tokens += p.input_tokens;
  into.output_tokens += p.output_tokens;
  into.cache_read_tokens += p.cache_read_tokens;
  into.cache_write_tokens += p.cache_write_tokens;
  into.cost_micros += p.cost_micros;
  for (const x of p.tools) into.tools.add(x);
  for (const x of p.mcp_servers) into.mcp_servers.add(x);
  for (const x of p.skills) into.skills.add(x);
  for (const x of p.models) into.models.add(x);
  into.content.push(...p.content);
}
