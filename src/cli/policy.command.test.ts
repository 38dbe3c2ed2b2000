import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { packageRoot } from '../version.js';
import { runCliCaptured } from '../../test/support/cli-capture.js';
import { parseSince } from './policy.command.js';

/**
 * `steward policy …` through the real CLI entry against a real store (SQLite; the repository is tested on both
 * engines) and real files. Output is captured from process.stdout/stderr.
 */
let dir: string;
let t: TestStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-policy-cli-'));
  t = await openTestStore('sqlite');
});
afterEach(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = 0;
});

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  return runCliCaptured(['policy', ...args]);
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const store = () => ['--data-dir', t.dataDir];
const POLICY = `version: 1
name: draft
rules:
  - { id: creds, action: deny, when: { content: secret } }
  - { id: rm, action: ask, when: { tools: ["Bash(rm -rf *)"] } }
`;
/** Shaped like an AWS access key id (AKIA + 16), not a real one and not AWS's documented example. */
const FAKE_KEY = 'AKIAQ3EGRTKB7NZ4WXPL';

describe('steward policy validate', () => {
  it('accepts a good policy and the shipped default', async () => {
    expect((await cli('validate', file('p.yaml', POLICY))).out).toMatch(/p\.yaml: ok — "draft", 2 rules/);
    expect((await cli('validate', join(packageRoot(), 'policies/default.yaml'))).code).toBe(0);
  });

  it('exits 1 with file:line:column: rule: problem lines', async () => {
    const bad = file('bad.yaml', POLICY.replace('content: secret', 'content: secrit'));
    const r = await cli('validate', bad);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `${bad}:4:49: rule "creds": rules[0].when.content: "secrit" is not one of secret, personal, financial, organisation, hidden_text, injection\n`,
    );
  });
});

