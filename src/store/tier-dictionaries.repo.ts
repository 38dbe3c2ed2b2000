import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.js';

/**
 * Small dense numbers the derived tiers name things by (migration 0005): people (`person_numbers`, for the bitmaps
 * and value tiers) and access-graph edge keys (`edge_keys`, for the packed person edges). Assigned by the refresher
 * on first sight, never changed.
 */
type Db = Kysely<Database> | Transaction<Database>;

/** Dense numbers for people (bitmaps in key tiers), assigning the next free numbers to people not seen before. */
export function personNumbers(trx: Transaction<Database>, org: string, ids: readonly string[]) {
  return dictionary(trx, 'person_numbers', 'person_id', org, ids);
}

/** Dense numbers for access-graph edge keys (person edge tiers), assigned the same way. */
export function edgeKeyNumbers(trx: Transaction<Database>, org: string, keys: readonly string[]) {
  return dictionary(trx, 'edge_keys', 'key', org, keys);
}

async function dictionary(
  trx: Transaction<Database>,
  table: 'person_numbers' | 'edge_keys',
  column: 'person_id' | 'key',
  org: string,
  values: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < values.length; i += 500) {
    const rows = (await trx
      .selectFrom(table)
      .select([sql<string>`${sql.ref(column)}`.as('v'), 'n'])
      .where('org_id', '=', org)
      .where(sql.ref(column), 'in', values.slice(i, i + 500))
      .execute()) as { v: string; n: number }[];
    for (const r of rows) out.set(r.v, Number(r.n));
  }
  const missing = values.filter((v) => !out.has(v));
  if (missing.length === 0) return out;
  const top = await trx
    .selectFrom(table)
    .select((eb) => eb.fn.max('n').as('n'))
    .where('org_id', '=', org)
    .executeTakeFirst();
  let next = top?.n === null || top?.n === undefined ? 0 : Number(top.n) + 1;
  const fresh = missing.map((v) => ({ org_id: org, [column]: v, n: next++ }));
  for (let i = 0; i < fresh.length; i += 500) {
    await trx
      .insertInto(table)
      .values(fresh.slice(i, i + 500) as never)
      .execute();
  }
  for (const f of fresh) out.set(f[column] as string, f.n);
  return out;
}

/** Every numbered edge key of an org: number → key. */
export async function numberedEdgeKeys(db: Db, org: string): Promise<Map<number, string>> {
  const rows = await db.selectFrom('edge_keys').select(['key', 'n']).where('org_id', '=', org).execute();
  return new Map(rows.map((r) => [Number(r.n), r.key]));
}

/** Every numbered person of an org: number → person id (decodes key-tier bitmaps). */
export async function numberedPeople(db: Db, org: string): Promise<Map<number, string>> {
  const rows = await db.selectFrom('person_numbers').select(['person_id', 'n']).where('org_id', '=', org).execute();
  return new Map(rows.map((r) => [Number(r.n), r.person_id]));
}

/** Packed person edges: `n:calls:last` triples, comma separated (edge numbers from `edge_keys`). */
export function parseEdges(text: string): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  if (text === '') return out;
  for (const part of text.split(',')) {
    const a = part.indexOf(':');
    const b = part.indexOf(':', a + 1);
    out.set(Number(part.slice(0, a)), [Number(part.slice(a + 1, b)), Number(part.slice(b + 1))]);
  }
  return out;
}

export function formatEdges(edges: ReadonlyMap<number, readonly [number, number]>): string {
  const parts: string[] = [];
  for (const [n, [calls, last]] of edges) parts.push(`${n}:${calls}:${last}`);
  return parts.join(',');
}
