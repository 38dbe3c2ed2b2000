import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { budgetSpecSchema, pauseBudgetScope, removeBudget, setBudget } from '../budgets/budget-admin.js';
import { createBudgetGate } from '../budgets/budget-gate.js';
import { formatLimit } from '../budgets/budget-messages.js';
import { formatScope } from '../budgets/budget-scope.js';
import type { BudgetState } from '../contracts/budget.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import { connectRedis } from '../store/redis.js';
import { openStore, type Store } from '../store/store.js';
import { withAuditedStore } from './cli-audit.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * `steward budgets set|list|pause|resume|delete` (docs/budgets.md). Like `steward keys` and `steward policy`, they
 * open the configured store directly; running servers pick a change up within their refresh interval (1 s) by
 * polling the store's budget version. `list` reads the counters the servers use: Redis when `redisUrl` is
 * configured (spent and reserved are live), otherwise the settled spend in the store (reserved is then 0: in-process
 * reservations live in the server).
 */
const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const who = (): string => `cli:${userInfo().username}`;

async function withStore<T>(flags: ConfigFlags, fn: (store: Store, redisUrl: string | undefined) => Promise<T>) {
  const config = configFromFlags(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return await fn(store, config.redisUrl);
  } finally {
    await store.close();
  }
}

function number(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${v}"`);
  return n;
}

interface SetFlags extends ConfigFlags {
  scope: string;
  window: string;
  limitUsd?: string;
  limitTokens?: string;
  action: string;
  rpm?: string;
  tpm?: string;
  warnAt?: string;
  message?: string;
}

/** The flags as the API's body, validated by the same schema (so both refuse the same budgets alike). */
export function specFromFlags(f: SetFlags) {
  const rpm = number('rpm', f.rpm);
  const tpm = number('tpm', f.tpm);
  const parsed = budgetSpecSchema.safeParse({
    scope: f.scope,
    window: f.window,
    limit_usd: number('limit-usd', f.limitUsd),
    limit_tokens: number('limit-tokens', f.limitTokens),
    action: f.action,
    rate: rpm === undefined && tpm === undefined ? undefined : { requests_per_minute: rpm, tokens_per_minute: tpm },
    warn_at: number('warn-at', f.warnAt),
    message: f.message,
  });
  if (!parsed.success) {
    const flag = (path: PropertyKey[]) =>
      ({ limit_usd: '--limit-usd', limit_tokens: '--limit-tokens', warn_at: '--warn-at', rate: '--rpm/--tpm' })[
        String(path[0])
      ] ?? `--${String(path[0])}`;
    throw new Error(parsed.error.issues.map((i) => `${flag(i.path)}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

const amount = (s: BudgetState, n: number): string => formatLimit({ unit: s.budget.unit, limit: n });

/** The `list` table: one row per budget, columns padded to their widest cell. */
export function budgetTable(states: readonly BudgetState[]): string {
  const rows = states.map((s) => [
    formatScope(s.budget.scope),
    s.budget.window,
    s.budget.pauseOnly ? '-' : amount(s, s.budget.limit),
    amount(s, s.spent),
    amount(s, s.reserved),
    s.budget.pauseOnly ? '-' : amount(s, s.remaining),
    s.budget.pauseOnly ? 'kill switch' : s.budget.action,
    s.budget.paused ? 'yes' : 'no',
    s.budget.id,
  ]);
  const header = ['SCOPE', 'WINDOW', 'LIMIT', 'SPENT', 'RESERVED', 'REMAINING', 'ACTION', 'PAUSED', 'ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function registerBudgetsCommand(program: Command): void {
  const budgets = program.command('budgets').description('token and spend budgets: set, list, pause, resume');

  addConfigOptions(
    budgets
      .command('set')
      .description('create or update the budget of a scope, window and unit')
      .requiredOption('--scope <scope>', 'org | person:EMAIL | team:T | department:D | agent:A | workflow:W | key:ID')
      .requiredOption('--window <window>', 'daily | weekly | monthly | 5h (rolling)')
      .option('--limit-usd <n>', 'limit in US dollars')
      .option('--limit-tokens <n>', 'limit in tokens')
      .requiredOption('--action <action>', 'warn | throttle | block')
      .option('--rpm <n>', 'throttle: requests per minute admitted once the limit is reached')
      .option('--tpm <n>', 'throttle: tokens per minute admitted once the limit is reached')
      .option('--warn-at <fraction>', 'fraction of the limit at which warnings start (default 0.8)')
      .option('--message <text>', 'shown to the person when the budget stops or slows them'),
  ).action(async (flags: SetFlags) => {
    const spec = specFromFlags(flags);
    await withAuditedStore(flags, { action: 'budgets.create', command: 'budgets set' }, async (store, note) => {
      note.after = spec;
      const { record, created } = await setBudget(store, DEFAULT_ORG, spec, who());
      note.subject = { kind: 'budgets', id: record.id };
      note.details = { created };
      out(
        `${created ? 'created' : 'updated'} budget ${record.id}: ${formatScope(record.scope)} ${record.window} ` +
          `${formatLimit(record)} ${record.action}${record.paused ? ' (paused)' : ''}`,
      );
    });
  });

  addConfigOptions(budgets.command('list').description('budgets with spend in their current window')).action(
    async (flags: ConfigFlags) => {
      await withStore(flags, async (store, redisUrl) => {
        const redis = redisUrl ? await connectRedis(redisUrl) : undefined;
        const gate = await createBudgetGate({ store, redis: redis?.client, orgId: DEFAULT_ORG });
        try {
          const states = await gate.states();
          out(states.length === 0 ? 'no budgets' : budgetTable(states));
        } finally {
          await gate.close();
          await redis?.close();
        }
      });
    },
  );

  for (const paused of [true, false]) {
    addConfigOptions(
      budgets
        .command(paused ? 'pause' : 'resume')
        .description(
          paused
            ? 'the kill switch: refuse every request of a scope (an agent, a person, a key…) until resumed'
            : 'resume a paused scope',
        )
        .requiredOption(
          '--scope <scope>',
          'org | person:EMAIL | team:T | department:D | agent:A | workflow:W | key:ID',
        ),
    ).action(async (flags: ConfigFlags & { scope: string }) => {
      const verb = paused ? 'pause' : 'resume';
      await withAuditedStore(flags, { action: `budgets.${verb}`, command: `budgets ${verb}` }, async (store, note) => {
        note.after = { scope: flags.scope };
        const records = await pauseBudgetScope(store, DEFAULT_ORG, flags.scope, paused, who());
        note.details = { budgets: records.map((r) => r.id) };
        out(
          `${paused ? 'paused' : 'resumed'} ${flags.scope} (${records.length} budget${records.length === 1 ? '' : 's'})`,
        );
      });
    });
  }

  addConfigOptions(
    budgets.command('delete').description('delete a budget and its recorded spend').argument('<id>'),
  ).action(async (id: string, flags: ConfigFlags) => {
    await withAuditedStore(flags, { action: 'budgets.delete', command: 'budgets delete' }, async (store, note) => {
      note.subject = { kind: 'budgets', id };
      await removeBudget(store, DEFAULT_ORG, id);
      out(`deleted budget ${id}`);
    });
  });
}
