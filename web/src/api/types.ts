import type { AliasKind, EventKind, Surface } from '../../../src/contracts/canonical';

/**
 * The JSON the console reads, as presented by the server (src/api/presenters.ts and the *.routes.ts handlers).
 * The console talks to the API over HTTP only; the only server code it imports is type-only, from src/contracts/
 * (DESIGN §6: contracts are shared by server, CLI and console). The response shapes themselves are not declared
 * in src/contracts/ (the presenters build them inline), so they are mirrored here by hand.
 */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface TokenSplit {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

export interface Person {
  id: string;
  display_name: string | null;
  email: string | null;
  department: string | null;
  team: string | null;
  cost_center: string | null;
  is_demo: boolean;
  first_seen: string;
  last_seen: string;
}

export interface PersonDetail extends Person {
  aliases: { kind: AliasKind; value: string }[];
  recent_sessions: Session[];
}

export interface Session {
  id: string;
  person_id: string | null;
  surface: Surface;
  service_name: string | null;
  app_version: string | null;
  entrypoint: string | null;
  terminal_type: string | null;
  os_type: string | null;
  department: string | null;
  team: string | null;
  workspace_paths: string[] | null;
  first_seen: string;
  last_seen: string;
  counts: { events: number; prompts: number; api_requests: number; tool_calls: number };
  tokens: TokenSplit;
  cost_usd_estimate: number | null;
}

export interface TimelineEvent {
  id: string | number;
  time: string;
  kind: EventKind;
  name: string;
  surface: Surface;
  prompt_id: string | null;
  sequence: number | null;
  agent: string | null;
  skill: string | null;
  plugin: string | null;
  model: string | null;
  tool: string | null;
  tool_use_id: string | null;
  mcp_server: string | null;
  mcp_tool: string | null;
  decision: string | null;
  decision_source: string | null;
  success: boolean | null;
  tokens: TokenSplit | null;
  cost_usd_estimate: number | null;
  duration_ms: number | null;
  content: string | null;
  attributes: Record<string, unknown>;
}

export interface SessionDetail {
  session: Session;
  timeline: { prompt_id: string | null; started: string; events: TimelineEvent[] }[];
  truncated: boolean;
}

export interface Status {
  version: string;
  database: string;
  people: number;
  sessions: number;
  events: number;
  last_event_at: string | null;
  recent_sessions: Session[];
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
