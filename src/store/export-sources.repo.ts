import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AuditEntriesTable } from './audit-tables.js';
import { AUDIT_COLUMNS } from './audit.repo.js';
import type { Database, EventsTable } from './database.js';
import type { Store } from './store.js';

/**
 * What the export feeder reads (docs/exports.md): events past a cursor by id, never `content`, with the person's
 * email and name; audit entries past a cursor by index; and how far each source may be read.
 */
type Db = Kysely<Database> | Transaction<Database>;

export async function maxEventId(db: Db): Promise<number> {
  const r = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst();
  return Number(r?.m ?? 0);
}

/**
 * The highest event id below which every id is committed. PostgreSQL hands out ids before commit, so a lower id
 * can become visible after a higher one: a SHARE lock waits for in-flight inserts and holds new ones for the
 * instant it takes to read the maximum (as the analytics refresher does). SQLite commits one writer at a time.
 */
export async function settledMaxEventId(store: Store): Promise<number> {
  if (store.dialect !== 'postgres') return maxEventId(store.db);
  return store.db.transaction().execute(async (trx) => {
    await sql`lock table events in share mode`.execute(trx);
    return maxEventId(trx);
  });
}

/** The highest audit index (-1 for an empty log). Appends are serialised on audit_state, so indexes commit in order. */
export async function maxAuditIdx(db: Db): Promise<number> {
  const r = await db
    .selectFrom('audit_entries')
    .select((eb) => eb.fn.max('idx').as('m'))
    .executeTakeFirst();
  return r?.m === null || r?.m === undefined ? -1 : Number(r.m);
}

/**
 * Event columns an export renders (never `content`: exports carry what was decided, not what was said; nor
 * `sequence` and `workflow`), with the person's email and name.
 */
export type ExportEventRow = Omit<Selectable<EventsTable>, 'content' | 'sequence' | 'workflow'> & {
  person_email: string | null;
  person_name: string | null;
};

/** Events with id in (after, upto], oldest first, optionally of some kinds only. */
export async function eventsForExport(
  db: Db,
  q: { after: number; upto: number; limit: number; kinds?: readonly string[] | undefined },
): Promise<ExportEventRow[]> {
  let query = db
    .selectFrom('events as e')
    .leftJoin('people as p', 'p.id', 'e.person_id')
    .select([
      'e.id',
      'e.dedupe_key',
      'e.time',
      'e.org_id',
      'e.source',
      'e.surface',
      'e.kind',
      'e.name',
      'e.person_id',
      'p.email as person_email',
      'p.display_name as person_name',
      'e.session_id',
      'e.prompt_id',
      'e.agent',
      'e.skill',
      'e.plugin',
      'e.model',
      'e.tool',
      'e.tool_use_id',
      'e.mcp_server',
      'e.mcp_tool',
      'e.decision',
      'e.decision_source',
      'e.success',
      'e.input_tokens',
      'e.output_tokens',
      'e.cache_read_tokens',
      'e.cache_write_tokens',
      'e.cost_micros',
      'e.duration_ms',
      'e.request_id',
      'e.department',
      'e.team',
      'e.attrs',
    ])
    .where('e.id', '>', q.after)
    .where('e.id', '<=', q.upto);
  if (q.kinds !== undefined) query = query.where('e.kind', 'in', [...q.kinds]);
  const rows = await query.orderBy('e.id').limit(q.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** The audit table's tree bookkeeping, which exports leave out. */
const AUDIT_BOOKKEEPING = ['hashes', 'appended_at', 'pruned_at'] as const;
type AuditBookkeeping = (typeof AUDIT_BOOKKEEPING)[number];

/** An audit entry as exports read it: the stored row without its tree bookkeeping. */
export type ExportAuditRow = Omit<AuditEntriesTable, AuditBookkeeping>;

/** The vault's own column list (audit.repo.ts) without the bookkeeping: a column the vault adds is exported too. */
const EXPORT_AUDIT_COLUMNS = AUDIT_COLUMNS.filter(
  (c): c is Exclude<(typeof AUDIT_COLUMNS)[number], AuditBookkeeping> =>
    !(AUDIT_BOOKKEEPING as readonly string[]).includes(c),
);

export async function auditForExport(db: Db, q: { after: number; limit: number }): Promise<ExportAuditRow[]> {
  const rows = await db
    .selectFrom('audit_entries')
    .select(EXPORT_AUDIT_COLUMNS)
    .where('idx', '>', q.after)
    .orderBy('idx')
    .limit(q.limit)
    .execute();
  return rows.map((r) => ({ ...r, idx: Number(r.idx), leaf_hash: Buffer.from(r.leaf_hash) }));
}