describe('steward policy test', () => {
  it('runs the default policy cases: every case passes', async () => {
    const r = await cli('test', join(packageRoot(), 'policies/default.cases.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^✓ a credential in a prompt is stopped/m);
    expect(r.out).toMatch(/\d+ passed, 0 failed/);
  });

  it('scans raw text with the detectors and exits 1 when a case fails', async () => {
    const cases = file(
      'cases.yaml',
      `policy: p.yaml
cases:
  - name: a key typed into a prompt is denied
    input: { stage: prompt, text: "use ${FAKE_KEY} for the deploy" }
    expect: { action: deny, rule: creds }
  - name: rm -rf asks
    input: { stage: tool_call, tool: Bash, toolInput: { command: "rm -rf build" } }
    expect: { action: allow }
`,
    );
    file('p.yaml', POLICY);
    const r = await cli('test', cases);
    expect(r.out).toContain('✓ a key typed into a prompt is denied');
    expect(r.out).toContain('✗ rm -rf asks\n    expected allow, got ask (rule rm)');
    expect(r.out).toContain('1 passed, 1 failed');
    expect(r.code).toBe(1);
  });
});

describe('steward policy push, activate, list, diff', () => {
  it('versions policies in the store and diffs versions and files', async () => {
    const p1 = file('p1.yaml', POLICY);
    const p2 = file('p2.yaml', POLICY.replace('action: ask', 'action: deny'));
    expect((await cli('push', p1, '--activate', '--comment', 'first', '--author', 'ann', ...store())).out).toMatch(
      /^pushed v1 \([0-9a-f-]{36}\) "draft": active/,
    );
    expect((await cli('push', p2, ...store())).out).toMatch(/^pushed v2 .*: draft/);
    expect((await cli('activate', 'v2', ...store())).out).toBe('activated v2 "draft"\n');
    const list = (await cli('list', ...store())).out.split('\n');
    expect(list[0]).toMatch(/^v2 {4}active {2}\S+ {2}\S+ \(cli\) {2}"draft"$/);
    expect(list[1]).toMatch(/^v1 {4}retired \S+ {2}ann {2}"draft" {2}first$/);
    const diff = (await cli('diff', '1', '2', ...store())).out;
    expect(diff).toContain('--- v1\n+++ v2\n');
    expect(diff).toContain('-  - { id: rm, action: ask');
    expect((await cli('diff', '2', p2, ...store())).out).toBe(`v2 and ${p2} are identical\n`);
    const missing = await cli('diff', '1', '9', ...store());
    expect([missing.code, missing.err]).toEqual([1, 'steward: not_found: no policy version 9\n']);
  });

  it('refuses to push a policy that does not load', async () => {
    const r = await cli('push', file('bad.yaml', 'version: 1\nname: x\nrules: [{ id: a }]\n'), ...store());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /bad\.yaml:3:9: rule "a": rules\[0\]\.action: missing: this key is required \(allow, warn, redact, ask, deny\)/,
    );
    expect((await cli('list', ...store())).out).toMatch(/no stored versions/);
  });
});

describe('steward policy backtest', () => {
  it('replays stored events in the window against a draft: counts by action, rule and person', async () => {
    const now = Date.now();
    const base = { org_id: 'default', source: 'otlp', surface: 'claude_code', attrs: '{}' };
    await t.store.db
      .insertInto('people')
      .values({
        id: 'p1',
        org_id: 'default',
        display_name: 'Ann',
        email: 'ann@example.com',
        is_demo: 0,
        first_seen: 0,
        last_seen: now,
      })
      .execute();
    await t.store.db
      .insertInto('events')
      .values([
        {
          ...base,
          dedupe_key: 'a',
          time: now - 3_600_000,
          kind: 'prompt',
          name: 'user_prompt',
          person_id: 'p1',
          content: `deploy ${FAKE_KEY}`,
        },
        {
          ...base,
          dedupe_key: 'b',
          time: now - 3_000_000,
          kind: 'prompt',
          name: 'user_prompt',
          person_id: 'p1',
          content: 'hello',
        },
        {
          ...base,
          dedupe_key: 'c',
          time: now - 2_000_000,
          kind: 'tool_result',
          name: 'tool_result',
          tool: 'Bash',
          decision: 'accept',
          attrs: JSON.stringify({ tool_parameters: JSON.stringify({ full_command: 'cd app && rm -rf dist' }) }),
        },
        {
          ...base,
          dedupe_key: 'd',
          time: now - 40 * 86_400_000,
          kind: 'prompt',
          name: 'user_prompt',
          content: FAKE_KEY,
        },
      ])
      .execute();
    const r = await cli('backtest', '--since', '30d', '--policy', file('p.yaml', POLICY), '--json', ...store());
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as Record<string, unknown> & {
      byRule: { ruleId: string; count: number; examples: { summary: string }[] }[];
    };
    expect(s).toMatchObject({ policy: 'draft', events: 3, evaluated: 3, eventsWithText: 2 });
    expect(s.byAction).toEqual({ allow: 1, warn: 0, redact: 0, ask: 1, deny: 1 });
    expect(s.byRule.map((x) => [x.ruleId, x.count])).toEqual([
      ['creds', 1],
      ['rm', 1],
    ]);
    expect(s.byRule[0]!.examples[0]!.summary).toBe('prompt: deploy [REDACTED:aws_access_key_id]');
    expect(r.out).not.toContain(FAKE_KEY);

    const text = await cli('backtest', '--since', '30d', '--policy', join(dir, 'p.yaml'), ...store());
    expect(text.out).toMatch(/would deny 1, ask 1, redact 0, warn 0, allow 1/);
    expect(text.out).toMatch(/By person:\n {2}ann@example\.com {2}deny 1/);
  });

  it('parses durations and times for --since', () => {
    const now = Date.parse('2026-11-21T00:00:00Z');
    expect(parseSince('30d', now)).toBe(Date.parse('2026-10-22T00:00:00Z'));
    expect(parseSince('12h', now)).toBe(Date.parse('2026-11-20T12:00:00Z'));
    expect(parseSince('2026-11-01', now)).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(() => parseSince('yesterday', now)).toThrow(/neither a duration/);
  });
});
