import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { READ } from '../identity/roles.js';
import type { EventRecord } from '../store/database.js';
import { searchThreadSummaries } from '../analytics/thread-search.js';
import { personNames, threadEvents } from '../store/threads-read.repo.js';
import type { Store } from '../store/store.js';
import { decodeCursor, page, pageQuery, timeParam } from './pagination.js';
import { iso, usd } from './presenters.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

const MAX_WINDOW_MS = 92 * 86_400_000;
const THREAD_MAX = 5_000;
const HOUR_MS = 3_600_000;
/** Without `at`, a thread is looked for in the last day (newest prompts are the ones people open). */
const DEFAULT_LOOKBACK_MS = 24 * HOUR_MS;
/** With `at`, within this much either side of it. */
const AT_SLACK_MS = 6 * HOUR_MS;
const COST_NOTE = 'Costs are estimates computed by the clients from their price tables, not official billing.';
const CONTENT_NOTE =
  'Content search matches stored prompt, response and tool-input text as stored: redacted by default (secrets, ' +
  'personal and financial data replaced by placeholders such as [REDACTED:email:3f9a]), nothing when ' +
  'content.capture is `off`.';

function tokens(e: {
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
}) {
  return {
    input: e.input_tokens ?? 0,
    output: e.output_tokens ?? 0,
    cache_read: e.cache_read_tokens ?? 0,
    cache_write: e.cache_write_tokens ?? 0,
  };
}

function errorText(e: EventRecord, attrs: Record<string, unknown>): string | null {
  const v = attrs.error ?? attrs['error.message'] ?? attrs.error_message;
  if (typeof v === 'string' && v.length > 0) return v;
  return e.success === 0 ? 'failed' : null;
}

/** One step of a thread: what every step has, plus the fields of its kind. */
function presentStep(e: EventRecord, start: number) {
  const attrs = JSON.parse(e.attrs) as Record<string, unknown>;
  const base = {
    id: e.id,
    time: iso(e.time),
    offset_ms: e.time - start,
    sequence: e.sequence,
    kind: e.kind,
    name: e.name,
    duration_ms: e.duration_ms,
  };
  switch (e.kind) {
    case 'prompt':
    case 'response':
      return { ...base, model: e.model, content: e.content };
    case 'api_request':
      return {
        ...base,
        model: e.model,
        tokens: tokens(e),
        cost_usd_estimate: usd(e.cost_micros),
        request_id: e.request_id,
      };
    case 'api_error':
    case 'api_refusal':
      return { ...base, model: e.model, error: errorText(e, attrs), status_code: attrs.status_code ?? null };
    case 'tool_decision':
      return {
        ...base,
        tool: e.tool,
        tool_use_id: e.tool_use_id,
        mcp_server: e.mcp_server,
        mcp_tool: e.mcp_tool,
        decision: e.decision,
        decision_source: e.decision_source,
      };
    case 'tool_result':
      return {
        ...base,
        tool: e.tool,
        tool_use_id: e.tool_use_id,
        mcp_server: e.mcp_server,
        mcp_tool: e.mcp_tool,
        skill: e.skill,
        success: e.success === null ? null : e.success === 1,
        error: e.success === 0 ? errorText(e, attrs) : null,
      };
    case 'subagent':
      return { ...base, agent: e.agent, model: e.model, tokens: e.input_tokens === null ? null : tokens(e) };
    default:
      return {
        ...base,
        tool: e.tool,
        agent: e.agent,
        skill: e.skill,
        plugin: e.plugin,
        mcp_server: e.mcp_server,
        decision: e.decision,
        decision_source: e.decision_source,
        success: e.success === null ? null : e.success === 1,
      };
  }
}

