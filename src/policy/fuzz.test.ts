import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCommand } from './bash-command.js';
import { evaluate } from './evaluate.js';
import { loadPolicy } from './load.js';
import { compilePermissionRule, commandOf } from './permission-rule.js';

/** DESIGN §10: every parser survives hostile input with an answer, never a crash. */
const shellish = fc.stringMatching(/^[a-z \-*|&;()$`'"\\<>\n=.\/~]{0,80}$/);

describe('hostile input', () => {
  it('loadPolicy answers every text with a result, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const r = loadPolicy(text);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
    const r = loadPolicy('a: &a [*a, *a]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n');
    expect(r.ok).toBe(false);
  });

  it('reading a shell command never throws, whatever its quoting and nesting', () => {
    fc.assert(
      fc.property(shellish, (c) => void readCommand(c)),
      { numRuns: 2000 },
    );
  });

  it('permission rules either compile or throw a readable Error, and never throw when matching', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), shellish, (rule, command) => {
        let m;
        try {
          m = compilePermissionRule(rule);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          return;
        }
        const input = { command, file_path: command, url: command };
        for (const name of ['Bash', 'Read', 'Edit', 'WebFetch', 'mcp__x__y']) {
          const call = { name, input, folders: ['/p'], command: () => commandOf(name, input) };
          m(call, true);
          m(call, false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('evaluate decides any tool call against a policy using every condition', () => {
    const r = loadPolicy(`version: 1
name: all
rules:
  - { id: a, action: deny, when: { tools: ["Bash(rm -rf *)", "Read(./s/**)", "WebFetch(domain:x.com)", mcp__g] } }
  - { id: b, action: ask, when: { folders: ["/srv/**"], models: "m*", time: [{ timezone: Asia/Tokyo, hours: "09:00-17:00" }] } }
`);
    if (!r.ok) throw new Error('policy does not load');
    fc.assert(
      fc.property(shellish, fc.string({ maxLength: 20 }), fc.integer(), (command, model, time) => {
        const d = evaluate(r.policy, {
          point: 'api',
          stage: 'tool_call',
          surface: 'claude_code',
          subject: {},
          tool: 'Bash',
          toolInput: { command },
          model,
          folders: [command],
          findings: [],
          time: Math.abs(time),
        });
        expect(['allow', 'ask', 'deny']).toContain(d.action);
      }),
      { numRuns: 500 },
    );
  });
});
