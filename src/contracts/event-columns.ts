/**
 * Column order of a stored activity event. Ingest builds rows as value arrays in this order (on the decode worker,
 * so the main thread binds them straight into the prepared INSERT); the store inserts them. `person_id` is filled
 * at commit time, after identity resolution.
 */
export const EVENT_COLUMNS = [
  'dedupe_key',
  'time',
  'org_id',
  'source',
  'surface',
  'kind',
  'name',
  'person_id',
  'session_id',
  'prompt_id',
  'sequence',
  'agent',
  'workflow',
  'skill',
  'plugin',
  'model',
  'tool',
  'tool_use_id',
  'mcp_server',
  'mcp_tool',
  'decision',
  'decision_source',
  'success',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_micros',
  'duration_ms',
  'request_id',
  'department',
  'team',
  'content',
  'attrs',
] as const;

export type EventColumn = (typeof EVENT_COLUMNS)[number];

/** Index of each column in a row array. */
export const COL = Object.fromEntries(EVENT_COLUMNS.map((c, i) => [c, i])) as { readonly [K in EventColumn]: number };

export type EventValues = unknown[];
