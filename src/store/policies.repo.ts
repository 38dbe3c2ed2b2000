import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, PolicyVersionsTable } from './database.js';
import type { Store } from './store.js';

/**
 * Policy versions (migration 0004) and the event reads a backtest replays. Versions are append-only: a push adds
 * a row numbered after the organisation's last; activation flips statuses in one transaction (the previous active
 * version becomes `retired`), and the partial unique index guarantees one active version per organisation.
 */
export const DEFAULT_ORG = 'default';
export const policyStatuses = ['draft', 'active', 'retired'] as const;
export type PolicyStatus = (typeof policyStatuses)[number];

export type PolicyVersionRow = Selectable<PolicyVersionsTable>;
export type PolicyVersionSummary = Omit<PolicyVersionRow, 'yaml'>;

/** What a push or an activation wrote, handed to the caller inside the transaction (its audit entries join it). */
export interface PolicyVersionWrite {
  /** The version pushed (push only). */
  pushed?: PolicyVersionRow;
  /** The version made active, and the one it replaced (activation only; null when none was active). */
  activated?: { row: PolicyVersionRow; previous: PolicyVersionRow | null };
}
export type OnPolicyWrite = (trx: Transaction<Database>, write: PolicyVersionWrite) => Promise<void>;

export interface NewPolicyVersion {
  name: string;
  yaml: string;
  sha256: string;
  author: string;
  comment?: string | null;
  activate?: boolean;
  orgId?: string;
  now?: number;
  onWrite?: OnPolicyWrite;
}

