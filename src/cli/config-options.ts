import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { openStore, type Store } from '../store/store.js';

/** Flags shared by every command that opens the store or listens; flags beat STEWARD_* env, which beats the file. */
export function addConfigOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'JSON config file')
    .option('--data-dir <dir>', 'directory for the embedded SQLite database')
    .option('--database-url <url>', 'PostgreSQL URL (uses PostgreSQL instead of SQLite)')
    .option('--redis-url <url>', 'Redis URL (optional; shared counters across replicas)');
}

export interface ConfigFlags {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
  redisUrl?: string;
  port?: string;
  grpcPort?: string;
  host?: string;
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a whole number, got "${v}"`);
  return Number(v);
}

export function configFromFlags(flags: ConfigFlags): Config {
  return loadConfig({
    file: flags.config,
    env: process.env,
    flags: {
      dataDir: flags.dataDir,
      databaseUrl: flags.databaseUrl,
      redisUrl: flags.redisUrl,
      host: flags.host,
      port: int('port', flags.port),
      grpcPort: int('grpc-port', flags.grpcPort),
    },
  });
}

/** Opens the configured store for one command and closes it afterwards, whatever happens. */
export async function withStore<T>(flags: ConfigFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const config = configFromFlags(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
