import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPolicyVersion } from '../../src/store/policies.repo.js';
import {
  MOCK_TOOL_INPUT,
  startMockMessagesApi,
  type MockMessagesApi,
} from '../support/claude-code/mock-messages-api.js';
import { ensureClaudeCode, runClaude, type RunClaudeResult } from '../support/claude-code/run-claude.js';
import { claudeTelemetryEnv } from '../support/claude-code/telemetry-env.js';
import { ensureBuilt, repoRoot } from '../support/steward-process.js';
import { startTestSteward, waitFor, type TestSteward } from '../support/steward.js';

/**
 * The real Claude Code CLI (2.1.329, `-p`, temp HOME, scripted Messages API mock) with Steward's hooks in
 * ~/.claude/settings.json, once as the command hook (`node bin/steward.js hook`) and once as an `http` hook, and its
 * OpenTelemetry exported to the same Steward:
 *   - a prompt holding a fake AWS key is blocked before any model request, and the CLI prints the policy message;
 *   - the model's `Bash(rm -rf …)` is denied (the directory survives) and the model is told why;
 *   - an allowed Bash call runs;
 *   - Steward's telemetry shows the CLI's `tool_decision` with source `hook` and the matching `policy_decision`.
 */
type Json = Record<string, any>;
const FAKE_AWS_KEY_ID = 'AKIAQ3RT5X7ZJ2KMN4PW';
const FAKE_AWS_SECRET = 'wJa9Xk2Lq7Rt5Vb8Nz3Mc6Hd1Fg4Js0Pe2Ty7Ui9';

const POLICY = `version: 1
name: Interop test policy
acceptableUseUrl: https://intranet.example.com/ai/acceptable-use
defaults: { action: allow, onFailure: open }
rules:
  - id: credentials
    when: { stage: [prompt, tool_call], content: secret }
    action: deny
    onFailure: closed
    message: Steward stopped this because it contains {types}. Remove it and rotate it if it is real.
  - id: no-recursive-delete
    when: { stage: tool_call, tools: ["Bash(rm -rf *)"] }
    action: deny
    message: Recursive deletes are not allowed here; delete files one by one or ask your platform team.
`;

type Mode = 'command' | 'http';

function hookSettings(mode: Mode, steward: TestSteward): Json {
  const handler =
    mode === 'command'
      ? { type: 'command', command: `node ${join(repoRoot, 'bin', 'steward.js')} hook`, timeout: 10 }
      : {
          type: 'http',
          url: `${steward.url}/hooks/claude-code`,
          headers: { Authorization: 'Bearer $STEWARD_HOOK_TOKEN' },
          allowedEnvVars: ['STEWARD_HOOK_TOKEN'],
          timeout: 10,
        };
  const events = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse'];
  return { hooks: Object.fromEntries(events.map((e) => [e, [{ matcher: '*', hooks: [handler] }]])) };
}

const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

let t: TestSteward;
let mock: MockMessagesApi;
const originalCommand = MOCK_TOOL_INPUT.command;

beforeAll(async () => {
  await ensureClaudeCode();
  await ensureBuilt();
  t = await startTestSteward();
  const sha256 = createHash('sha256').update(POLICY).digest('hex');
  await insertPolicyVersion(t.steward.store, { name: 'interop', yaml: POLICY, sha256, author: 'test', activate: true });
  await t.steward.app.enforcement.policies.refresh();
  mock = await startMockMessagesApi();
}, 600_000);

