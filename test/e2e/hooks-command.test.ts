import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPolicyVersion } from '../../src/store/policies.repo.js';
import { fixtureJson } from '../support/fixtures.js';
import { ensureBuilt, freePort, repoRoot } from '../support/steward-process.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * `steward hook` as Claude Code runs it: the built `node bin/steward.js hook` as a child process, hook JSON on stdin,
 * Claude Code hook JSON on stdout, exit 0. With the server up, down with a cached policy, and down with nothing, under
 * fail-open and fail-closed policies; malformed, unknown and oversized input.
 */
type Json = Record<string, any>;
const FAKE_AWS_KEY_ID = 'AKIAQ3RT5X7ZJ2KMN4PW';
const FAKE_AWS_SECRET = 'wJa9Xk2Lq7Rt5Vb8Nz3Mc6Hd1Fg4Js0Pe2Ty7Ui9';
const BIN = join(repoRoot, 'bin', 'steward.js');

const OPEN_POLICY = `version: 1
name: Open test policy
defaults: { action: allow, onFailure: open }
rules:
  - id: credentials
    when: { content: secret }
    action: deny
`;

function stdin(name: string, patch: Json = {}): string {
  return JSON.stringify({ ...(fixtureJson(`hooks/stdin/${name}.json`) as { stdin: Json }).stdin, ...patch });
}

interface HookRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: Json | null;
  ms: number;
}

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'steward-hook-'));
  temps.push(d);
  return d;
}

/** Runs the hook with a clean environment (no STEWARD_* from the test runner) plus `env`. */
function runHook(input: string | Buffer, env: Record<string, string>, args: string[] = []): Promise<HookRun> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STEWARD_')) clean[k] = v;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('node', [BIN, 'hook', ...args], { env: { ...clean, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: Json | null = null;
      if (stdout !== '') json = JSON.parse(stdout) as Json;
      resolve({ code, stdout, stderr, json, ms: Date.now() - started });
    });
    child.stdin.on('error', () => undefined); // the hook may stop reading an oversized input early
    child.stdin.end(input);
  });
}

let t: TestSteward;
let home: string;
let cache: string;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  if (!existsSync(join(repoRoot, 'dist', 'src', 'cli', 'hook.command.js'))) throw new Error('run npm run build first');
  t = await startTestSteward();
  home = tempDir();
  cache = join(home, 'cache', 'hook-policy.json');
  env = { HOME: home, STEWARD_HOOK_SERVER: t.url, STEWARD_HOOK_TOKEN: t.tokens.ingest, STEWARD_HOOK_CACHE: cache };
});

