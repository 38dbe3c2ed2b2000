import { describe, expect, it } from 'vitest';
import type { CompiledPolicy } from '../compile.js';
import { loadPolicy } from '../load.js';
import {
  analyseEndpointPolicy,
  CLAUDE_CODE_SCOPE,
  CLAUDE_DESKTOP_SCOPE,
  toClaudeCodeRule,
  type EndpointAnalysis,
} from './endpoint-rules.js';

function policyOf(yaml: string): CompiledPolicy {
  const r = loadPolicy(yaml, { file: 'test.yaml' });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.policy;
}

/** A policy of the given rules (YAML flow maps), optional defaults. */
function analyse(rules: string[], defaults = '', scope = CLAUDE_CODE_SCOPE): EndpointAnalysis {
  const body = rules.map((r) => `  - ${r}`).join('\n');
  return analyseEndpointPolicy(policyOf(`version: 1\nname: t\n${defaults}\nrules:\n${body}\n`), scope);
}

describe('which rules compile into permission rules', () => {
  it.each([
    ['an unconditional deny', '{ id: r, action: deny, when: { tools: ["Bash(curl *)"] } }', 'deny', ['Bash(curl *)']],
    [
      'an ask',
      '{ id: r, action: ask, when: { stage: tool_call, tools: ["Bash(git push *)"] } }',
      'ask',
      ['Bash(git push *)'],
    ],
    [
      'an allow',
      '{ id: r, action: allow, when: { tools: [Read, "WebFetch(domain:docs.example.com)"] } }',
      'allow',
      ['Read', 'WebFetch(domain:docs.example.com)'],
    ],
    [
      'a rule for Claude Code only',
      '{ id: r, action: deny, subjects: { surfaces: [claude_code] }, when: { tools: [Bash] } }',
      'deny',
      ['Bash'],
    ],
    [
      'a rule at the hook',
      '{ id: r, action: deny, when: { point: claude_code_hook, tools: [WebSearch] } }',
      'deny',
      ['WebSearch'],
    ],
    [
      'an MCP tool by server and tool',
      '{ id: r, action: ask, when: { mcpServers: github, mcpTools: ["create_*", delete_repo] } }',
      'ask',
      ['mcp__github__create_*', 'mcp__github__delete_repo'],
    ],
    [
      'every tool of an MCP server (ask)',
      '{ id: r, action: ask, when: { mcpServers: github } }',
      'ask',
      ['mcp__github'],
    ],
    ['Bash(*) as Bash', '{ id: r, action: deny, when: { tools: ["Bash(*)"] } }', 'deny', ['Bash']],
  ])('%s', (_name, rule, list, expected) => {
    const a = analyse([rule]);
    expect(a.permissions[list as 'allow' | 'ask' | 'deny']).toEqual(expected);
    expect(a.rules[0]?.leftToHooks).toEqual([]);
  });

  it.each([
    ['content conditions', '{ id: r, action: deny, when: { content: secret, tools: [Bash] } }', 'detectors'],
    ['subjects', '{ id: r, action: deny, subjects: { teams: [interns] }, when: { tools: [Bash] } }', 'some people'],
    ['exceptions', '{ id: r, action: deny, except: { people: [a@x.example] }, when: { tools: [Bash] } }', 'exceptions'],
    ['folders', '{ id: r, action: deny, when: { folders: ["/srv/**"], tools: [Bash] } }', 'folder'],
    ['time windows', '{ id: r, action: deny, when: { time: [{ hours: "22:00-06:00" }], tools: [Bash] } }', 'time'],
    ['warn', '{ id: r, action: warn, when: { tools: [Bash] } }', 'only a hook can warn'],
    ['redact', '{ id: r, action: redact, when: { tools: [Bash] } }', 'only a hook can redact'],
    ['a tool-result rule', '{ id: r, action: deny, when: { stage: tool_result, tools: [WebFetch] } }', 'tool_result'],
    ['no tool condition', '{ id: r, action: deny, when: { stage: prompt } }', 'no tool'],
    ['tools with MCP conditions', '{ id: r, action: deny, when: { tools: [Bash], mcpServers: x } }', 'combines'],
  ])('%s stay with the hooks', (_name, rule, why) => {
    const a = analyse([rule]);
    expect(a.permissions).toEqual({ allow: [], ask: [], deny: [] });
    expect(a.deniedMcpServers).toEqual([]);
    expect(a.rules[0]?.leftToHooks.join(' ')).toContain(why);
  });

  it('ignores rules for other surfaces and enforcement points', () => {
    const a = analyse([
      '{ id: gw, action: deny, when: { point: gateway, tools: [Bash] } }',
      '{ id: cowork, action: deny, subjects: { surfaces: [cowork] }, when: { tools: [Bash] } }',
      '{ id: off, enabled: false, action: deny, when: { tools: [Bash] } }',
    ]);
    expect(a.permissions.deny).toEqual([]);
    expect(a.rules.map((r) => [r.id, r.notForTarget])).toEqual([
      ['gw', 'it applies at gateway only'],
      ['cowork', 'it applies to cowork only'],
    ]);
  });

  it('compiles the patterns Claude Code reads the same way and leaves the others, one by one', () => {
    const a = analyse([
      '{ id: r, action: deny, when: { tools: ["Bash(rm -rf *)", "Read(/secrets/**)", "Read(//etc/shadow)", "Agent(x)"] } }',
    ]);
    expect(a.permissions.deny).toEqual(['Bash(rm -rf *)', 'Read(//etc/shadow)']);
    expect(a.rules[0]?.leftToHooks).toHaveLength(2);
  });

  it('keeps the first occurrence of a permission rule', () => {
    const a = analyse([
      '{ id: a, action: deny, when: { tools: ["Bash(curl *)", Bash(wget *)] } }',
      '{ id: b, action: deny, when: { tools: ["Bash(curl *)"] } }',
    ]);
    expect(a.permissions.deny).toEqual(['Bash(curl *)', 'Bash(wget *)']);
  });
});

