import type { Command } from 'commander';
import { rebuildTiers } from '../analytics/refresher.js';
import { rebuildRollups } from '../analytics/rollup-rebuild.js';
import { withAuditedStore } from './cli-audit.js';
import { addConfigOptions, type ConfigFlags } from './config-options.js';

/**
 * `steward rollups rebuild --since <ISO time>`: recompute the hourly rollups from raw events and metric points —
 * after a bug fix in the aggregation, an identity merge, or an import of historic data. Works on the configured
 * store directly, like `steward keys`; safe while the server runs (one transaction; ingest waits for it). Then
 * rebuilds the derived analytics tiers (migration 0005) from all events, since they fold with the same aggregation.
 */
export function registerRollupsCommand(program: Command): void {
  const rollups = program.command('rollups').description('maintain the hourly rollups dashboards read');
  addConfigOptions(
    rollups
      .command('rebuild')
      .description('recompute rollups from raw events from the UTC midnight at or before --since')
      .requiredOption('--since <time>', 'ISO 8601 time, e.g. 2026-11-01 or 2026-11-01T00:00:00Z'),
  ).action(async (flags: ConfigFlags & { since: string }) => {
    const since = Date.parse(flags.since);
    if (!Number.isFinite(since)) throw new Error(`--since must be an ISO 8601 time, got "${flags.since}"`);
    await withAuditedStore(flags, { action: 'rollups.rebuild', command: 'rollups rebuild' }, async (store, note) => {
      note.details = { since: new Date(since).toISOString() };
      const started = performance.now();
      const r = await rebuildRollups(store, since);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `rebuilt rollups from ${new Date(r.from).toISOString()}: ${r.events} events, ${r.metricPoints} metric points in ${seconds} s\n`,
      );
      const tiersStarted = performance.now();
      const t = await rebuildTiers(store);
      process.stdout.write(
        `rebuilt the analytics tiers (all time): ${t.events} events, ${t.metricPoints} metric points in ` +
          `${((performance.now() - tiersStarted) / 1000).toFixed(1)} s\n`,
      );
    });
  });
}
