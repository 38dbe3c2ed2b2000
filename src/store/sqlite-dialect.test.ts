import Database from 'better-sqlite3';
import { Kysely, sql, type SqliteDatabase } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImmediateSqliteDialect, StatementCache } from './sqlite-dialect.js';

interface Db {
  t: { id: number; name: string };
}

describe('prepared statements kept by SQL text', () => {
  let raw: Database.Database;
  let prepared: string[];
  let counting: SqliteDatabase;
  beforeEach(() => {
    raw = new Database(':memory:');
    raw.exec('create table t (id integer primary key, name text)');
    prepared = [];
    counting = {
      prepare: (text: string) => {
        prepared.push(text);
        return raw.prepare(text);
      },
      close: () => raw.close(),
    };
  });
  afterEach(() => {
    if (raw.open) raw.close();
  });

  it('prepares a query once however often Kysely runs it, and answers each run with its own parameters', async () => {
    const db = new Kysely<Db>({ dialect: new ImmediateSqliteDialect({ database: counting }) });
    for (let i = 1; i <= 5; i++)
      await db
        .insertInto('t')
        .values({ id: i, name: `n${i}` })
        .execute();
    const names = [];
    for (let i = 1; i <= 5; i++)
      names.push((await db.selectFrom('t').select('name').where('id', '=', i).executeTakeFirstOrThrow()).name);
    expect(names).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(prepared.filter((p) => p.startsWith('insert'))).toHaveLength(1);
    expect(prepared.filter((p) => p.startsWith('select'))).toHaveLength(1);
    await db.destroy();
    expect(raw.open).toBe(false);
  });

  it('a cached statement sees a schema change (SQLite re-prepares it), and a failed run leaves it usable', async () => {
    const db = new Kysely<Db>({ dialect: new ImmediateSqliteDialect({ database: counting }) });
    await db.insertInto('t').values({ id: 1, name: 'a' }).execute();
    const all = () => sql<Record<string, unknown>>`select * from t`.execute(db).then((r) => r.rows);
    expect(await all()).toEqual([{ id: 1, name: 'a' }]);
    raw.exec("alter table t add column team text default 'close'");
    expect(await all()).toEqual([{ id: 1, name: 'a', team: 'close' }]);
    await expect(db.insertInto('t').values({ id: 1, name: 'b' }).execute()).rejects.toThrow(/UNIQUE/);
    await db.insertInto('t').values({ id: 2, name: 'b' }).execute();
    expect(prepared.filter((p) => p.startsWith('insert'))).toHaveLength(1);
    await db.destroy();
  });

  it('keeps at most 256 statements and none whose text is over 8 KB', () => {
    const cache = new StatementCache(counting);
    for (let i = 0; i < 300; i++) cache.prepare(`select ${i} as n`);
    expect(cache.size).toBe(256);
    cache.prepare('select 299 as n'); // still held: the newest stay
    expect(prepared).toHaveLength(300);
    cache.prepare('select 0 as n'); // the oldest went
    expect(prepared).toHaveLength(301);
    const long = `select '${'x'.repeat(9000)}' as n`;
    cache.prepare(long);
    cache.prepare(long);
    expect(prepared.filter((p) => p === long)).toHaveLength(2);
  });
});
