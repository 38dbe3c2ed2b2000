import type { Command } from 'commander';
import { presentDeadLetter, sinkStatuses, type SinkStatus } from '../export/sink-status.js';
import { listDead, requeueDead } from '../store/export-outbox.repo.js';
import { withAuditedStore } from './cli-audit.js';
import { addConfigOptions, configFromFlags, withStore, type ConfigFlags } from './config-options.js';

/**
 * `steward export status` and `steward export dead-letters [--sink NAME] [--requeue]` (docs/exports.md): the
 * outbox read straight from the configured store, like `steward status` (works while the server runs). A re-queue
 * puts dead letters back as due now; the running server delivers them on its next poll.
 */
interface DeadFlags extends ConfigFlags {
  sink?: string;
  limit: string;
  requeue?: boolean;
  json?: boolean;
}

function renderStatus(items: SinkStatus[]): string {
  if (items.length === 0) return 'no export sinks configured (export.sinks)\n';
  const lines = items.map((s) => {
    const lag = s.lag_seconds > 0 ? `, lag ${s.lag_seconds.toFixed(1)} s` : '';
    const retry = s.retry
      ? `\n    retrying (attempt ${s.retry.attempts}, next ${s.retry.next_attempt_at}): ${s.retry.last_error ?? ''}`
      : '';
    return `${s.name} (${s.type} → ${s.destination}): ${s.state}, ${s.pending} pending, ${s.dead} dead${lag}${retry}`;
  });
  return lines.join('\n') + '\n';
}

export function registerExportCommand(program: Command): void {
  const exp = program.command('export').description('SIEM and incident-response exports: sink status, dead letters');

  addConfigOptions(
    exp
      .command('status')
      .description('each sink: state, pending, dead, lag, the retry in progress')
      .option('--json', 'print JSON'),
  ).action(async (flags: ConfigFlags & { json?: boolean }) => {
    const config = configFromFlags(flags);
    await withStore(flags, async (store) => {
      const items = await sinkStatuses(store, config.export);
      process.stdout.write(flags.json ? JSON.stringify({ items }, null, 2) + '\n' : renderStatus(items));
    });
  });

  addConfigOptions(
    exp
      .command('dead-letters')
      .description('list dead letters (records a sink refused or that failed export.maxAttempts times)')
      .option('--sink <name>', 'only this sink')
      .option('--limit <n>', 'most rows listed', '100')
      .option('--requeue', 'put them back in the outbox, due now, with a fresh attempt count')
      .option('--json', 'print JSON'),
  ).action(async (flags: DeadFlags) => {
    const limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`--limit must be a positive whole number, got "${flags.limit}"`);
    const config = configFromFlags(flags);
    if (flags.sink !== undefined && !config.export.sinks.some((s) => s.name === flags.sink)) {
      throw new Error(`no export sink named "${flags.sink}" in export.sinks`);
    }
    if (flags.requeue) {
      // A change to the store from the command line: audited like POST /api/v1/exports/sinks/{name}/requeue.
      const what = { action: 'exports.sinks.requeue', command: 'export dead-letters --requeue' };
      await withAuditedStore(flags, what, async (store, note) => {
        if (flags.sink !== undefined) note.subject = { kind: 'exports.sinks', id: flags.sink };
        const n = await requeueDead(store.db, { sink: flags.sink, now: Date.now() });
        note.details = { requeued: n };
        process.stdout.write(flags.json ? JSON.stringify({ requeued: n }) + '\n' : `re-queued ${n} dead letter(s)\n`);
      });
      return;
    }
    await withStore(flags, async (store) => {
      const items = (await listDead(store.db, { sink: flags.sink, limit })).map(presentDeadLetter);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ items }, null, 2) + '\n');
        return;
      }
      if (items.length === 0) process.stdout.write('no dead letters\n');
      for (const d of items) {
        process.stdout.write(
          `${d.sink}\t${d.uid}\t${d.kind}\t${d.severity}\t${d.attempts} attempts\t${d.created_at}\t${d.last_error ?? ''}\n`,
        );
      }
    });
  });
}