/** Serialises version numbering and activation per organisation (PostgreSQL; SQLite has one writer anyway). */
async function lockOrg(trx: Transaction<Database>, store: Store, orgId: string): Promise<void> {
  if (store.dialect !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtext(${`steward.policy_versions:${orgId}`}))`.execute(trx);
}

export async function insertPolicyVersion(store: Store, v: NewPolicyVersion): Promise<PolicyVersionRow> {
  const orgId = v.orgId ?? DEFAULT_ORG;
  const now = v.now ?? Date.now();
  return store.db.transaction().execute(async (trx) => {
    await lockOrg(trx, store, orgId);
    const last = await trx
      .selectFrom('policy_versions')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    const row: PolicyVersionRow = {
      id: randomUUID(),
      org_id: orgId,
      version: Number(last?.v ?? 0) + 1,
      name: v.name,
      yaml: v.yaml,
      sha256: v.sha256,
      author: v.author,
      comment: v.comment ?? null,
      status: 'draft',
      created_at: now,
      activated_at: null,
      activated_by: null,
    };
    await trx.insertInto('policy_versions').values(row).execute();
    await v.onWrite?.(trx, { pushed: row });
    return v.activate ? ((await activateIn(trx, orgId, row.id, v.author, now, v.onWrite)) ?? row) : row;
  });
}

/** Makes `id` the organisation's active version; the previous one is retired. Undefined for an unknown id. */
export async function activatePolicyVersion(
  store: Store,
  id: string,
  by: string,
  opts: { orgId?: string; now?: number; onWrite?: OnPolicyWrite } = {},
): Promise<PolicyVersionRow | undefined> {
  const orgId = opts.orgId ?? DEFAULT_ORG;
  return store.db.transaction().execute(async (trx) => {
    await lockOrg(trx, store, orgId);
    return activateIn(trx, orgId, id, by, opts.now ?? Date.now(), opts.onWrite);
  });
}

async function activateIn(
  trx: Transaction<Database>,
  orgId: string,
  id: string,
  by: string,
  now: number,
  onWrite?: OnPolicyWrite,
): Promise<PolicyVersionRow | undefined> {
  const target = await trx
    .selectFrom('policy_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!target) return undefined;
  if (target.status === 'active') return target;
  const previous = onWrite
    ? ((await trx
        .selectFrom('policy_versions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('status', '=', 'active')
        .executeTakeFirst()) ?? null)
    : null;
  await trx
    .updateTable('policy_versions')
    .set({ status: 'retired' })
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .execute();
  await trx
    .updateTable('policy_versions')
    .set({ status: 'active', activated_at: now, activated_by: by })
    .where('id', '=', id)
    .execute();
  const activated: PolicyVersionRow = { ...target, status: 'active', activated_at: now, activated_by: by };
  await onWrite?.(trx, { activated: { row: activated, previous } });
  return activated;
}

const SUMMARY_COLUMNS = [
  'id',
  'org_id',
  'version',
  'name',
  'sha256',
  'author',
  'comment',
  'status',
  'created_at',
  'activated_at',
  'activated_by',
] as const;

/** Newest first. */
export async function listPolicyVersions(
  db: Kysely<Database>,
  opts: { orgId?: string; limit?: number; beforeVersion?: number } = {},
): Promise<PolicyVersionSummary[]> {
  let q = db
    .selectFrom('policy_versions')
    .select(SUMMARY_COLUMNS)
    .where('org_id', '=', opts.orgId ?? DEFAULT_ORG);
  if (opts.beforeVersion !== undefined) q = q.where('version', '<', opts.beforeVersion);
  return q
    .orderBy('version', 'desc')
    .limit(opts.limit ?? 100)
    .execute();
}

/** By id, or by version number (`3`). */
export async function getPolicyVersion(
  db: Kysely<Database>,
  ref: { id: string } | { version: number },
  orgId = DEFAULT_ORG,
): Promise<PolicyVersionRow | undefined> {
  let q = db.selectFrom('policy_versions').selectAll().where('org_id', '=', orgId);
  q = 'id' in ref ? q.where('id', '=', ref.id) : q.where('version', '=', ref.version);
  return q.executeTakeFirst();
}

export async function activePolicyVersion(
  db: Kysely<Database>,
  orgId = DEFAULT_ORG,
): Promise<PolicyVersionRow | undefined> {
  return db
    .selectFrom('policy_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

/** The event kinds a backtest replays (policy/backtest.ts). */
export const BACKTEST_KINDS = ['prompt', 'tool_decision', 'tool_result', 'api_request'] as const;

export interface BacktestEventRow {
  id: number;
  time: number;
  kind: string;
  surface: string;
  person_id: string | null;
  email: string | null;
  department: string | null;
  team: string | null;
  session_id: string | null;
  prompt_id: string | null;
  tool: string | null;
  tool_use_id: string | null;
  mcp_server: string | null;
  mcp_tool: string | null;
  model: string | null;
  decision: string | null;
  content: string | null;
  attrs: string;
}

/**
 * One page of replayable events in [from, to), oldest first, keyset-paged by (time, id) through the events time
 * index. The window is required: raw events are always read time-bounded (DESIGN §3).
 */
export async function readBacktestEvents(
  db: Kysely<Database>,
  w: { from: number; to: number; after?: { time: number; id: number }; limit: number; orgId?: string },
): Promise<BacktestEventRow[]> {
  let q = db
    .selectFrom('events as e')
    .leftJoin('people as p', 'p.id', 'e.person_id')
    .select([
      'e.id',
      'e.time',
      'e.kind',
      'e.surface',
      'e.person_id',
      'p.email',
      'e.department',
      'e.team',
      'e.session_id',
      'e.prompt_id',
      'e.tool',
      'e.tool_use_id',
      'e.mcp_server',
      'e.mcp_tool',
      'e.model',
      'e.decision',
      'e.content',
      'e.attrs',
    ])
    .where('e.org_id', '=', w.orgId ?? DEFAULT_ORG)
    .where('e.time', '>=', w.from)
    .where('e.time', '<', w.to)
    .where('e.kind', 'in', BACKTEST_KINDS);
  if (w.after) {
    const { time, id } = w.after;
    q = q.where((eb) => eb.or([eb('e.time', '>', time), eb.and([eb('e.time', '=', time), eb('e.id', '>', id)])]));
  }
  const rows = await q.orderBy('e.time').orderBy('e.id').limit(w.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
