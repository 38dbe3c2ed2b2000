import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../../test/support/fixtures.js';
import { packageRoot } from '../../version.js';
import type { CompiledPolicy } from '../compile.js';
import { loadPolicy } from '../load.js';
import { compileClaudeCode, renderClaudeCodeJson, renderClaudeCodeReg, type ClaudeCodeOptions } from './claude-code.js';
import { managedSettingsSchema, type HookHandler, type ManagedSettings } from './managed-settings.schema.js';

function policyOf(yaml: string): CompiledPolicy {
  const r = loadPolicy(yaml, { file: 'test.yaml' });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.policy;
}

const DEFAULT = policyOf(readFileSync(join(packageRoot(), 'policies', 'default.yaml'), 'utf8'));
const SERVER = 'https://steward.example.com';
const TOKEN = 'stw_ingest_Zm9vYmFyYmF6cXV4';
const base: ClaudeCodeOptions = { server: SERVER, token: TOKEN };

function compile(rules: string[], options: Partial<ClaudeCodeOptions> = {}, defaults = ''): ManagedSettings {
  const body = rules.map((r) => `  - ${r}`).join('\n');
  return compileClaudeCode(policyOf(`version: 1\nname: t\n${defaults}\nrules:\n${body}\n`), { ...base, ...options })
    .settings;
}

function handlers(s: ManagedSettings): Record<string, HookHandler> {
  return Object.fromEntries(
    Object.entries(s.hooks).map(([event, groups]) => [event, groups?.[0]?.hooks[0] as HookHandler]),
  );
}

