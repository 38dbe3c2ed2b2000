import type { Command } from 'commander';
import { createApiToken, listTokens, revokeToken } from '../identity/api-tokens.js';
import {
  createGatewayKey,
  listGatewayKeyInfo,
  revokeGatewayKeyById,
  type GatewayKeyKind,
} from '../identity/gateway-keys.js';
import { isRole, type Role } from '../identity/roles.js';
import { openStore } from '../store/store.js';
import { withAuditedStore } from './cli-audit.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * `steward keys create|list|revoke` work directly against the configured store (no server needed), so an
 * operator with access to the data directory or database can always recover admin access.
 * `create` prints only the token on stdout so scripts can capture it. `create --gateway --person EMAIL | --agent NAME
 * | --app NAME` issues a gateway key instead (identity/gateway-keys.ts).
 */
interface CreateFlags {
  role?: string;
  name?: string;
  gateway?: boolean;
  person?: string;
  agent?: string;
  app?: string;
}

function gatewayTarget(flags: CreateFlags): { kind: GatewayKeyKind; subject: string } | null {
  const given = (['person', 'agent', 'app'] as const).filter((k) => flags[k] !== undefined);
  if (!flags.gateway) {
    if (given.length > 0) throw new Error(`--${given[0]} needs --gateway`);
    return null;
  }
  if (flags.role !== undefined) throw new Error('--role and --gateway cannot be combined');
  if (given.length !== 1) throw new Error('--gateway needs exactly one of --person EMAIL, --agent NAME, --app NAME');
  const kind = given[0] as GatewayKeyKind;
  return { kind, subject: flags[kind] as string };
}
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage API and ingest tokens');

  addConfigOptions(
    keys
      .command('create')
      .description('create an API token (--role) or a gateway key (--gateway) and print it (shown once)')
      .option('--role <role>', 'admin | analyst | ingest')
      .option('--name <name>', 'a label for the token or key')
      .option('--gateway', 'a key for the Messages API gateway (/gateway/anthropic), bound to one subject')
      .option('--person <email>', 'gateway key of a person (metered and budgeted to them)')
      .option('--agent <name>', 'gateway key of an agent')
      .option('--app <name>', 'gateway key of an application'),
  ).action(async (flags: ConfigFlags & CreateFlags) => {
    const gateway = gatewayTarget(flags);
    if (!gateway && !isRole(flags.role)) {
      throw new Error(`--role must be admin, analyst or ingest, got "${flags.role ?? ''}" (or use --gateway)`);
    }
    const action = gateway ? 'gateway_keys.create' : 'keys.create';
    await withAuditedStore(flags, { action, command: 'keys create' }, async (store, note) => {
      // The entry names what was made by id; the token or key itself is printed once and never recorded.
      if (gateway) {
        const created = await createGatewayKey(store, gateway.kind, gateway.subject, flags.name);
        note.subject = { kind: 'gateway_keys', id: created.id };
        note.after = { kind: gateway.kind, subject: gateway.subject, name: flags.name ?? null };
        process.stdout.write(created.key + '\n');
      } else {
        const role = flags.role as Role;
        const created = await createApiToken(store, role, flags.name ?? `${role} token`);
        note.subject = { kind: 'keys', id: created.id };
        note.after = { role, name: created.name };
        process.stdout.write(created.token + '\n');
      }
    });
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
        for (const k of await listGatewayKeyInfo(store)) {
          const state = k.revoked_at ? `revoked ${new Date(k.revoked_at).toISOString()}` : 'active';
          const used = k.last_used_at ? new Date(k.last_used_at).toISOString() : 'never';
          process.stdout.write(
            `${k.id}  gateway  ${k.prefix}…  ${state.padEnd(8)}  last used ${used}  ${k.kind}:${k.subject}\n`,
          );
        }
      } finally {
        await store.close();
      }
    },
  );

  addConfigOptions(keys.command('revoke').description('revoke a token by id').argument('<id>')).action(
    async (id: string, flags: ConfigFlags) => {
      await withAuditedStore(flags, { action: 'keys.delete', command: 'keys revoke' }, async (store, note) => {
        note.subject = { kind: 'keys', id };
        const revoked = await revokeToken(store, id);
        if (!revoked) {
          if (!(await revokeGatewayKeyById(store, id))) throw new Error(`no active token or gateway key with id ${id}`);
          note.action = 'gateway_keys.delete';
          note.subject = { kind: 'gateway_keys', id };
        }
        process.stdout.write(`revoked ${id}\n`);
      });
    },
  );
}
