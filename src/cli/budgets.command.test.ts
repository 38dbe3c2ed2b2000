import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subject, usd } from '../../test/support/budget-rig.js';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { waitFor } from '../../test/support/steward.js';
import { createBudgetGate } from '../budgets/budget-gate.js';
import { addBudgetSpend, listBudgets } from '../store/budgets.repo.js';
import { runCliCaptured } from '../../test/support/cli-capture.js';

/**
 * `steward budgets …` through the real CLI entry against a real SQLite store (the repository and the gate are
 * tested on both engines), and a running gate on the same store noticing the CLI's changes.
 */
let t: TestStore;
beforeEach(async () => {
  t = await openTestStore('sqlite');
});
afterEach(async () => {
  await t.cleanup();
  process.exitCode = 0;
});

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  return runCliCaptured(['budgets', ...args, '--data-dir', t.dataDir]);
}

describe('steward budgets', () => {
  it('sets budgets and lists them with their spend in the current window', async () => {
    const set = await cli(
      'set',
      '--scope',
      'team:Platform',
      '--window',
      'daily',
      '--limit-usd',
      '50',
      '--action',
      'block',
    );
    expect(set).toMatchObject({ code: 0, err: '' });
    expect(set.out).toMatch(/^created budget [0-9a-f-]{36}: team:Platform daily \$50\.00 block\n$/);
    const again = await cli(
      'set',
      '--scope',
      'team:Platform',
      '--window',
      'daily',
      '--limit-usd',
      '60',
      '--action',
      'block',
    );
    expect(again.out).toMatch(/^updated budget .*\$60\.00 block/);
    await cli(
      'set',
      '--scope',
      'agent:release-bot',
      '--window',
      '5h',
      '--limit-tokens',
      '200000',
      '--action',
      'throttle',
      '--rpm',
      '5',
      '--warn-at',
      '0.5',
    );
    const [agent, team] = await listBudgets(t.store.db, 'default');
    expect(agent).toMatchObject({ unit: 'tokens', rate: { requestsPerMinute: 5 }, warnAt: 0.5 });
    await addBudgetSpend(t.store, 'default', [
      { budgetId: team!.id, bucketStart: Math.floor(Date.now() / 86_400_000) * 86_400_000, amount: 12_500_000 },
    ]);
    const list = await cli('list');
    expect(list.code).toBe(0);
    const lines = list.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SCOPE\s+WINDOW\s+LIMIT\s+SPENT\s+RESERVED\s+REMAINING\s+ACTION\s+PAUSED\s+ID$/);
    expect(lines[1]).toMatch(
      /^agent:release-bot\s+5h\s+200,000 tokens\s+0 tokens\s+0 tokens\s+200,000 tokens\s+throttle\s+no/,
    );
    expect(lines[2]).toMatch(/^team:Platform\s+daily\s+\$60\.00\s+\$12\.50\s+\$0\.00\s+\$47\.50\s+block\s+no/);
  });

  it('refuses an invalid budget naming the flag, and exits 1', async () => {
    const both = await cli(
      'set',
      '--scope',
      'org',
      '--window',
      'daily',
      '--limit-usd',
      '1',
      '--limit-tokens',
      '5',
      '--action',
      'warn',
    );
    expect(both.code).toBe(1);
    expect(both.err).toMatch(/--limit-usd: give exactly one of limit_usd or limit_tokens/);
    const noRate = await cli('set', '--scope', 'org', '--window', 'daily', '--limit-usd', '1', '--action', 'throttle');
    expect(noRate.err).toMatch(/--rpm\/--tpm: a throttle budget needs/);
    const scope = await cli('set', '--scope', 'group:x', '--window', 'daily', '--limit-usd', '1', '--action', 'warn');
    expect(scope.err).toMatch(/scope must be org or one of person:EMAIL/);
    const nan = await cli('set', '--scope', 'org', '--window', 'daily', '--limit-usd', 'lots', '--action', 'warn');
    expect(nan.err).toMatch(/--limit-usd must be a number/);
    expect(await listBudgets(t.store.db, 'default')).toEqual([]);
  });

  it('pauses an agent with no budget (the kill switch), which a running gate on the same store obeys, and resumes it', async () => {
    const gate = await createBudgetGate({ store: t.store, refreshMs: 100 });
    try {
      const bot = subject({ agent: 'release-bot' });
      expect((await gate.admit(bot, usd(1))).outcome).toBe('allow');
      expect((await cli('pause', '--scope', 'agent:release-bot')).out).toBe('paused agent:release-bot (1 budget)\n');
      await waitFor(async () => (await gate.admit(bot, usd(1))).outcome === 'paused', 2000);
      expect((await cli('list')).out).toMatch(
        /agent:release-bot\s+daily\s+-\s+\$0\.00\s+\$0\.00\s+-\s+kill switch\s+yes/,
      );
      expect((await cli('resume', '--scope', 'agent:release-bot')).out).toBe('resumed agent:release-bot (0 budgets)\n');
      await waitFor(async () => (await gate.admit(bot, usd(1))).outcome === 'allow', 2000);
      expect((await cli('list')).out).toBe('no budgets\n');
    } finally {
      await gate.close();
    }
  });

  it('deletes a budget by id', async () => {
    await cli('set', '--scope', 'key:k1', '--window', 'monthly', '--limit-usd', '5', '--action', 'warn');
    const [b] = await listBudgets(t.store.db, 'default');
    expect((await cli('delete', b!.id)).out).toBe(`deleted budget ${b!.id}\n`);
    expect((await cli('delete', b!.id)).err).toMatch(/no budget/);
  });
});
