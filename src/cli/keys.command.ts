import type { Command } from 'commander';
import { createApiToken, listTokens, revokeToken } from '../identity/api-tokens.js';
import { isRole } from '../identity/roles.js';
import { openStore } from '../store/store.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * `steward keys create|list|revoke` work directly against the configured store (no server needed), so an
 * operator with access to the data directory or database can always recover admin access.
 * `create` prints only the token on stdout so scripts can capture it.
 */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage API and ingest tokens');

  addConfigOptions(
    keys
      .command('create')
      .description('create a token and print it (shown once)')
      .requiredOption('--role <role>', 'admin | analyst | ingest')
      .option('--name <name>', 'a label for the token'),
  ).action(async (flags: ConfigFlags & { role: string; name?: string }) => {
    if (!isRole(flags.role)) throw new Error(`--role must be admin, analyst or ingest, got "${flags.role}"`);
    const config = configFromFlags(flags);
    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    try {
      const created = await createApiToken(store, flags.role, flags.name ?? `${flags.role} token`);
      process.stdout.write(created.token + '\n');
    } finally {
      await store.close();
    }
  });

  addConfigOptions(keys.command('list').description('list tokens (prefix, role, last use; never the token)')).action(
    async (flags: ConfigFlags) => {
      const config = configFromFlags(flags);
      const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
      try {
        for (const t of await listTokens(store)) {
          const state = t.revoked_at ? `revoked ${new Date(t.revoked_at).toISOString()}` : 'active';
          const used = t.last_used_at ? new Date(t.last_used_at).toISOString() : 'never';
          process.stdout.write(
            `${t.id}  ${t.role.padEnd(7)}  ${t.prefix}…  ${state.padEnd(8)}  last used ${used}  ${t.name}\n`,
          );
        }
      } finally {
        await store.close();
      }
    },
  );

  addConfigOptions(keys.command('revoke').description('revoke a token by id').argument('<id>')).action(
    async (id: string, flags: ConfigFlags) => {
      const config = configFromFlags(flags);
      const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
      try {
        if (!(await revokeToken(store, id))) throw new Error(`no active token with id ${id}`);
        process.stdout.write(`revoked ${id}\n`);
      } finally {
        await store.close();
      }
    },
  );
}
