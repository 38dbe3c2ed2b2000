import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBudget } from '../../src/budgets/budget-admin.js';
import type { StewardBudgetGate } from '../../src/budgets/budget-gate.js';
import { createGatewayKey } from '../../src/identity/gateway-keys.js';
import { MOCK_USAGE, startMockMessagesApi, type MockMessagesApi } from '../support/claude-code/mock-messages-api.js';
import { ensureClaudeCode, runClaude } from '../support/claude-code/run-claude.js';
import { claudeTelemetryEnv } from '../support/claude-code/telemetry-env.js';
import { ensureBuilt, repoRoot } from '../support/steward-process.js';
import { startTestSteward, waitFor, type TestSteward } from '../support/steward.js';

/**
 * The real Claude Code CLI (2.1.329, `-p`, temp HOME) with `ANTHROPIC_BASE_URL` at Steward's gateway, which forwards
 * to the scripted Messages API mock, and its OpenTelemetry exported to the same Steward:
 *   - the run works through the gateway and is metered to the key's person; the gateway's and the CLI's own
 *     `api_request` reports of each request count once;
 *   - the key is taken from `apiKeyHelper: steward gateway-key` as managed settings would set it;
 *   - once the person's budget is spent, the CLI shows the budget's message (and does not retry).
 */
type Json = Record<string, any>;
const EMAIL = 'cli.person@example.com';
const BUDGET_MESSAGE = 'Steward: your daily Claude budget is used up. It resets at 00:00 UTC.';

let t: TestSteward;
let mock: MockMessagesApi;
let key: string;
const temps: string[] = [];

beforeAll(async () => {
  await ensureClaudeCode();
  await ensureBuilt();
  mock = await startMockMessagesApi();
  t = await startTestSteward({ config: { gateway: { upstream: mock.url, upstreamApiKey: 'sk-ant-upstream-000' } } });
  key = (await createGatewayKey(t.steward.store, 'person', EMAIL)).key;
}, 600_000);

afterAll(async () => {
  await Promise.allSettled([mock?.close(), t?.stop()]);
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** A HOME whose settings use `steward gateway-key` as the apiKeyHelper, with the key in ~/.steward/gateway-key. */
function homeWithKeyHelper(): string {
  const home = mkdtempSync(join(tmpdir(), 'steward-cc-gw-'));
  temps.push(home);
  mkdirSync(join(home, '.claude'));
  mkdirSync(join(home, '.steward'));
  writeFileSync(join(home, '.steward', 'gateway-key'), key + '\n', { mode: 0o600 });
  const helper = `node ${join(repoRoot, 'bin', 'steward.js')} gateway-key`;
  writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ apiKeyHelper: helper }));
  return home;
}

async function run(prompt: string) {
  mock.requests.length = 0;
  return runClaude({
    prompt,
    home: homeWithKeyHelper(),
    timeoutMs: 90_000,
    env: {
      ANTHROPIC_BASE_URL: `${t.url}/gateway/anthropic`,
      ANTHROPIC_API_KEY: '', // the key comes from apiKeyHelper
      CLAUDE_CODE_MAX_RETRIES: '1',
      ...claudeTelemetryEnv(t.url, t.tokens.ingest, 'http/json'),
    },
  });
}

describe('the real Claude Code CLI through the gateway', () => {
  it('runs, is metered to the key’s person, and each request counts once alongside its OTel report', async () => {
    const result = await run('say hello');
    expect(result.exitCode, result.stderr + result.stdout).toBe(0);
    const out = result.json as Json;
    expect(out.is_error).toBe(false);
    expect(mock.requests.length).toBe(2); // the Bash tool turn and the final answer
    for (const r of mock.requests) {
      expect(r.url).toBe('/v1/messages?beta=true');
      expect(r.headers['x-api-key']).toBe('sk-ant-upstream-000');
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers['x-claude-code-session-id']).toBe(out.session_id);
    }
    const requestIds = mock.requests.map((r) => r.requestId);
    const rows = await waitFor(async () => {
      const rows = await t.steward.store.db
        .selectFrom('events')
        .selectAll()
        .where('request_id', 'in', requestIds)
        .where('kind', 'in', ['api_request', 'api_request_duplicate'])
        .orderBy('id')
        .execute();
      // The gateway's two reports, and the CLI's two OTel api_request events (exported at exit).
      return rows.length >= 4 ? rows : undefined;
    }, 20_000);
    const gateway = rows.filter((r) => r.source === 'gateway');
    const otel = rows.filter((r) => r.source === 'otlp');
    expect(gateway).toHaveLength(2);
    expect(otel).toHaveLength(2);
    // Whichever report of a request is committed first counts; the other is kept as its duplicate. Which one comes
    // first is a race (the CLI exports at exit, the gateway flushes its meter every 100 ms), so both orders pass.
    for (const id of requestIds) {
      const kinds = rows.filter((r) => r.request_id === id).map((r) => r.kind);
      expect(kinds.sort()).toEqual(['api_request', 'api_request_duplicate']);
    }
    for (const g of gateway) {
      expect(g).toMatchObject({
        session_id: out.session_id,
        surface: 'claude_code',
        model: mock.requests[0]?.body?.model,
      });
      const usage =
        g.kind === 'api_request'
          ? g
          : ((JSON.parse(g.attrs as string) as { duplicate: Record<string, unknown> }).duplicate as Json);
      expect(usage).toMatchObject({
        input_tokens: MOCK_USAGE.input_tokens,
        output_tokens: MOCK_USAGE.output_tokens,
        cache_read_tokens: MOCK_USAGE.cache_read_input_tokens,
        cache_write_tokens: MOCK_USAGE.cache_creation_input_tokens,
      });
    }
    const people = await t.steward.store.db
      .selectFrom('people')
      .select(['id', 'email'])
      .where(
        'id',
        'in',
        gateway.map((g) => g.person_id as string),
      )
      .execute();
    expect(people.map((p) => p.email)).toEqual([EMAIL]);
    const sums = await t.steward.store.db
      .selectFrom('rollups_hourly')
      .select((eb) => [eb.fn.sum<number>('requests').as('requests'), eb.fn.sum<number>('input_tokens').as('input')])
      .executeTakeFirstOrThrow();
    expect(Number(sums.requests)).toBe(2);
    expect(Number(sums.input)).toBe(2 * MOCK_USAGE.input_tokens);
  }, 120_000);

  it('stops a prompt holding a fake AWS key at the gateway: the CLI shows the policy message, the upstream saw nothing', async () => {
    const result = await run('deploy with AKIAQ3RT5X7ZJ2KMN4PW please');
    const out = result.json as Json;
    expect(out.is_error).toBe(true);
    expect(out.result).toContain('Steward stopped this because it contains');
    expect(mock.requests).toHaveLength(0);
  }, 120_000);

  it('shows the budget’s message once the person’s budget is spent, without retrying', async () => {
    const gate = t.steward.app.budgets as StewardBudgetGate;
    await setBudget(
      t.steward.store,
      gate.orgId,
      { scope: `person:${EMAIL}`, window: 'daily', limit_tokens: 1, action: 'block', message: BUDGET_MESSAGE },
      'test',
    );
    await gate.definitionsChanged();
    const result = await run('say hello again');
    const out = result.json as Json;
    expect(out.is_error).toBe(true);
    expect(out.result).toContain(BUDGET_MESSAGE);
    expect(mock.requests).toHaveLength(0);
  }, 120_000);
});
