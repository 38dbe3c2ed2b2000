import type { EventRecord, PeopleTable, SessionsTable } from '../store/database.js';

/** Row → API JSON. Times are ISO 8601 strings; costs in USD (estimates from telemetry, labelled as such). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function usd(micros: number | null): number | null {
  return micros === null ? null : micros / 1_000_000;
}

export function presentPerson(p: PeopleTable, aliases?: { kind: string; value: string }[]) {
  return {
    id: p.id,
    display_name: p.display_name,
    email: p.email,
    department: p.department,
    team: p.team,
    cost_center: p.cost_center,
    is_demo: p.is_demo === 1,
    first_seen: iso(p.first_seen),
    last_seen: iso(p.last_seen),
    ...(aliases ? { aliases } : {}),
  };
}

export function presentSession(s: SessionsTable) {
  return {
    id: s.id,
    person_id: s.person_id,
    surface: s.surface,
    service_name: s.service_name,
    app_version: s.app_version,
    entrypoint: s.entrypoint,
    terminal_type: s.terminal_type,
    os_type: s.os_type,
    department: s.department,
    team: s.team,
    workspace_paths: s.workspace_paths ? (JSON.parse(s.workspace_paths) as string[]) : null,
    first_seen: iso(s.first_seen),
    last_seen: iso(s.last_seen),
    counts: {
      events: s.event_count,
      prompts: s.prompt_count,
      api_requests: s.api_request_count,
      tool_calls: s.tool_call_count,
    },
    tokens: {
      input: s.input_tokens,
      output: s.output_tokens,
      cache_read: s.cache_read_tokens,
      cache_write: s.cache_write_tokens,
    },
    cost_usd_estimate: usd(s.cost_micros),
  };
}

export function presentEvent(e: EventRecord) {
  return {
    id: e.id,
    time: iso(e.time),
    kind: e.kind,
    name: e.name,
    source: e.source,
    surface: e.surface,
    person_id: e.person_id,
    session_id: e.session_id,
    prompt_id: e.prompt_id,
    sequence: e.sequence,
    agent: e.agent,
    workflow: e.workflow,
    skill: e.skill,
    plugin: e.plugin,
    model: e.model,
    tool: e.tool,
    tool_use_id: e.tool_use_id,
    mcp_server: e.mcp_server,
    mcp_tool: e.mcp_tool,
    decision: e.decision,
    decision_source: e.decision_source,
    success: e.success === null ? null : e.success === 1,
    tokens:
      e.input_tokens === null &&
      e.output_tokens === null &&
      e.cache_read_tokens === null &&
      e.cache_write_tokens === null
        ? null
        : {
            input: e.input_tokens ?? 0,
            output: e.output_tokens ?? 0,
            cache_read: e.cache_read_tokens ?? 0,
            cache_write: e.cache_write_tokens ?? 0,
          },
    cost_usd_estimate: usd(e.cost_micros),
    duration_ms: e.duration_ms,
    request_id: e.request_id,
    department: e.department,
    team: e.team,
    content: e.content,
    attributes: JSON.parse(e.attrs) as Record<string, unknown>,
  };
}