afterAll(async () => {
  await t?.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('steward hook with the server up', () => {
  it('blocks a prompt holding an AWS key with JSON on stdout and exit 0, and caches the policy', async () => {
    const r = await runHook(stdin('UserPromptSubmit', { prompt: `here: ${FAKE_AWS_KEY_ID} ${FAKE_AWS_SECRET}` }), env);
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ decision: 'block', reason: expect.stringContaining('Steward stopped this') });
    const cached = JSON.parse(readFileSync(cache, 'utf8')) as Json;
    expect(cached).toMatchObject({ format: 1, server: t.url, policy: { version: expect.stringMatching(/^default:/) } });
    expect(statSync(cache).mode & 0o777).toBe(0o600);
  });

  it('says nothing for an ordinary tool call, asks for rm -rf, denies a credential in a command', async () => {
    expect((await runHook(stdin('PreToolUse'), env)).stdout).toBe('');
    const ask = await runHook(stdin('PreToolUse', { tool_input: { command: 'rm -rf /var/lib/app' } }), env);
    expect(ask.json?.hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'ask' });
    const deny = await runHook(
      stdin('PreToolUse', { tool_input: { command: `export AWS_SECRET_ACCESS_KEY=${FAKE_AWS_SECRET}` } }),
      env,
    );
    expect(deny.json?.hookSpecificOutput.permissionDecision).toBe('deny');
  });

  it('records the decisions on the server', async () => {
    await t.steward.app.enforcement.recorder.settled();
    const now = Date.now();
    const page = await t.getJson<{ items: Json[] }>(
      `/api/v1/events?kind=policy_decision&from=${now - 600_000}&to=${now + 60_000}`,
    );
    expect(page.items.map((e) => e.decision).sort()).toEqual(expect.arrayContaining(['allow', 'ask', 'deny', 'deny']));
  });

  it('answers events it does not decide on at once, without asking the server', async () => {
    for (const name of ['Stop', 'SessionEnd', 'MessageDisplay']) {
      // With a 10 s server timeout, asking the unroutable server would take 10 s; a start-up on a loaded machine won't.
      const r = await runHook(stdin(name), { ...env, STEWARD_HOOK_SERVER: 'http://192.0.2.1:9' }, [
        '--timeout-ms',
        '10000',
      ]);
      expect(r).toMatchObject({ code: 0, stdout: '' });
      expect(r.ms).toBeLessThan(8_000);
    }
  });

  it('lets the server decide on malformed input: the default policy fails closed', async () => {
    const r = await runHook('{"hook_event_name":"PreToolUse","session_id":"s"}', env);
    expect(r.json?.hookSpecificOutput).toMatchObject({ permissionDecision: 'deny' });
  });

  it('never prints the token or the environment it inherits from Claude Code', async () => {
    const apiKey = 'sk-ant-api03-inherited-by-hooks-000';
    const r = await runHook(
      stdin('PreToolUse'),
      { ...env, STEWARD_HOOK_TOKEN: 'stw_ingest_not-a-real-token', ANTHROPIC_API_KEY: apiKey },
      ['--token', 'stw_ingest_not-a-real-token'],
    );
    expect(r.stderr).toMatch(/401 \(check the hook token\)/);
    expect(r.stdout + r.stderr).not.toContain('not-a-real-token');
    const broken = await runHook('not json', { ...env, ANTHROPIC_API_KEY: apiKey, STEWARD_HOOK_SERVER: 'http://[::1' });
    expect(broken.stdout + broken.stderr).not.toContain(apiKey);
  });
});

