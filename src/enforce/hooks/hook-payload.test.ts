import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixtureJson } from '../../../test/support/fixtures.js';
import { isDecidedEvent } from './hook-events.js';
import { parseHookPayload } from './hook-payload.js';

/** Every stdin body the real CLI (2.1.329) wrote to a hook, and the two bodies it POSTed to an http hook. */
const stdinFiles = readdirSync(join(FIXTURES, 'hooks', 'stdin')).filter((f) => f.endsWith('.json'));
const httpBodies = (fixtureJson('hooks/http-hook-requests.json') as { body: unknown }[]).map((r) => r.body);

describe('Claude Code hook payloads', () => {
  it('the captures cover every decided event', () => {
    const events = stdinFiles.map((f) => (fixtureJson(`hooks/stdin/${f}`) as { hook_event: string }).hook_event);
    for (const e of ['UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'SessionStart']) expect(events).toContain(e);
  });

  for (const file of stdinFiles) {
    it(`parses ${file}`, () => {
      const { stdin, hook_event } = fixtureJson(`hooks/stdin/${file}`) as { stdin: unknown; hook_event: string };
      const parsed = parseHookPayload(stdin);
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.decided).toBe(isDecidedEvent(hook_event));
      if (!parsed.decided) {
        expect(parsed.event).toBe(hook_event);
        return;
      }
      const p = parsed.payload;
      expect(p.hook_event_name).toBe(hook_event);
      expect(p.session_id).toMatch(/^[0-9a-f-]{36}$/);
      // Unknown fields survive (loose objects): nothing the CLI sends is silently dropped from what we forward.
      expect(Object.keys(p).sort()).toEqual(Object.keys(stdin as object).sort());
      if (p.hook_event_name === 'PreToolUse') {
        expect(p.tool_use_id).toBe('toolu_probe_1');
        expect(typeof p.tool_input).toBe('object');
      }
      if (p.hook_event_name === 'PostToolUse') expect(p.tool_response).toBeDefined();
      if (p.hook_event_name === 'UserPromptSubmit') expect(p.prompt).toBe('PROBE_BASH please run echo');
      if (p.hook_event_name === 'SessionStart') expect(p.source).toBe('startup');
    });
  }

  it('parses the bodies the CLI POSTed to an http hook', () => {
    for (const body of httpBodies) {
      const parsed = parseHookPayload(body);
      expect(parsed).toMatchObject({ ok: true, decided: true });
    }
  });

  it('reads the MCP server of an MCP tool call', () => {
    const { stdin } = fixtureJson('hooks/stdin/PreToolUse-mcp.json') as { stdin: unknown };
    const parsed = parseHookPayload(stdin);
    expect(parsed.ok && parsed.decided && parsed.payload).toMatchObject({
      tool_name: 'mcp__probe__shout',
      mcp_server: { name: 'probe', source: 'dynamic' },
    });
  });

  it('names the field at fault in a malformed decided event', () => {
    const { stdin } = fixtureJson('hooks/stdin/PreToolUse.json') as { stdin: Record<string, unknown> };
    expect(parseHookPayload({ ...stdin, tool_input: 'rm -rf /' })).toEqual({
      ok: false,
      event: 'PreToolUse',
      message: expect.stringMatching(/^invalid PreToolUse hook input: tool_input: /),
    });
    const noTool: Record<string, unknown> = { ...stdin };
    delete noTool.tool_name;
    expect(parseHookPayload(noTool)).toMatchObject({ ok: false, event: 'PreToolUse', message: /tool_name/ });
    expect(parseHookPayload({ ...stdin, session_id: 42 })).toMatchObject({ ok: false, message: /session_id/ });
  });

  it('refuses what is not a hook body, without an event name', () => {
    for (const v of [null, 'text', 42, [], {}, { hook_event_name: '' }, { hook_event_name: 7 }]) {
      expect(parseHookPayload(v)).toMatchObject({ ok: false, event: null });
    }
  });

  it('never fails an event Steward does not decide on, whatever its shape', () => {
    expect(parseHookPayload({ hook_event_name: 'Stop' })).toEqual({ ok: true, decided: false, event: 'Stop' });
    expect(parseHookPayload({ hook_event_name: 'FutureEvent', x: [1] })).toEqual({
      ok: true,
      decided: false,
      event: 'FutureEvent',
    });
  });
});
