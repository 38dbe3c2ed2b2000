import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors/app-error.js';
import type { Database } from './database.js';
import { initialMigration } from './migrations/0001-initial.js';
import { rollupsMigration } from './migrations/0002-rollups.js';
import { policiesMigration } from './migrations/0004-policies.js';
import { tiersMigration } from './migrations/0005-tiers.js';
import { gatewayMigration } from './migrations/0006-gateway.js';
import { budgetsMigration } from './migrations/0007-budgets.js';
import { governanceMigration } from './migrations/0008-governance.js';
import { raciCadencesMigration } from './migrations/0009-raci-cadences.js';
import { forumMigration } from './migrations/0010-forum.js';
import { auditMigration } from './migrations/0011-audit.js';
import { exportMigration } from './migrations/0012-export.js';
import { workspaceTiersMigration } from './migrations/0013-workspace-tiers.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * An open store: the Kysely handle every repository takes, plus — for SQLite — the raw better-sqlite3 handle that
 * the ingest hot path uses for prepared-statement inserts (DESIGN §4: dialect-specific SQL lives only in store/).
 */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly sqlite: SqliteDatabase.Database | undefined;
  /** Postgres schema holding Steward's tables (`public` unless configured). */
  readonly schema: string | undefined;
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Postgres only: a schema to create and use (tests isolate themselves this way). */
  pgSchema?: string | undefined;
  /**
   * SQLite only: a second connection to an already migrated file, for the ingest writer thread (ingest/writer/):
   * no migrations and no checkpointer of its own (the main connection's checkpointer serves the file).
   */
  secondary?: boolean;
  /**
   * SQLite: run WAL checkpoints on a background thread of their own (store/sqlite-checkpointer.ts). Default true;
   * false when the ingest writer thread checkpoints between its commits instead (one thread fewer).
   */
  checkpointer?: boolean;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const store = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, opts.pgSchema)
    : openSqlite(opts.dataDir, opts.secondary === true || opts.checkpointer === false);
  if (opts.secondary) return store;
  try {
    await migrateToLatest(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openSqlite(dataDir: string, noCheckpointer: boolean): Store {
  mkdirSync(dataDir, { recursive: true });
  const raw = new SqliteDatabase(join(dataDir, 'steward.db'));
  // WAL + synchronous=NORMAL: a commit is durable against process death (kill -9) because the WAL write reaches the
  // OS before COMMIT returns; only an OS crash or power loss can lose the last transactions (sqlite.org/wal.html).
  // 8 KiB pages (set before WAL, so only a new database gets them): fewer WAL frames, headers and checksums per
  // committed byte — measured +20-25% insert throughput over 4 KiB for Claude Code-shaped rows.
  raw.pragma('page_size = 8192');
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  // 16 MB page cache: the hot pages are the right edges of two append-mostly indexes; more only raises RSS.
  raw.pragma('cache_size = -16384');
  // Checkpoints run on a background thread (sqlite-checkpointer.ts); this threshold is only the safety net.
  raw.pragma('wal_autocheckpoint = 5000');
  const file = join(dataDir, 'steward.db');
  const checkpointer = noCheckpointer ? null : startCheckpointer(file);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: raw }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite: raw,
    schema: undefined,
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

async function openPostgres(url: string, schema: string | undefined): Promise<Store> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new AppError('config_invalid', `invalid Postgres schema name "${schema}"`);
  }
  // int8 → number: times are epoch ms and token/cost counters stay far below 2^53.
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: types as pg.CustomTypesConfig,
    // Session settings for dashboard reads (measured by bench/analytics.bench.ts): grouping a few tens of
    // thousands of tier rows fits a hash table in 16 MB instead of a sort (~2.5x faster), and JIT compilation costs
    // more than it saves on queries this size.
    options: [...(schema ? [`-c search_path=${schema}`] : []), '-c work_mem=16MB', '-c jit=off'].join(' '),
  });
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw new AppError('store_unavailable', `cannot connect to PostgreSQL: ${(err as Error).message}`, undefined, {
      cause: err,
    });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    sqlite: undefined,
    schema: schema ?? 'public',
    async close() {
      await db.destroy();
    },
  };
}

async function migrateToLatest(store: Store): Promise<void> {
  const migrations: Record<string, Migration> = {
    '0001-initial': initialMigration(store.dialect),
    '0002-rollups': rollupsMigration(store.dialect),
    '0004-policies': policiesMigration(),
    '0005-tiers': tiersMigration(store.dialect),
    '0006-gateway': gatewayMigration(),
    '0007-budgets': budgetsMigration(),
    '0008-governance': governanceMigration(store.dialect),
    '0009-raci-cadences': raciCadencesMigration(),
    '0010-forum': forumMigration(),
    '0011-audit': auditMigration(store.dialect),
    '0012-export': exportMigration(store.dialect),
    '0013-workspace-tiers': workspaceTiersMigration(store.dialect),
  };
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  // Name the schema explicitly: Kysely's existence check for its migration tables otherwise matches a table of the
  // same name in ANY schema (another Steward schema, another Kysely app) and skips creating its own.
  const migrator = new Migrator({
    db: store.db,
    provider,
    ...(store.schema ? { migrationTableSchema: store.schema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely first looks for its own tables through a catalog query over every schema of the database, which fails
  // with undefined_column/undefined_table (42703/42P01) when another schema's tables are created or dropped while it
  // runs (other Steward schemas migrating side by side, another application's DDL). Nothing has run yet when that
  // happens (no migration result), so the whole step is tried again.
  for (let attempt = 1; error && !results?.length && isCatalogRace(error) && attempt < 5; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('store_unavailable', `migration ${failed} failed: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
}

/** A catalog query that lost a race with concurrent DDL (PostgreSQL SQLSTATE 42703 / 42P01). */
function isCatalogRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '42703' || code === '42P01';
}
