import { Command } from 'commander';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MOCK_TOOL_INPUT,
  startMockMessagesApi,
  type MockMessagesApi,
} from '../../test/support/claude-code/mock-messages-api.js';
import { ensureClaudeCode, runClaude } from '../../test/support/claude-code/run-claude.js';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { freePort } from '../../test/support/steward-process.js';
import { managedSettingsSchema } from '../policy/compile-targets/managed-settings.schema.js';
import { parsePlist } from '../policy/compile-targets/plist-reader.js';
import { insertPolicyVersion } from '../store/policies.repo.js';
import { packageRoot } from '../version.js';
import { registerPolicyCompileCommand } from './policy-compile.command.js';

/**
 * `steward policy compile` with real files and a real store, through a `policy` command built like the CLI's (errors
 * print one line and exit 1, as in main.ts); then the compiled file in the real Claude Code CLI (2.1.329, `-p`,
 * temp HOME, mock Messages API).
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'steward-compile-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = 0;
});

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.exitCode = 0;
  try {
    const program = new Command().name('steward');
    registerPolicyCompileCommand(program.command('policy'));
    try {
      await program.parseAsync(['node', 'steward', 'policy', 'compile', ...args]);
    } catch (e) {
      process.stderr.write(`steward: ${(e as Error).message}\n`);
      process.exitCode = 1;
    }
    return {
      out: out.mock.calls.map((c) => String(c[0])).join(''),
      err: err.mock.calls.map((c) => String(c[0])).join(''),
      code: Number(process.exitCode ?? 0),
    };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = 0;
  }
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const DEFAULT_POLICY = join(packageRoot(), 'policies', 'default.yaml');
const SERVER = 'https://steward.example.com';
const NO_ECHO = `version: 1
name: no echo
rules:
  - { id: no-echo, action: deny, when: { tools: ["Bash(echo *)"] } }
  - { id: no-mcp, action: deny, when: { mcpServers: "*" } }
`;

describe('steward policy compile --target claude-code', () => {
  it('prints managed settings on stdout and what was compiled on stderr', async () => {
    const r = await cli(
      '--target',
      'claude-code',
      '--policy',
      DEFAULT_POLICY,
      '--server',
      SERVER,
      '--token',
      'stw_ingest_x',
    );
    expect(r.code).toBe(0);
    const settings = managedSettingsSchema.parse(JSON.parse(r.out));
    expect(settings.permissions.ask).toContain('Bash(rm -rf *)');
    expect(settings.env.STEWARD_HOOK_TOKEN).toBe('stw_ingest_x');
    expect(r.err).toContain('rule "destructive-shell": permissions.ask');
    expect(r.err).toContain('rule "credentials": left to the hooks');
  });

  it('writes --out with mode 0600, the token read from --token-file, and a UTF-16 .reg', async () => {
    const out = join(dir, 'managed.reg');
    const token = file('token', 'stw_ingest_fromfile\n');
    const r = await cli(
      '--target',
      'claude-code',
      '--policy',
      DEFAULT_POLICY,
      '--server',
      SERVER,
      '--token-file',
      token,
      '--format',
      'reg',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const text = bytes.subarray(2).toString('utf16le');
    expect(text.startsWith('Windows Registry Editor Version 5.00\r\n')).toBe(true);
    expect(text).toContain('stw_ingest_fromfile');
  });

  it('compiles the version in force when no --policy is given', async () => {
    const t: TestStore = await openTestStore('sqlite');
    try {
      const sha256 = createHash('sha256').update(NO_ECHO).digest('hex');
      await insertPolicyVersion(t.store, { name: 'no echo', yaml: NO_ECHO, sha256, author: 'test', activate: true });
      const r = await cli('--target', 'claude-code', '--server', SERVER, '--data-dir', t.dataDir, '--quiet');
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      const settings = JSON.parse(r.out);
      expect(settings.permissions.deny).toEqual(['Bash(echo *)']);
      expect(settings.allowedMcpServers).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it.each([
    ['no --server', ['--target', 'claude-code'], /needs --server/],
    ['an unknown target', ['--target', 'vscode', '--server', SERVER], /--target must be/],
    [
      'a format the target has not',
      ['--target', 'claude-code', '--server', SERVER, '--format', 'mobileconfig'],
      /--format for claude-code/,
    ],
    ['an unknown hook kind', ['--target', 'claude-code', '--server', SERVER, '--hook', 'grpc'], /--hook must be/],
    [
      '--token and --token-file',
      ['--target', 'claude-code', '--server', SERVER, '--token', 'a', '--token-file', 'b'],
      /not both/,
    ],
  ])('refuses %s', async (_name, args, error) => {
    const r = await cli(...args, '--policy', DEFAULT_POLICY);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(error);
    expect(r.out).toBe('');
  });

  it('prints the problems of a policy that does not load', async () => {
    const bad = file(
      'bad.yaml',
      'version: 1\nname: x\nrules:\n  - { id: r, action: deny, when: { tools: ["Bash(rm"] } }\n',
    );
    const r = await cli('--target', 'claude-code', '--server', SERVER, '--policy', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.yaml:4:\d+: rule "r"/);
    expect(r.out).toBe('');
  });
});

describe('steward policy compile --target claude-desktop', () => {
  it('writes a configuration profile', async () => {
    const policy = file('p.yaml', NO_ECHO);
    const r = await cli(
      '--target',
      'claude-desktop',
      '--policy',
      policy,
      '--format',
      'mobileconfig',
      '--workspace-folder',
      '~/work',
      '--workspace-folder',
      '/srv/shared',
      '--server',
      SERVER,
    );
    expect(r.code).toBe(0);
    const payload = (parsePlist(r.out) as { PayloadContent: Record<string, unknown>[] }).PayloadContent[0];
    expect(payload).toMatchObject({
      PayloadType: 'com.anthropic.claudefordesktop',
      allowedWorkspaceFolders: '["~/work","/srv/shared"]',
      isLocalDevMcpEnabled: false,
      otlpEndpoint: SERVER,
    });
  });

  it('refuses to write an empty file and gRPC', async () => {
    const empty = await cli('--target', 'claude-desktop', '--policy', DEFAULT_POLICY);
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/nothing to write/);
    const grpc = await cli(
      '--target',
      'claude-desktop',
      '--policy',
      DEFAULT_POLICY,
      '--server',
      SERVER,
      '--otlp-protocol',
      'grpc',
    );
    expect(grpc.err).toMatch(/gRPC/);
  });
});

/**
 * The compiled file in the real Claude Code. Linux reads managed settings only from /etc/claude-code (claude-code-
 * observed.md §5) and the harness has no way to point it elsewhere, so the file is given with `--settings`: the same
 * keys from the source just below managed settings (a managed `permissions.deny` was observed beating --allowedTools
 * the same way). Steward is unreachable on purpose — a refused port — so what Claude Code enforces here it enforces
 * by itself: the compiled deny rule, and the fail-closed hook.
 */