afterAll(async () => {
  setMockCommand(originalCommand);
  await Promise.allSettled([mock?.close(), t?.stop()]);
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/**
 * The shared mock scripts one Bash call with MOCK_TOOL_INPUT (copied per request); the test points that call at the
 * command it needs. Each test file runs in its own process, so no other suite sees the change.
 */
function setMockCommand(command: string): void {
  (MOCK_TOOL_INPUT as { command: string }).command = command;
}

async function run(mode: Mode, prompt: string): Promise<{ result: RunClaudeResult; home: string }> {
  const home = tempDir('steward-cc-hooks-');
  mkdirSync(join(home, '.claude'));
  writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify(hookSettings(mode, t)));
  mock.requests.length = 0;
  const result = await runClaude({
    prompt,
    home,
    timeoutMs: 90_000,
    env: {
      ANTHROPIC_BASE_URL: mock.url,
      ...claudeTelemetryEnv(t.url, t.tokens.ingest, 'http/json'),
      STEWARD_HOOK_SERVER: t.url,
      STEWARD_HOOK_TOKEN: t.tokens.ingest,
      STEWARD_HOOK_CACHE: join(home, '.cache', 'steward', 'hook-policy.json'),
    },
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return { result, home };
}

async function events(sessionId: string, kind: string, count = 1): Promise<Json[]> {
  return waitFor(async () => {
    await t.steward.app.enforcement.recorder.settled();
    const now = Date.now();
    const q = new URLSearchParams({
      kind,
      session_id: sessionId,
      from: String(now - 600_000),
      to: String(now + 60_000),
    });
    const page = await t.getJson<{ items: Json[] }>(`/api/v1/events?${q}`);
    return page.items.length >= count ? page.items : undefined;
  }, 15_000);
}

for (const mode of ['command', 'http'] as const) {
  // Claude Code 2.1.329 runs SessionStart hooks of type command only: an http SessionStart hook is never called.
  const sessionStart = mode === 'command' ? ['session_start'] : [];
  describe(`real Claude Code CLI with Steward as a ${mode} hook`, () => {
    it('blocks a prompt holding an AWS key before any model request and shows the policy message', async () => {
      const { result } = await run(mode, `deploy with ${FAKE_AWS_KEY_ID} and ${FAKE_AWS_SECRET} please`);
      const out = result.json as Json;
      expect(out.result).toMatch(
        /^UserPromptSubmit operation blocked by hook:\nSteward stopped this because it contains/,
      );
      expect(out.result).toContain('acceptable-use');
      expect(out.result).not.toContain('steward.js'); // JSON block, not exit 2: no hook command line shown
      expect(out.num_turns).toBe(0);
      expect(mock.requests).toHaveLength(0);
      const decisions = await events(out.session_id, 'policy_decision', 1 + sessionStart.length);
      expect(decisions.map((e) => e.attributes.stage).sort()).toEqual(['prompt', ...sessionStart].sort());
      const prompt = decisions.find((e) => e.attributes.stage === 'prompt')!;
      expect(prompt).toMatchObject({ source: 'hook', decision: 'deny', decision_source: 'credentials' });
      expect(prompt.prompt_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(decisions)).not.toContain(FAKE_AWS_SECRET);
    });

    it('denies the model’s rm -rf, tells the model why, and the telemetry matches the decision', async () => {
      const victim = tempDir('steward-victim-');
      writeFileSync(join(victim, 'keep.txt'), 'still here');
      setMockCommand(`rm -rf ${victim}`);
      const { result } = await run(mode, 'please clean up the scratch folder');
      setMockCommand(originalCommand);
      const out = result.json as Json;
      expect(existsSync(join(victim, 'keep.txt'))).toBe(true);
      expect(out.permission_denials).toEqual([
        expect.objectContaining({
          tool_name: 'Bash',
          tool_input: expect.objectContaining({ command: `rm -rf ${victim}` }),
        }),
      ]);
      const toolUseId = out.permission_denials[0].tool_use_id as string;
      // The model's next request carries the policy message as the tool's error.
      const last = JSON.stringify(mock.requests.at(-1)?.body?.messages?.at(-1));
      expect(last).toContain('Recursive deletes are not allowed here');

      const [decision] = await events(out.session_id, 'tool_decision');
      expect(decision).toMatchObject({
        tool: 'Bash',
        decision: 'reject',
        decision_source: 'hook',
        tool_use_id: toolUseId,
      });
      const policies = await events(out.session_id, 'policy_decision', 2 + sessionStart.length);
      const policy = policies.find((e) => e.tool_use_id === toolUseId);
      expect(policy).toMatchObject({
        source: 'hook',
        decision: 'deny',
        decision_source: 'no-recursive-delete',
        tool: 'Bash',
        prompt_id: decision!.prompt_id,
        attributes: { stage: 'tool_call', enforced: 'deny', point: 'claude_code_hook' },
      });
      // The command hook sends Claude Code's install id (OTel user.id), so the decision names the same person as the
      // CLI's telemetry even though that telemetry is exported only at exit; an http hook cannot, and the session is
      // not known yet when it fires.
      expect(decision!.person_id).toBeTruthy();
      expect(policy!.person_id).toBe(mode === 'command' ? decision!.person_id : null);
    });

    it('lets an allowed tool run', async () => {
      setMockCommand('echo hello-from-steward');
      const { result } = await run(mode, 'say hello');
      const out = result.json as Json;
      expect(out.permission_denials).toEqual([]);
      const toolResult = JSON.stringify(mock.requests.at(-1)?.body?.messages?.at(-1));
      expect(toolResult).toContain('hello-from-steward');
      const [decision] = await events(out.session_id, 'tool_decision');
      expect(decision).toMatchObject({ tool: 'Bash', decision: 'accept' });
      const policies = await events(out.session_id, 'policy_decision', 3 + sessionStart.length);
      const stages = policies.map((e) => e.attributes.stage).sort();
      expect(stages).toEqual(['prompt', 'tool_call', 'tool_result', ...sessionStart].sort());
      expect(policies.every((e) => e.decision === 'allow')).toBe(true);
    });
  });
}