describe('the shipped default policy', () => {
  const { settings, notes } = compileClaudeCode(DEFAULT, base);

  it('compiles destructive shell commands into permissions.ask and leaves content rules to the hooks', () => {
    expect(settings.permissions.ask).toContain('Bash(rm -rf *)');
    expect(settings.permissions.ask).toContain('Bash(terraform destroy*)');
    expect(settings.permissions.deny).toBeUndefined();
    expect(settings.permissions.allow).toBeUndefined();
    expect(settings.permissions.disableBypassPermissionsMode).toBe('disable');
    const credentials = notes.filter((n) => n.rule === 'credentials').map((n) => n.text);
    expect(credentials).toEqual(['left to the hooks: it depends on what the detectors find (content, types)']);
  });

  it('installs the command hook on the four events, failing closed where the credentials rule does', () => {
    const h = handlers(settings);
    expect(Object.keys(h)).toEqual(['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse']);
    expect(h.UserPromptSubmit).toEqual({
      type: 'command',
      command: `steward hook --server ${SERVER} --on-failure closed`,
      timeout: 10,
      onFailure: 'block',
    });
    expect(h.PreToolUse).toMatchObject({ onFailure: 'block' });
    expect(h.PostToolUse).toEqual({ type: 'command', command: `steward hook --server ${SERVER}`, timeout: 10 });
    expect(h.SessionStart).not.toHaveProperty('onFailure');
    expect(settings.hooks.PreToolUse?.[0]?.matcher).toBe('*');
    expect(settings.hooks.UserPromptSubmit?.[0]).not.toHaveProperty('matcher');
    expect(settings.allowManagedHooksOnly).toBe(true);
  });

  it('locks telemetry to Steward', () => {
    expect(settings.env).toEqual({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: SERVER,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${TOKEN}`,
      OTEL_LOG_TOOL_DETAILS: '1',
      STEWARD_HOOK_TOKEN: TOKEN,
    });
  });

  it('passes the schema of documented keys', () => {
    expect(managedSettingsSchema.safeParse(settings).success).toBe(true);
  });

  it('is deterministic: the same policy gives byte-identical files', () => {
    const again = compileClaudeCode(
      policyOf(readFileSync(join(packageRoot(), 'policies', 'default.yaml'), 'utf8')),
      base,
    );
    expect(renderClaudeCodeJson(again.settings)).toBe(renderClaudeCodeJson(settings));
    expect(renderClaudeCodeReg(again.settings)).toBe(renderClaudeCodeReg(settings));
  });
});

describe('custom policies', () => {
  it.each<[string, string[], string, (s: ManagedSettings) => unknown, unknown]>([
    [
      'unconditional deny tool rule → permissions.deny',
      ['{ id: r, action: deny, when: { tools: ["Bash(curl *)"] } }'],
      '',
      (s) => s.permissions.deny,
      ['Bash(curl *)'],
    ],
    [
      'ask rule → permissions.ask',
      ['{ id: r, action: ask, when: { tools: ["Bash(git push *)"] } }'],
      '',
      (s) => s.permissions.ask,
      ['Bash(git push *)'],
    ],
    [
      'allow rule → permissions.allow',
      ['{ id: r, action: allow, when: { tools: ["Bash(npm test)"] } }'],
      '',
      (s) => s.permissions.allow,
      ['Bash(npm test)'],
    ],
    [
      'MCP server deny → deniedMcpServers',
      ['{ id: r, action: deny, when: { mcpServers: [github, jira] } }'],
      '',
      (s) => s.deniedMcpServers,
      [{ serverName: 'github' }, { serverName: 'jira' }],
    ],
    [
      'every MCP server denied → allowedMcpServers []',
      ['{ id: r, action: deny, when: { mcpServers: "*" } }'],
      '',
      (s) => s.allowedMcpServers,
      [],
    ],
    [
      'default deny with allowed servers → allowedMcpServers',
      ['{ id: r, action: allow, when: { mcpServers: github } }'],
      'defaults: { action: deny }',
      (s) => s.allowedMcpServers,
      [{ serverName: 'github' }],
    ],
    [
      'models allowed by a default-deny policy → availableModels',
      ['{ id: r, action: allow, when: { models: [claude-sonnet-4-5] } }'],
      'defaults: { action: deny }',
      (s) => s.availableModels,
      ['claude-sonnet-4-5'],
    ],
    [
      'a model denylist → no availableModels',
      ['{ id: r, action: deny, when: { models: [claude-opus-4-5] } }'],
      '',
      (s) => s.availableModels,
      undefined,
    ],
    [
      'conditional rule → not in permissions',
      [
        '{ id: r, action: deny, subjects: { teams: [interns] }, when: { tools: [Bash] } }',
        '{ id: c, action: deny, when: { content: secret, tools: [Bash] } }',
      ],
      '',
      (s) => s.permissions,
      { disableBypassPermissionsMode: 'disable' },
    ],
    [
      'fail-closed tool rule → PreToolUse onFailure block',
      ['{ id: r, action: deny, onFailure: closed, when: { stage: tool_call, content: secret } }'],
      '',
      (s) => handlers(s).PreToolUse?.onFailure,
      'block',
    ],
    [
      'fail-open policy → no onFailure',
      ['{ id: r, action: deny, when: { content: secret } }'],
      '',
      (s) => Object.values(handlers(s)).some((h) => 'onFailure' in h),
      false,
    ],
    [
      'default fail-closed → every blockable event',
      ['{ id: r, action: warn, when: { content: personal } }'],
      'defaults: { onFailure: closed }',
      (s) =>
        Object.entries(handlers(s))
          .filter(([, h]) => h.onFailure === 'block')
          .map(([e]) => e),
      ['UserPromptSubmit', 'PreToolUse', 'PostToolUse'],
    ],
    [
      'shadow mode → nothing enforcing',
      ['{ id: r, action: deny, onFailure: closed, when: { tools: [Bash] } }'],
      'defaults: { shadow: true }',
      (s) => [s.permissions.deny, handlers(s).PreToolUse?.onFailure],
      [undefined, undefined],
    ],
  ])('%s', (_name, rules, defaults, pick, expected) => {
    const settings = compile(rules, {}, defaults);
    expect(pick(settings)).toEqual(expected);
    expect(managedSettingsSchema.safeParse(settings).success).toBe(true);
  });
});

describe('options', () => {
  const rules = ['{ id: r, action: deny, onFailure: closed, when: { stage: prompt, content: secret } }'];

  it('writes the http hook with the token header from the environment and allows only Steward', () => {
    const s = compile(rules, { hook: 'http', server: `${SERVER}/` });
    expect(handlers(s).UserPromptSubmit).toEqual({
      type: 'http',
      url: `${SERVER}/hooks/claude-code`,
      headers: { Authorization: 'Bearer $STEWARD_HOOK_TOKEN' },
      allowedEnvVars: ['STEWARD_HOOK_TOKEN'],
      timeout: 10,
      onFailure: 'block',
    });
    expect(s.allowedHttpHookUrls).toEqual([`${SERVER}/hooks/claude-code`]);
  });

  it('takes the hook command, OTLP endpoint and protocol, organisation and tool-details switch', () => {
    const s = compile(rules, {
      stewardCommand: '/opt/steward/bin/steward',
      otlpEndpoint: 'http://collector.internal:4317',
      otlpProtocol: 'grpc',
      toolDetails: false,
      orgUuid: '1F2E3D4C-5B6A-4978-8A9B-0C1D2E3F4A5B',
    });
    expect(handlers(s).SessionStart).toMatchObject({ command: `/opt/steward/bin/steward hook --server ${SERVER}` });
    expect(s.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://collector.internal:4317');
    expect(s.env.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('grpc');
    expect(s.env).not.toHaveProperty('OTEL_LOG_TOOL_DETAILS');
    expect(s.forceLoginOrgUUID).toBe('1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b');
  });

  it('carries no credential without a token, and says so', () => {
    const { settings, notes } = compileClaudeCode(DEFAULT, { server: SERVER });
    expect(settings.env).not.toHaveProperty('OTEL_EXPORTER_OTLP_HEADERS');
    expect(settings.env).not.toHaveProperty('STEWARD_HOOK_TOKEN');
    expect(notes.some((n) => n.text.startsWith('no token'))).toBe(true);
  });

  it.each<[string, Partial<ClaudeCodeOptions>, RegExp]>([
    ['a server that is not a URL', { server: 'steward' }, /--server must be a URL/],
    ['a server with a query', { server: `${SERVER}/?x=1` }, /query/],
    ['a token that would break a header', { token: 'abc,Evil=1' }, /bearer token/],
    ['gRPC without an endpoint', { otlpProtocol: 'grpc' }, /--otlp-endpoint/],
    ['an organisation that is not a UUID', { orgUuid: 'acme' }, /UUID/],
    ['a server the hook command line would need to quote', { server: "https://steward.example.com/a'b" }, /quote/],
  ])('refuses %s', (_name, options, error) => {
    expect(() => compileClaudeCode(DEFAULT, { ...base, ...options })).toThrow(error);
  });
});

describe('the schema of documented keys', () => {
  it('accepts the managed settings Claude Code 2.1.329 was observed enforcing', () => {
    expect(managedSettingsSchema.safeParse(fixtureJson('managed/managed-settings.used.json')).success).toBe(true);
  });

  it.each<[string, (s: Record<string, any>) => void]>([
    ['an undocumented top-level key', (s) => (s.permissionz = {})],
    ['a bypass mode other than "disable"', (s) => (s.permissions.disableBypassPermissionsMode = 'allow')],
    ['an MCP entry with two matchers', (s) => (s.deniedMcpServers = [{ serverName: 'a', serverUrl: 'https://a' }])],
    ['a hook event Steward does not install', (s) => (s.hooks.Stop = s.hooks.PreToolUse)],
    ['onFailure other than "block"', (s) => (s.hooks.PreToolUse[0].hooks[0].onFailure = 'allow')],
    ['a non-string env value', (s) => (s.env.CLAUDE_CODE_ENABLE_TELEMETRY = 1)],
    ['a malformed permission rule', (s) => (s.permissions.deny = ['Bash(rm'])],
  ])('rejects %s', (_name, mutate) => {
    const s = structuredClone(compileClaudeCode(DEFAULT, base).settings) as Record<string, any>;
    mutate(s);
    expect(managedSettingsSchema.safeParse(s).success).toBe(false);
  });
});

describe('the .reg form', () => {
  it('puts the whole JSON in HKLM\\SOFTWARE\\Policies\\ClaudeCode, value Settings', () => {
    const { settings } = compileClaudeCode(DEFAULT, base);
    const lines = renderClaudeCodeReg(settings).split('\r\n');
    expect(lines.slice(0, 3)).toEqual([
      'Windows Registry Editor Version 5.00',
      '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode]',
    ]);
    const m = /^"Settings"="(.*)"$/.exec(lines[3] as string);
    expect(m).not.toBeNull();
    const json = (m?.[1] as string).replace(/\\(["\\])/g, '$1');
    expect(JSON.parse(json)).toEqual(settings);
    expect(lines.slice(4)).toEqual(['']);
  });
});