describe('toClaudeCodeRule', () => {
  it.each([
    ['Bash(npm run test:*)', 'Bash(npm run test:*)'],
    ['Read(./.env)', 'Read(./.env)'],
    ['Edit(~/.ssh/**)', 'Edit(~/.ssh/**)'],
    ['mcp__github', 'mcp__github'],
    ['mcp__github__get_*', 'mcp__github__get_*'],
    ['WebFetch(domain:*.example.com)', 'WebFetch(domain:*.example.com)'],
    [' Bash(*) ', 'Bash'],
  ])('%s → %s', (pattern, rule) => expect(toClaudeCodeRule(pattern)).toEqual({ rule }));

  it.each([
    'mcp__git*',
    '*',
    'Bash*',
    'Edit(/src/**)',
    'Write(docs/**)',
    'Grep(src/**)',
    'WebFetch(https://x.example/*)',
    'Skill(deploy*)',
    'mcp__db__query(sql:DROP *)',
    'PowerShell(Remove-Item *)',
  ])('%s is left to the hooks', (pattern) => expect(toClaudeCodeRule(pattern)).toHaveProperty('why'));
});

describe('MCP servers', () => {
  it('denies servers by name for everyone', () => {
    const a = analyse(['{ id: r, action: deny, when: { mcpServers: [github, "my server"] } }']);
    expect(a.deniedMcpServers).toEqual(['github', 'my server']);
    expect(a.allowedMcpServers).toBeNull();
  });

  it('blocks every server when every server is denied (empty allowlist)', () => {
    for (const rule of [
      '{ id: r, action: deny, when: { mcpServers: "*" } }',
      '{ id: r, action: deny, when: { tools: ["mcp__*"] } }',
    ]) {
      const a = analyse([rule, '{ id: g, action: deny, when: { mcpServers: github } }']);
      expect(a.allowedMcpServers).toEqual([]);
      expect(a.deniedMcpServers).toEqual([]);
    }
  });

  it('leaves wildcard server names to the hooks', () => {
    const a = analyse(['{ id: r, action: deny, when: { mcpServers: "corp-*" } }']);
    expect(a.deniedMcpServers).toEqual([]);
    expect(a.rules[0]?.leftToHooks[0]).toContain('wildcards');
  });

  it('derives an allowlist only when the policy denies by default, from every rule that lets calls through', () => {
    const rules = [
      '{ id: gh, action: allow, when: { mcpServers: github } }',
      '{ id: jira, action: warn, subjects: { teams: [pm] }, when: { tools: ["mcp__jira__get_issue"] } }',
      '{ id: shell, action: allow, when: { tools: [Bash] } }',
      '{ id: prompts, action: allow, when: { stage: prompt } }',
    ];
    expect(analyse(rules, 'defaults: { action: deny }').allowedMcpServers).toEqual(['github', 'jira']);
    expect(analyse(rules).allowedMcpServers).toBeNull();
  });

  it('derives no allowlist when a rule could let an unnamed server through', () => {
    const a = analyse(
      [
        '{ id: gh, action: allow, when: { mcpServers: github } }',
        '{ id: any, action: ask, when: { stage: tool_call } }',
      ],
      'defaults: { action: deny }',
    );
    expect(a.allowedMcpServers).toBeNull();
    expect(a.mcpAllowlistNote).toContain('"any"');
  });
});

