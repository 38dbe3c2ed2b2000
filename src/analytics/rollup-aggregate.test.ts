import { describe, expect, it } from 'vitest';
import { COL, EVENT_COLUMNS } from '../contracts/event-columns.js';
import { addEvent, addMetricPoint, addNewSessionHour, newIncrements } from './rollup-aggregate.js';

const T = Date.parse('2026-11-21T05:10:00Z');
const HOUR = Date.parse('2026-11-21T05:00:00Z');

function event(kind: string, fields: Partial<Record<(typeof EVENT_COLUMNS)[number], unknown>> = {}): unknown[] {
  const row: unknown[] = EVENT_COLUMNS.map(() => null);
  Object.assign(row, { [COL.kind]: kind, [COL.time]: T, [COL.org_id]: 'default', [COL.surface]: 'claude_code' });
  row[COL.person_id] = 'p1';
  row[COL.session_id] = 's1';
  row[COL.department] = 'finance';
  for (const [k, v] of Object.entries(fields)) row[COL[k as keyof typeof COL]] = v;
  return row;
}

describe('rollup aggregation', () => {
  it('adds token types separately and counts requests, prompts, tool calls and errors', () => {
    const inc = newIncrements();
    const api = { model: 'm', input_tokens: 10, output_tokens: 2, cache_read_tokens: 7, cache_write_tokens: 3 };
    addEvent(inc, event('api_request', { ...api, cost_micros: 100 }));
    addEvent(inc, event('api_request', { ...api, cost_micros: 50 }));
    addEvent(inc, event('prompt'));
    addEvent(inc, event('tool_result', { success: 0, decision: 'accept', decision_source: 'config' }));
    addEvent(inc, event('tool_result', { success: 1 }));
    addEvent(inc, event('hook'));
    const rows = [...inc.rows.values()];
    expect(rows).toHaveLength(2); // one with model m, one without; the hook adds no row
    const withModel = rows.find((r) => r.model === 'm')!;
    expect(withModel).toMatchObject({ hour: HOUR, requests: 2, input_tokens: 20, output_tokens: 4 });
    expect(withModel).toMatchObject({ cache_read_tokens: 14, cache_write_tokens: 6, cost_micros: 150 });
    const noModel = rows.find((r) => r.model === '')!;
    // tool_result carries decision attributes too, but only tool_decision events count as decisions
    expect(noModel).toMatchObject({ prompts: 1, tool_calls: 2, tool_errors: 1, decisions_accept: 0, team: '' });
  });

  it('counts decisions by source, folding user_* into user', () => {
    const inc = newIncrements();
    addEvent(inc, event('tool_decision', { decision: 'accept', decision_source: 'config' }));
    addEvent(inc, event('tool_decision', { decision: 'accept', decision_source: 'user_temporary' }));
    addEvent(inc, event('tool_decision', { decision: 'reject', decision_source: 'hook' }));
    addEvent(inc, event('tool_decision', { decision: 'reject', decision_source: 'user_reject' }));
    const r = [...inc.rows.values()][0]!;
    expect(r).toMatchObject({ decisions_accept: 2, decisions_reject: 2, accept_config: 1, accept_user: 1 });
    expect(r).toMatchObject({ reject_hook: 1, reject_user: 1, accept_hook: 0, reject_config: 0 });
  });

  it('collects distinct session-hours and engaged person-days, whatever the order', () => {
    const inc = newIncrements();
    addEvent(inc, event('settings'));
    expect(inc.personDays.size).toBe(0); // start-up bookkeeping is not activity
    addEvent(inc, event('prompt'));
    addEvent(inc, event('prompt', { time: T + 3_600_000 }));
    expect(inc.sessionHours.size).toBe(2);
    expect(inc.personDays.size).toBe(1);
    for (const sh of inc.sessionHours.values()) addNewSessionHour(inc, sh);
    const sessions = [...inc.rows.values()].reduce((n, r) => n + r.sessions, 0);
    expect(sessions).toBe(2);
  });

  it('folds the productivity metrics and ignores token metrics (api_request events count those)', () => {
    const inc = newIncrements();
    const base = { org_id: 'default', time: T, person_id: 'p1', surface: 'claude_code', model: null };
    const dims = { department: 'finance', team: null };
    addMetricPoint(inc, { ...base, ...dims, name: 'claude_code.active_time.total', type: 'cli', value: 0.394 });
    addMetricPoint(inc, { ...base, ...dims, name: 'claude_code.lines_of_code.count', type: 'added', value: 12 });
    addMetricPoint(inc, { ...base, ...dims, name: 'claude_code.lines_of_code.count', type: 'removed', value: 3 });
    addMetricPoint(inc, { ...base, ...dims, name: 'claude_code.commit.count', type: null, value: 1 });
    addMetricPoint(inc, { ...base, ...dims, name: 'claude_code.pull_request.count', type: null, value: 1 });
    addMetricPoint(inc, { ...base, ...dims, name: 'claude_code.token.usage', type: 'input', value: 246 });
    const r = [...inc.rows.values()][0]!;
    expect(inc.rows.size).toBe(1);
    expect(r).toMatchObject({ active_time_ms: 394, lines_added: 12, lines_removed: 3, commits: 1, prs: 1 });
    expect(r.input_tokens).toBe(0);
  });
});
