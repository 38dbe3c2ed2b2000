import { describe, expect, it } from 'vitest';
import type { Finding } from '../contracts/detection.js';
import { BacktestTally, replayEvent, type ReplayEvent } from './backtest.js';
import { loadPolicy } from './load.js';

const r = loadPolicy(
  `version: 1
name: draft
rules:
  - { id: creds, action: deny, when: { content: secret } }
  - { id: rm, action: ask, when: { tools: ["Bash(rm -rf *)"] } }
  - { id: gh, action: warn, when: { tools: [mcp__github] } }
  - { id: opus, action: redact, when: { models: claude-opus-*, stage: model_request } }
`,
  { version: 'draft-1' },
);
if (!r.ok) throw new Error('test policy does not load');
const policy = r.policy;

/** Stands in for the detectors in this unit test: every `KEY-` followed by 8 letters is a GitHub token. */
function scan(text: string): Finding[] {
  return [...text.matchAll(/KEY-[A-Z]{8}/g)].map((m) => ({
    type: 'github_token',
    class: 'secret',
    start: m.index,
    end: m.index + m[0].length,
    confidence: 1,
    validator: 'none',
  }));
}

let nextId = 1;
function event(over: Partial<ReplayEvent>): ReplayEvent {
  return {
    id: nextId++,
    time: Date.parse('2026-11-10T10:00:00Z'),
    kind: 'prompt',
    surface: 'claude_code',
    personId: 'p-ann',
    email: 'ann@example.com',
    department: null,
    team: null,
    sessionId: 's1',
    promptId: 'pr1',
    tool: null,
    toolUseId: null,
    mcpServer: null,
    mcpTool: null,
    model: null,
    decision: null,
    content: null,
    attrs: {},
    ...over,
  };
}

describe('replaying stored events', () => {
  it('turns prompts, tool results, rejected decisions and API requests into requests; skips the rest', () => {
    expect(replayEvent(event({ kind: 'prompt', content: 'hi KEY-ABCDEFGH' }), scan)?.request).toMatchObject({
      stage: 'prompt',
      findings: [{ type: 'github_token', start: 3, end: 15 }],
    });
    const bash = replayEvent(
      event({
        kind: 'tool_result',
        tool: 'Bash',
        attrs: { tool_parameters: JSON.stringify({ bash_command: 'rm', full_command: 'rm -rf /srv/x' }) },
      }),
      scan,
    );
    expect(bash?.request).toMatchObject({ stage: 'tool_call', tool: 'Bash', toolInput: { command: 'rm -rf /srv/x' } });
    expect(replayEvent(event({ kind: 'tool_decision', decision: 'reject', tool: 'Edit' }), scan)?.request.stage).toBe(
      'tool_call',
    );
    expect(replayEvent(event({ kind: 'tool_decision', decision: 'accept', tool: 'Edit' }), scan)).toBeNull();
    expect(replayEvent(event({ kind: 'api_request', model: 'claude-opus-4-5' }), scan)?.request.stage).toBe(
      'model_request',
    );
    expect(replayEvent(event({ kind: 'response' }), scan)).toBeNull();
  });

  it('counts what the draft would have done by action, rule and person, with redacted examples', () => {
    const tally = new BacktestTally(policy, scan, 2);
    const bob = { personId: 'p-bob', email: 'bob@example.com' };
    const events = [
      event({ kind: 'prompt', content: 'deploy with KEY-ABCDEFGH please' }),
      event({ kind: 'prompt', content: 'and KEY-ZYXWVUTS', ...bob }),
      event({ kind: 'prompt', content: 'again KEY-QQQQQQQQ' }),
      event({ kind: 'prompt', content: null }),
      event({ kind: 'tool_result', tool: 'Bash', attrs: { tool_input: '{"command":"cd x && rm -rf build"}' }, ...bob }),
      event({
        kind: 'tool_result',
        tool: 'mcp_tool',
        mcpServer: 'github',
        mcpTool: 'create_issue',
        decision: 'accept',
      }),
      event({ kind: 'tool_decision', tool: 'Bash', decision: 'accept' }),
      event({ kind: 'api_request', model: 'claude-opus-4-5' }),
      event({ kind: 'api_request', model: 'claude-haiku-4-5' }),
    ];
    for (const e of events) tally.add(e);
    const s = tally.summary();
    expect(s).toMatchObject({ policyVersion: 'draft-1', events: 9, evaluated: 8 });
    expect(s.byAction).toEqual({ allow: 2, warn: 1, redact: 1, ask: 1, deny: 3 });
    expect(s.byRule.map((x) => [x.ruleId, x.action, x.count, x.people])).toEqual([
      ['creds', 'deny', 3, 2],
      ['gh', 'warn', 1, 1],
      ['opus', 'redact', 1, 1],
      ['rm', 'ask', 1, 1],
    ]);
    const creds = s.byRule[0]!;
    expect(creds.examples).toHaveLength(2);
    expect(creds.examples[0]!.summary).toBe('prompt: deploy with [REDACTED:github_token] please');
    expect(JSON.stringify(s)).not.toContain('KEY-');
    expect(s.byRule[1]!.examples[0]).toMatchObject({ summary: 'mcp_tool (input not stored)', decidedThen: 'accept' });
    expect(s.byPerson).toEqual([
      { person: 'ann@example.com', counts: { allow: 2, warn: 1, redact: 1, ask: 0, deny: 2 }, total: 4 },
      { person: 'bob@example.com', counts: { allow: 0, warn: 0, redact: 0, ask: 1, deny: 1 }, total: 2 },
    ]);
  });

  it('reads the typed placeholders of redacted stored text back as findings', () => {
    const stored = event({ content: 'deploy with [REDACTED:aws_access_key_id:1a2b] please' });
    const replay = replayEvent(stored, () => []);
    expect(replay!.request.findings).toMatchObject([{ type: 'aws_access_key_id', class: 'secret', start: 12 }]);
    const tally = new BacktestTally(policy, () => []);
    tally.add(stored);
    const s = tally.summary();
    expect(s.byAction.deny).toBe(1);
    expect(s.byRule[0]!.examples[0]!.summary).toBe('prompt: deploy with [REDACTED:aws_access_key_id] please');
  });
});