describe('models', () => {
  it('derives availableModels from the models a default-deny policy allows by name', () => {
    const a = analyse(
      [
        '{ id: std, action: allow, when: { models: [claude-sonnet-4-5, claude-haiku-4-5] } }',
        '{ id: opus, action: warn, subjects: { teams: [research] }, when: { models: claude-opus-4-5 } }',
        '{ id: tools, action: allow, when: { tools: [Bash] } }',
        '{ id: chat, action: allow, when: { stage: [prompt, tool_call, tool_result, session_start] } }',
      ],
      'defaults: { action: deny }',
    );
    expect(a.availableModels).toEqual(['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5']);
  });

  it.each([
    ['a wildcard model', '{ id: r, action: allow, when: { models: "claude-*" } }', 'wildcard'],
    ['a rule without models', '{ id: r, action: allow, when: { stage: model_request } }', 'no model condition'],
  ])('derives none when %s could be let through', (_name, rule, why) => {
    const a = analyse([rule], 'defaults: { action: deny }');
    expect(a.availableModels).toBeNull();
    expect(a.modelAllowlistNote).toContain(why);
  });

  it('never turns a model denylist into an allowlist', () => {
    const a = analyse(['{ id: r, action: deny, when: { models: claude-opus-4-5 } }']);
    expect(a.availableModels).toBeNull();
    expect(a.rules[0]?.leftToHooks[0]).toContain('model requests');
  });
});

describe('failure stance and shadow mode', () => {
  it('fails closed on the stages a closed rule covers', () => {
    const a = analyse(['{ id: r, action: deny, onFailure: closed, when: { stage: prompt, content: secret } }']);
    expect(a.failClosed).toEqual({
      SessionStart: false,
      UserPromptSubmit: true,
      PreToolUse: false,
      PostToolUse: false,
    });
    expect(
      analyse(['{ id: r, action: warn, when: { content: secret } }'], 'defaults: { onFailure: closed }').failClosed,
    ).toEqual({ SessionStart: true, UserPromptSubmit: true, PreToolUse: true, PostToolUse: true });
  });

  it('compiles nothing enforcing in shadow mode', () => {
    const a = analyse(
      [
        '{ id: r, action: deny, onFailure: closed, when: { tools: [Bash] } }',
        '{ id: m, action: deny, when: { mcpServers: "*" } }',
      ],
      'defaults: { shadow: true }',
    );
    expect(a.permissions).toEqual({ allow: [], ask: [], deny: [] });
    expect(a.allowedMcpServers).toBeNull();
    expect(Object.values(a.failClosed)).not.toContain(true);
  });
});

describe('Claude Desktop scope', () => {
  it('needs rules covering both the desktop app and Cowork', () => {
    const all = '{ id: r, action: deny, when: { mcpServers: "*" } }';
    const coworkOnly = '{ id: r, action: deny, subjects: { surfaces: [cowork] }, when: { mcpServers: "*" } }';
    const both = '{ id: r, action: deny, subjects: { surfaces: [cowork, desktop] }, when: { mcpServers: "*" } }';
    const hook = '{ id: r, action: deny, when: { point: claude_code_hook, mcpServers: "*" } }';
    expect(analyse([all], '', CLAUDE_DESKTOP_SCOPE).allowedMcpServers).toEqual([]);
    expect(analyse([coworkOnly], '', CLAUDE_DESKTOP_SCOPE).allowedMcpServers).toBeNull();
    expect(analyse([both], '', CLAUDE_DESKTOP_SCOPE).allowedMcpServers).toEqual([]);
    expect(analyse([hook], '', CLAUDE_DESKTOP_SCOPE).allowedMcpServers).toBeNull();
  });
});