describe('steward hook with the server down', () => {
  let down: Record<string, string>;
  beforeAll(async () => {
    down = { ...env, STEWARD_HOOK_SERVER: `http://127.0.0.1:${await freePort()}` };
  });

  it('decides with the cached policy', async () => {
    // The cache belongs to the server URL it came from: point it at the unreachable one.
    const cached = JSON.parse(readFileSync(cache, 'utf8')) as Json;
    writeFileSync(cache, JSON.stringify({ ...cached, server: down.STEWARD_HOOK_SERVER }), { mode: 0o600 });
    const block = await runHook(stdin('UserPromptSubmit', { prompt: `AWS ${FAKE_AWS_KEY_ID}` }), down);
    expect(block.code).toBe(0);
    expect(block.json).toEqual({ decision: 'block', reason: expect.stringContaining('Steward stopped this') });
    expect(block.stderr).toMatch(/unreachable.*\n.*cached policy default:/);
    const ask = await runHook(stdin('PreToolUse', { tool_input: { command: 'rm -rf ~/' } }), down);
    expect(ask.json?.hookSpecificOutput.permissionDecision).toBe('ask');
    expect((await runHook(stdin('PreToolUse'), down)).stdout).toBe('');
    // Malformed input with the cached default policy (fail-closed for prompts and tool calls) is blocked.
    expect((await runHook('not json', down)).json).toMatchObject({ decision: 'block' });
  });

  it('spools what it decided offline and sends it once the server answers again', async () => {
    const spool = join(home, 'cache', 'hook-decisions.jsonl');
    const lines = readFileSync(spool, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(readFileSync(spool, 'utf8')).not.toContain(FAKE_AWS_KEY_ID);
    const r = await runHook(stdin('PreToolUse'), env); // the server is reachable again
    expect(r.stderr).not.toMatch(/could not send/);
    expect(existsSync(spool)).toBe(false);
    await t.steward.app.enforcement.recorder.settled();
    const now = Date.now();
    const page = await t.getJson<{ items: Json[] }>(
      `/api/v1/events?kind=policy_decision&from=${now - 600_000}&to=${now + 60_000}&limit=500`,
    );
    const offline = page.items.filter((e) => e.attributes.offline === true);
    expect(offline).toHaveLength(lines.length);
    expect(offline.find((e) => e.attributes.stage === 'prompt')).toMatchObject({
      source: 'hook',
      decision: 'deny',
      decision_source: 'credentials',
      attributes: { detector_types: ['aws_access_key_id'], enforced: 'deny' },
    });
    // Sending the same records again stores nothing new (each carries its own id).
    const again = await t.api('/hooks/claude-code/decisions', {
      method: 'POST',
      role: 'ingest',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decisions: lines.map((l) => JSON.parse(l) as unknown) }),
    });
    expect(await again.json()).toEqual({ recorded: lines.length });
    await t.steward.app.enforcement.recorder.settled();
    const after = await t.getJson<{ items: Json[] }>(
      `/api/v1/events?kind=policy_decision&from=${now - 600_000}&to=${now + 60_000}&limit=500`,
    );
    expect(after.items.filter((e) => e.attributes.offline === true)).toHaveLength(lines.length);
  });

  it('with no cache, fails open by default and closed when told to', async () => {
    const none = { ...down, STEWARD_HOOK_CACHE: join(tempDir(), 'none.json') };
    const open = await runHook(stdin('PreToolUse'), none);
    expect(open).toMatchObject({ code: 0, stdout: '' });
    expect(open.stderr).toMatch(/no cached policy; failing open/);
    const closed = await runHook(stdin('PreToolUse'), { ...none, STEWARD_HOOK_ON_FAILURE: 'closed' });
    expect(closed.json).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringContaining('could not check'),
      },
    });
    const prompt = await runHook(stdin('UserPromptSubmit'), none, ['--on-failure', 'closed']);
    expect(prompt.json).toEqual({ decision: 'block', reason: expect.stringContaining('could not check') });
    expect((await runHook(stdin('SessionStart'), none, ['--on-failure', 'closed'])).stdout).toBe('');
    expect((await runHook('garbage', none, ['--on-failure', 'closed'])).json).toMatchObject({ decision: 'block' });
  });

  it('follows a cached fail-open policy: malformed input passes, content rules still apply', async () => {
    const yaml = OPEN_POLICY;
    await insertPolicyVersion(t.steward.store, {
      name: 'open',
      yaml,
      sha256: createHash('sha256').update(yaml).digest('hex'),
      author: 'test',
      activate: true,
    });
    await t.steward.app.enforcement.policies.refresh();
    const openCache = join(tempDir(), 'open.json');
    // Fetch the new policy through the server, then take the server away.
    await runHook(stdin('PreToolUse'), { ...env, STEWARD_HOOK_CACHE: openCache });
    const cached = JSON.parse(readFileSync(openCache, 'utf8')) as Json;
    expect(cached.policy.version).toBe('v1');
    writeFileSync(openCache, JSON.stringify({ ...cached, server: down.STEWARD_HOOK_SERVER }));
    const offline = { ...down, STEWARD_HOOK_CACHE: openCache, STEWARD_HOOK_ON_FAILURE: 'closed' };
    expect((await runHook('not json', offline)).stdout).toBe('');
    const r = await runHook(
      stdin('UserPromptSubmit', { prompt: `aws_secret_access_key = ${FAKE_AWS_SECRET}` }),
      offline,
    );
    expect(r.json).toMatchObject({ decision: 'block' });
  });

  it('gives up on a server that does not answer within the timeout and decides locally', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const none = join(tempDir(), 'none.json');
      const r = await runHook(
        stdin('PreToolUse'),
        { ...env, STEWARD_HOOK_SERVER: `http://127.0.0.1:${port}`, STEWARD_HOOK_CACHE: none },
        ['--timeout-ms', '300', '--on-failure', 'closed'],
      );
      expect(r.stderr).toMatch(/timed out after 300 ms/);
      expect(r.json?.hookSpecificOutput.permissionDecision).toBe('deny');
      expect(r.ms).toBeLessThan(3_000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('treats input over 8 MiB as unreadable', async () => {
    const none = { ...down, STEWARD_HOOK_CACHE: join(tempDir(), 'none.json') };
    const big = Buffer.alloc(8 * 1024 * 1024 + 10, 0x61);
    const r = await runHook(big, none, ['--on-failure', 'closed']);
    expect(r.json).toMatchObject({ decision: 'block' });
    expect(r.stderr).toMatch(/larger than/);
  });

  it('rejects bad flags with usage and exit 1', async () => {
    const r = await runHook('', env, ['--bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Usage: steward hook/);
  });
});
