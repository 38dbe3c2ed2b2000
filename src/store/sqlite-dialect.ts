import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
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

  constructor(config: { database: SqliteDatabase }) {
    const settings = { database: new StatementCache(config.database) };
    super(settings);
    this.settings = settings;
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

/** Statements longer than this are not kept: multi-row inserts, whose text changes with their row count. */
const MAX_CACHED_SQL = 8192;
const MAX_STATEMENTS = 256;

/**
 * The database as Kysely sees it, with its prepared statements kept by SQL text. Kysely's SQLite driver prepares
 * every query it runs (`db.prepare(sql)` per execution); a commit's sessions upsert, person totals and audit rows
 * are the same few statements every time, and preparing them was ~14% of the writer thread's time under a steady
 * gateway load (`--cpu-prof`, c=1). A statement is reused only after its run or `all` has returned: Kysely holds one
 * connection at a time, and no code streams (`iterate`) through it. SQLite re-prepares a cached statement itself
 * when the schema changes (sqlite3_prepare_v2). Bounded: the oldest entry goes when full.
 */
export class StatementCache implements SqliteDatabase {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly db: SqliteDatabase) {}

  /** Statements held now (tests). */
  get size(): number {
    return this.statements.size;
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.statements.get(sql);
    if (cached) return cached;
    const statement = this.db.prepare(sql);
    if (sql.length <= MAX_CACHED_SQL) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }
}