describe('the compiled file in Claude Code', () => {
  let mock: MockMessagesApi;
  let deadServer: string;
  beforeAll(async () => {
    await ensureClaudeCode();
    mock = await startMockMessagesApi();
    deadServer = `http://127.0.0.1:${await freePort()}`;
  }, 600_000);
  afterAll(async () => {
    await mock?.close();
  });

  async function runWith(policyYaml: string | null): Promise<{ json: Record<string, any>; toolResult: any }> {
    const policy = policyYaml === null ? DEFAULT_POLICY : file('policy.yaml', policyYaml);
    const settings = join(dir, 'managed-settings.json');
    const c = await cli(
      '--target',
      'claude-code',
      '--policy',
      policy,
      '--server',
      deadServer,
      '--hook',
      'http',
      '--token',
      'stw_ingest_test',
      '--out',
      settings,
      '--quiet',
    );
    expect(c.code, c.err).toBe(0);
    mock.requests.length = 0;
    const r = await runClaude({
      prompt: 'say hello',
      env: { ANTHROPIC_BASE_URL: mock.url },
      args: ['--settings', settings],
      timeoutMs: 90_000,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const last = mock.requests.at(-1)?.body?.messages?.at(-1)?.content;
    const toolResult = Array.isArray(last) ? last.find((b) => b.type === 'tool_result') : undefined;
    return { json: r.json as Record<string, any>, toolResult };
  }

  it('enforces a compiled permissions.deny rule with Steward unreachable', async () => {
    const { json, toolResult } = await runWith(NO_ECHO);
    expect(json.permission_denials).toEqual([
      expect.objectContaining({
        tool_name: 'Bash',
        tool_input: expect.objectContaining({ command: MOCK_TOOL_INPUT.command }),
      }),
    ]);
    // Claude Code's own permission message, not a hook's.
    expect(toolResult).toMatchObject({
      is_error: true,
      content: `Permission to use Bash with command ${MOCK_TOOL_INPUT.command} has been denied.`,
    });
  }, 120_000);

  it('runs the same call when the policy has no such rule (control)', async () => {
    const { json, toolResult } = await runWith('version: 1\nname: open\nrules: []\n');
    expect(json.permission_denials).toEqual([]);
    expect(toolResult).toMatchObject({ is_error: false, content: 'hello-from-steward' });
  }, 120_000);

  it('blocks where the policy fails closed: the default policy stops the prompt when Steward cannot answer', async () => {
    const { json } = await runWith(null);
    expect(mock.requests).toHaveLength(0);
    expect(String(json.result)).toContain('blocking because onFailure is "block"');
  }, 120_000);
});
