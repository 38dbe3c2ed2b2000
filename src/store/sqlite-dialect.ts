import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely's SQLite dialect with one change: a transaction that may write starts with `BEGIN IMMEDIATE`; a transaction
 * declared `read only` (`.setAccessMode('read only')`, dashboard snapshots) stays a deferred `BEGIN`.
 *
 * Why: with the ingest writer on its own thread (ingest/writer/) two connections write the same file. A deferred
 * transaction that reads first and writes later cannot upgrade its read snapshot once the other connection has
 * committed in between; SQLite answers SQLITE_BUSY_SNAPSHOT at once, without waiting (sqlite.org/wal.html,
 * "Sometimes Queries Return SQLITE_BUSY In WAL Mode"; sqlite.org/lang_transaction.html). Taking the write lock at
 * BEGIN makes the second writer wait its turn through busy_timeout instead of failing.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  private readonly settings: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.settings = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}
