import { describe, expect, it } from 'vitest';
import { planSessions } from './activity-schedule.js';
import type { DemoModel } from './demo-catalog.js';
import { costUsd, costUsdMicros, MODEL_PRICES_USD_PER_MTOK } from './model-prices.js';
import { generateOrganisation } from './organisation.js';
import { scriptSession, type SessionScript } from './session-script.js';

const END_MS = Date.UTC(2026, 10, 18, 20, 0, 0);
// 75 days reaches back to the Cowork build that still used `claude_code.` bodies.
const org = generateOrganisation({ people: 30, days: 75, seed: 21 });
const scripts: SessionScript[] = org.people.flatMap((person) =>
  planSessions(org, person, END_MS).map((plan) => scriptSession(org, plan)),
);
const code = scripts.filter((s) => s.surface === 'claude_code');
const cowork = scripts.filter((s) => s.surface === 'cowork');
const events = scripts.flatMap((s) => s.events);
const named = (name: string) => events.filter((e) => e.name === name);

describe('model prices', () => {
  it('uses the §6.4 table per million tokens', () => {
    expect(MODEL_PRICES_USD_PER_MTOK['claude-opus-5']).toEqual({
      input: 5,
      cacheWrite5m: 6.25,
      cacheWrite1h: 10,
      cacheRead: 0.5,
      output: 25,
    });
    const million = { input: 1e6, output: 1e6, cacheRead: 1e6, cacheCreation5m: 1e6, cacheCreation1h: 1e6 };
    expect(costUsd('claude-sonnet-5', million)).toBeCloseTo(2 + 10 + 0.2 + 2.5 + 4, 10);
    expect(costUsd('claude-haiku-4-5', { ...million, output: 0, cacheRead: 0, cacheCreation1h: 0 })).toBeCloseTo(
      2.25,
      10,
    );
    expect(costUsdMicros(0.0017448)).toBe(1745);
  });
});

