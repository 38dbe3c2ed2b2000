import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Dialect, type Store } from '../../src/store/store.js';

/**
 * Every store test runs on both engines (DESIGN §4): SQLite in a temp directory and PostgreSQL at
 * 127.0.0.1:5432 (trust auth; present on every dev and CI machine) in a schema of its own, dropped afterwards.
 */
export const PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const engines: readonly Dialect[] = ['sqlite', 'postgres'];

export interface TestStore {
  store: Store;
  dataDir: string;
  databaseUrl: string | undefined;
  pgSchema: string | undefined;
  cleanup(): Promise<void>;
}

let counter = 0;

export function uniqueSchema(): string {
  counter += 1;
  return `t_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

export async function openTestStore(dialect: Dialect): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-test-'));
  const pgSchema = dialect === 'postgres' ? uniqueSchema() : undefined;
  const databaseUrl = dialect === 'postgres' ? PG_URL : undefined;
  let store: Store;
  try {
    store = await openStore({ dataDir, databaseUrl, pgSchema });
  } catch (err) {
    if (pgSchema) await dropSchema(pgSchema);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    store,
    dataDir,
    databaseUrl,
    pgSchema,
    async cleanup() {
      await store.close();
      if (pgSchema) await dropSchema(pgSchema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
