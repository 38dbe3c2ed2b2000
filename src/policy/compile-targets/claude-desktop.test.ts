import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../version.js';
import type { CompiledPolicy } from '../compile.js';
import { loadPolicy } from '../load.js';
import {
  compileClaudeDesktop,
  DESKTOP_DOMAIN,
  desktopKeysSchema,
  renderDesktopJson,
  renderDesktopMobileconfig,
  renderDesktopReg,
  type ClaudeDesktopOptions,
} from './claude-desktop.js';
import { parsePlist } from './plist-reader.js';

function policyOf(yaml: string): CompiledPolicy {
  const r = loadPolicy(yaml, { file: 'test.yaml' });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.policy;
}

const DEFAULT = policyOf(readFileSync(join(packageRoot(), 'policies', 'default.yaml'), 'utf8'));
const NO_MCP = policyOf(`version: 1
name: no MCP
rules:
  - { id: no-mcp, action: deny, when: { mcpServers: "*" } }
  - { id: no-github, action: deny, when: { mcpServers: github } }
  - { id: shell, action: ask, when: { tools: ["Bash(rm *)"] } }
`);
const OPTIONS: ClaudeDesktopOptions = {
  server: 'https://steward.example.com/',
  token: 'stw_ingest_Zm9vYmFy',
  workspaceFolders: ['~/Projects', 'C:\\Users\\ana "work"', '~/Projects'],
  orgUuid: '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
};

describe('Claude Desktop keys', () => {
  it('come from the policy (every MCP server denied) and the deployment options', () => {
    const { keys, notes } = compileClaudeDesktop(NO_MCP, OPTIONS);
    expect(keys).toEqual({
      allowedWorkspaceFolders: ['~/Projects', 'C:\\Users\\ana "work"'],
      isLocalDevMcpEnabled: false,
      isDesktopExtensionEnabled: false,
      forceLoginOrgUUID: '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
      otlpEndpoint: 'https://steward.example.com',
      otlpProtocol: 'http/protobuf',
      otlpHeaders: { Authorization: 'Bearer stw_ingest_Zm9vYmFy' },
    });
    expect(desktopKeysSchema.safeParse(keys).success).toBe(true);
    const about = (rule: string) =>
      notes
        .filter((n) => n.rule === rule)
        .map((n) => n.text)
        .join(' ');
    expect(about('no-github')).toContain('Organization settings > Connectors');
    expect(about('shell')).toContain('no Claude Desktop key');
  });

  it('leave MCP alone when the policy does not deny every server, and follow --otlp-endpoint', () => {
    const { keys, notes } = compileClaudeDesktop(DEFAULT, {
      otlpEndpoint: 'http://collector:4318',
      otlpProtocol: 'http/json',
    });
    expect(keys).toEqual({ otlpEndpoint: 'http://collector:4318', otlpProtocol: 'http/json' });
    expect(notes.some((n) => n.text.startsWith('no token'))).toBe(true);
    expect(notes.some((n) => n.text.includes('credentials'))).toBe(true);
  });

  it('are empty when neither the policy nor the options set one', () => {
    expect(compileClaudeDesktop(DEFAULT, {}).keys).toEqual({});
  });

  it('skip MCP restrictions in shadow mode', () => {
    const shadow = policyOf(
      'version: 1\nname: s\ndefaults: { shadow: true }\nrules:\n  - { id: m, action: deny, when: { mcpServers: "*" } }\n',
    );
    expect(compileClaudeDesktop(shadow, { server: 'https://s.example' }).keys).not.toHaveProperty(
      'isLocalDevMcpEnabled',
    );
  });

  it('refuse an empty folder and a malformed token', () => {
    expect(() => compileClaudeDesktop(DEFAULT, { workspaceFolders: [' '] })).toThrow(/--workspace-folder/);
    expect(() => compileClaudeDesktop(DEFAULT, { server: 'https://s.example', token: 'a b' })).toThrow(/bearer/);
  });
});

describe('renderings', () => {
  const { keys } = compileClaudeDesktop(NO_MCP, OPTIONS);

  it('JSON keeps the documented value types', () => {
    expect(JSON.parse(renderDesktopJson(keys))).toEqual(keys);
  });

  it('the .mobileconfig is a well-formed profile for com.anthropic.claudefordesktop', () => {
    const profile = parsePlist(renderDesktopMobileconfig(keys)) as Record<string, any>;
    expect(profile.PayloadType).toBe('Configuration');
    expect(profile.PayloadContent).toHaveLength(1);
    const payload = profile.PayloadContent[0];
    expect(payload).toMatchObject({ PayloadType: DESKTOP_DOMAIN, PayloadVersion: 1 });
    expect(payload.isLocalDevMcpEnabled).toBe(false);
    expect(payload.isDesktopExtensionEnabled).toBe(false);
    expect(payload.otlpEndpoint).toBe('https://steward.example.com');
    // string[] and object keys are JSON text, not native plist arrays or dictionaries.
    expect(typeof payload.allowedWorkspaceFolders).toBe('string');
    expect(JSON.parse(payload.allowedWorkspaceFolders)).toEqual(keys.allowedWorkspaceFolders);
    expect(JSON.parse(payload.otlpHeaders)).toEqual(keys.otlpHeaders);
  });

  it('the .reg writes HKLM\\SOFTWARE\\Policies\\Claude with DWORD booleans and escaped strings', () => {
    const lines = renderDesktopReg(keys).split('\r\n');
    expect(lines.slice(0, 3)).toEqual([
      'Windows Registry Editor Version 5.00',
      '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Claude]',
    ]);
    const values = new Map(
      lines.slice(3, -1).map((l) => {
        const m = /^"([^"\\]+)"=(dword:[0-9a-f]{8}|"((?:[^"\\]|\\.)*)")$/.exec(l);
        if (!m) throw new Error(`not a .reg value line: ${l}`);
        return [m[1] as string, m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[2] as string)];
      }),
    );
    expect(lines.at(-1)).toBe('');
    expect(values.get('isLocalDevMcpEnabled')).toBe('dword:00000000');
    expect(values.get('isDesktopExtensionEnabled')).toBe('dword:00000000');
    expect(JSON.parse(values.get('allowedWorkspaceFolders') as string)).toEqual(keys.allowedWorkspaceFolders);
    expect(values.get('forceLoginOrgUUID')).toBe(keys.forceLoginOrgUUID);
    expect(JSON.parse(values.get('otlpHeaders') as string)).toEqual(keys.otlpHeaders);
  });

  it('are deterministic: the same policy gives byte-identical files', () => {
    const again = compileClaudeDesktop(NO_MCP, { ...OPTIONS }).keys;
    for (const render of [renderDesktopJson, renderDesktopMobileconfig, renderDesktopReg]) {
      expect(render(again)).toBe(render(keys));
    }
  });
});