describe('scriptSession', () => {
  it('covers both surfaces and the event families', () => {
    expect(code.length).toBeGreaterThan(10);
    expect(cowork.length).toBeGreaterThan(10);
    for (const name of [
      'user_prompt',
      'api_request',
      'assistant_response',
      'tool_decision',
      'tool_result',
      'mcp_server_connection',
    ]) {
      expect(named(name).length).toBeGreaterThan(0);
    }
  });

  it('is deterministic for the same plan', () => {
    const person = org.people.find((p) => planSessions(org, p, END_MS).length > 0);
    const plan = person && planSessions(org, person, END_MS)[0];
    if (plan === undefined) throw new Error('no plan');
    expect(scriptSession(org, plan)).toEqual(scriptSession(org, plan));
  });

  it('numbers events from 0 with strictly increasing event.sequence and ordered timestamps', () => {
    const offenders = scripts.filter(
      (script) =>
        script.endMs < script.startMs ||
        script.events.some(
          (event, index) =>
            event.attributes['event.sequence'] !== index ||
            event.attributes['event.timestamp'] !== new Date(event.timeMs).toISOString() ||
            event.attributes['event.name'] !== event.name ||
            event.attributes['session.id'] !== script.sessionId ||
            (index > 0 && event.timeMs < (script.events[index - 1]?.timeMs ?? 0)),
        ),
    );
    expect(offenders.map((s) => s.sessionId)).toEqual([]);
  });

  it('precedes every tool_result with an accept tool_decision for the same tool_use_id, and never follows a reject', () => {
    let results = 0;
    for (const script of scripts) {
      const decisions = new Map<string, string>();
      for (const event of script.events) {
        if (event.name === 'tool_decision')
          decisions.set(String(event.attributes.tool_use_id), String(event.attributes.decision));
        if (event.name === 'tool_result') {
          results++;
          expect(decisions.get(String(event.attributes.tool_use_id))).toBe('accept');
        }
      }
      const rejected = [...decisions].filter(([, decision]) => decision === 'reject').map(([id]) => id);
      const resultIds = new Set(
        script.events.filter((e) => e.name === 'tool_result').map((e) => e.attributes.tool_use_id),
      );
      for (const id of rejected) expect(resultIds.has(id)).toBe(false);
    }
    expect(results).toBeGreaterThan(0);
    expect(named('tool_decision').some((e) => e.attributes.decision === 'reject')).toBe(true);
  });

  it('prices every api_request from the table and reports micros', () => {
    const offenders = named('api_request').filter((event) => {
      const a = event.attributes;
      const expected = costUsd(a.model as DemoModel, {
        input: a.input_tokens as number,
        output: a.output_tokens as number,
        cacheRead: a.cache_read_tokens as number,
        cacheCreation5m: a.cache_creation_5m_tokens as number,
        cacheCreation1h: a.cache_creation_1h_tokens as number,
      });
      return (
        a.cost_usd !== expected ||
        Number.isInteger(a.cost_usd) ||
        a.cost_usd_micros !== Math.round(expected * 1e6) ||
        a.cache_creation_tokens !== (a.cache_creation_5m_tokens as number) + (a.cache_creation_1h_tokens as number) ||
        !['claude-opus-5', 'claude-sonnet-5', 'claude-haiku-4-5'].includes(a.model as string)
      );
    });
    expect(named('api_request').length).toBeGreaterThan(100);
    expect(offenders).toEqual([]);
  });

  it('uses the CLI value types: strings for numeric-looking fields, ints for tokens', () => {
    const digits = (value: unknown) => typeof value === 'string' && /^\d+$/.test(value);
    expect(
      named('user_prompt').filter((e) => !digits(e.attributes.prompt_length) || e.attributes.prompt !== '<REDACTED>'),
    ).toEqual([]);
    expect(
      named('tool_result').filter(
        (e) =>
          !['true', 'false'].includes(e.attributes.success as string) ||
          !digits(e.attributes.duration_ms) ||
          !digits(e.attributes.tool_result_size_bytes),
      ),
    ).toEqual([]);
    const intKeys = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'duration_ms', 'ttft_ms'];
    expect(named('api_request').filter((e) => intKeys.some((key) => !Number.isInteger(e.attributes[key])))).toEqual([]);
    expect(named('mcp_server_connection').filter((e) => !digits(e.attributes.duration_ms))).toEqual([]);
    expect(named('assistant_response').filter((e) => !Number.isInteger(e.attributes.response_length))).toEqual([]);
  });

  it('puts prompt.id on everything after the first prompt and nothing before it', () => {
    const offenders = code.filter((script) => {
      const firstPrompt = script.events.findIndex((e) => e.name === 'user_prompt');
      return script.events.some((event, index) =>
        index < firstPrompt
          ? event.attributes['prompt.id'] !== undefined
          : !/^[0-9a-f-]{36}$/.test(String(event.attributes['prompt.id'])),
      );
    });
    expect(offenders.map((s) => s.sessionId)).toEqual([]);
  });

  it('copies the resource attributes onto every record and labels it as demo data', () => {
    const offenders = events.filter(
      (e) =>
        typeof e.attributes.department !== 'string' ||
        typeof e.attributes['team.id'] !== 'string' ||
        typeof e.attributes.cost_center !== 'string' ||
        e.attributes['steward.demo'] !== 'true',
    );
    expect(offenders).toEqual([]);
  });

  it('gives Cowork its identity attributes, workspace paths and both body prefixes, and no metrics', () => {
    const prefixes = new Set(cowork.flatMap((s) => s.events.map((e) => e.body.split('.')[0])));
    expect(prefixes).toEqual(new Set(['claude_code', 'claude_cowork']));
    expect(cowork.filter((s) => s.metrics.length > 0)).toEqual([]);
    const offenders = cowork.flatMap((s) =>
      s.events.filter(
        (e) =>
          !/@demo\.example$/.test(String(e.attributes['user.email'])) ||
          !/^[0-9a-f-]{36}$/.test(String(e.attributes['user.account_uuid'])) ||
          !Array.isArray(e.attributes['workspace.host_paths']) ||
          e.attributes['terminal.type'] !== 'non-interactive' ||
          e.body !== `${e.body.split('.')[0]}.${e.name}`,
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('emits Claude Code metrics whose totals match the events', () => {
    for (const script of code) {
      expect(script.events.every((e) => e.body === `claude_code.${e.name}`)).toBe(true);
      const requests = script.events.filter((e) => e.name === 'api_request');
      const sum = (metric: string, type?: string) =>
        script.metrics
          .filter((p) => p.name === metric && (type === undefined || p.attributes.type === type))
          .reduce((total, p) => total + p.value, 0);
      const eventCost = requests.reduce((total, e) => total + (e.attributes.cost_usd as number), 0);
      expect(sum('claude_code.cost.usage')).toBeCloseTo(eventCost, 9);
      expect(sum('claude_code.token.usage', 'output')).toBe(
        requests.reduce((total, e) => total + (e.attributes.output_tokens as number), 0),
      );
      expect(sum('claude_code.session.count')).toBe(1);
      for (const point of script.metrics) {
        expect(point.attributes['session.id']).toBe(script.sessionId);
        expect(point.attributes['prompt.id']).toBeUndefined();
        expect(point.value).toBeGreaterThan(0);
      }
    }
  });
});