export function registerThreadRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/threads',
    access: READ,
    tag: 'threads',
    summary:
      'Thread search in a required window (at most 92 days): one row per prompt with events in the window ' +
      'matching every filter, newest first, with person, session, counts, tokens and estimated cost.',
    query: z.strictObject({
      ...pageQuery,
      from: timeParam,
      to: timeParam,
      q: z.string().min(1).max(200).optional(),
      tool: z.string().max(200).optional(),
      mcp_server: z.string().max(200).optional(),
      skill: z.string().max(200).optional(),
      model: z.string().max(200).optional(),
      person_id: z.string().max(200).optional(),
    }),
    handler: async ({ query }) => {
      if (query.to <= query.from) throw new AppError('invalid_query', '`to` must be after `from`');
      if (query.to - query.from > MAX_WINDOW_MS)
        throw new AppError('invalid_query', 'time window may span at most 92 days');
      const rows = await searchThreadSummaries(store, {
        from: query.from,
        to: query.to,
        q: query.q,
        tool: query.tool,
        mcpServer: query.mcp_server,
        skill: query.skill,
        model: query.model,
        personId: query.person_id,
        limit: query.limit,
        cursor: decodeCursor(query.cursor),
      });
      const p = page(rows, query.limit, (r) => ({ t: r.first_time, id: r.prompt_id }));
      const ids = [...new Set(p.items.map((r) => r.person_id).filter((id): id is string => id !== null))];
      const names = await personNames(store.db, ids);
      return {
        ...p,
        from: iso(query.from),
        to: iso(query.to),
        cost_note: COST_NOTE,
        content_note: CONTENT_NOTE,
        items: p.items.map((r) => ({
          prompt_id: r.prompt_id,
          person_id: r.person_id,
          person_name: r.person_id === null ? null : (names.get(r.person_id) ?? null),
          session_id: r.session_id,
          first_time: iso(r.first_time),
          last_time: iso(r.last_time),
          counts: { events: r.events, api_requests: r.api_requests, tool_calls: r.tool_calls, errors: r.errors },
          tokens: tokens(r),
          cost_usd_estimate: usd(r.cost_micros),
          thread_path: `/api/v1/threads/${encodeURIComponent(r.prompt_id)}?at=${r.first_time}`,
        })),
      };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/threads/{promptId}',
    access: READ,
    tag: 'threads',
    summary:
      'The conversation thread of one prompt in order (time, sequence, id): prompt, API requests, tool decisions ' +
      'with their source, tool results, subagents, compactions, responses; with durations and totals. The prompt ' +
      'is found within 6 hours of `at` (a time of the thread, e.g. `first_time` from the search), or in the last ' +
      'day without it.',
    params: z.strictObject({ promptId: z.string().min(1).max(200) }),
    query: z.strictObject({ at: timeParam.optional() }),
    handler: async ({ params, query }) => {
      const now = Date.now();
      const window =
        query.at !== undefined
          ? { lo: query.at - AT_SLACK_MS, hi: query.at + AT_SLACK_MS + 1 }
          : { lo: now - DEFAULT_LOOKBACK_MS, hi: now + HOUR_MS };
      const events = await threadEvents(store.db, params.promptId, window, THREAD_MAX + 1);
      const kept = events.slice(0, THREAD_MAX);
      const first = kept[0];
      const last = kept[kept.length - 1];
      if (!first || !last) {
        throw new AppError(
          'not_found',
          query.at !== undefined
            ? `no thread ${params.promptId} within 6 hours of \`at\``
            : `no thread ${params.promptId} in the last day; pass \`at\` (a time of the thread) to look further back`,
        );
      }
      const t = { input: 0, output: 0, cache_read: 0, cache_write: 0, cost: 0, requests: 0, tools: 0, errors: 0 };
      const people = new Set<string>();
      const sessions = new Set<string>();
      for (const e of kept) {
        t.input += e.input_tokens ?? 0;
        t.output += e.output_tokens ?? 0;
        t.cache_read += e.cache_read_tokens ?? 0;
        t.cache_write += e.cache_write_tokens ?? 0;
        t.cost += e.cost_micros ?? 0;
        if (e.kind === 'api_request') t.requests++;
        if (e.kind === 'tool_result') t.tools++;
        if (e.kind === 'api_error' || (e.kind === 'tool_result' && e.success === 0)) t.errors++;
        if (e.person_id) people.add(e.person_id);
        if (e.session_id) sessions.add(e.session_id);
      }
      return {
        prompt_id: params.promptId,
        person_id: first.person_id,
        session_id: first.session_id,
        people: [...people],
        sessions: [...sessions],
        started: iso(first.time),
        ended: iso(last.time),
        cost_note: COST_NOTE,
        totals: {
          events: kept.length,
          api_requests: t.requests,
          tokens: { input: t.input, output: t.output, cache_read: t.cache_read, cache_write: t.cache_write },
          cost_usd_estimate: usd(t.cost),
          tool_calls: t.tools,
          errors: t.errors,
          wall_time_ms: last.time - first.time,
        },
        steps: kept.map((e) => presentStep(e, first.time)),
        truncated: events.length > THREAD_MAX,
      };
    },
  });
}
