import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { getGovObject, govHistory, listGovObjects } from '../store/governance-read.repo.js';
import {
  appendGovHistory,
  inGovernanceTransaction,
  insertGovObject,
  lockGovObject,
  updateGovObject,
  type GovDb,
  type GovObjectRow,
  type GovTransaction,
} from '../store/governance.repo.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import {
  createSchemas,
  crossFieldIssues,
  defaults,
  kindFields,
  type Cadence,
  type CreateInput,
  type GovKind,
  type PatchInput,
} from './governance-schemas.js';
import { appendGovernanceEntries, governanceAction } from './governance-audit.js';
import { nextReviewDue } from './review-due.js';

/**
 * The four governance objects: create, change, review, retire — each change validated whole, written with its
 * history entry (actor, time, before and after as presented) in one transaction. Actors are API token principals
 * (`NAME (token ID)`) or `cli:USER`.
 */
export interface GovObject {
  id: string;
  kind: GovKind;
  name: string;
  owner: string | null;
  review_cadence: Cadence;
  last_reviewed_at: number | null;
  next_review_due: number;
  home: string | null;
  status: string;
  fields: Record<string, unknown>;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

/** An object as the API, the CLI and history entries show it: times in ISO 8601, the kind's fields inline. */
export type PresentedObject = Record<string, unknown> & { id: string; kind: GovKind; name: string; status: string };

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function presentObject(o: GovObject): PresentedObject {
  return {
    id: o.id,
    kind: o.kind,
    name: o.name,
    owner: o.owner,
    review_cadence: o.review_cadence,
    last_reviewed_at: iso(o.last_reviewed_at),
    next_review_due: iso(o.next_review_due),
    home: o.home,
    status: o.status,
    ...o.fields,
    created_at: iso(o.created_at),
    created_by: o.created_by,
    updated_at: iso(o.updated_at),
    updated_by: o.updated_by,
  };
}

function fromRow(r: GovObjectRow): GovObject {
  return {
    id: r.id,
    kind: r.kind as GovKind,
    name: r.name,
    owner: r.owner,
    review_cadence: r.review_cadence as Cadence,
    last_reviewed_at: r.last_reviewed_at,
    next_review_due: r.next_review_due,
    home: r.home,
    status: r.status,
    fields: JSON.parse(r.fields) as Record<string, unknown>,
    created_at: r.created_at,
    created_by: r.created_by,
    updated_at: r.updated_at,
    updated_by: r.updated_by,
  };
}

function toRow(o: GovObject): GovObjectRow {
  return { ...o, org_id: DEFAULT_ORG, fields: JSON.stringify(o.fields) };
}

/** Parses with a zod schema; a failure is a 400 naming every bad field. */
export function parseGov<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const res = schema.safeParse(value);
  if (!res.success) {
    const issues = res.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
    throw new AppError('bad_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  }
  return res.data;
}

/** The object as a create body would state it: what the schemas validate after every change. */
function asInput(o: GovObject): Record<string, unknown> {
  return {
    name: o.name,
    owner: o.owner,
    review_cadence: o.review_cadence,
    last_reviewed_at: iso(o.last_reviewed_at),
    home: o.home,
    status: o.status,
    ...o.fields,
  };
}

/** Validates the whole object and recomputes its next review; returns it as it will be stored. */
function settle(o: GovObject): GovObject {
  const input = parseGov(createSchemas[o.kind], asInput(o)) as Record<string, unknown>;
  const cross = crossFieldIssues(o.kind, input);
  if (cross.length > 0) {
    throw new AppError('bad_request', cross.map((i) => `${i.path}: ${i.message}`).join('; '), { issues: cross });
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(kindFields[o.kind])) if (input[key] !== undefined) fields[key] = input[key];
  const lastReviewed = typeof input.last_reviewed_at === 'string' ? Date.parse(input.last_reviewed_at) : null;
  return {
    ...o,
    name: input.name as string,
    owner: (input.owner as string | null | undefined) ?? null,
    home: (input.home as string | null | undefined) ?? null,
    last_reviewed_at: lastReviewed,
    fields,
    next_review_due: nextReviewDue(o.review_cadence, lastReviewed ?? o.created_at),
  };
}

async function assertNameFree(db: GovDb, kind: GovKind, name: string, id: string): Promise<void> {
  const other = await getGovObject(db, DEFAULT_ORG, kind, { name });
  if (other && other.id !== id) {
    throw new AppError('already_exists', `a ${kind} named "${name}" already exists (id ${other.id})`, {
      id: other.id,
    });
  }
}

export interface HistoryEntry {
  kind: GovKind;
  id: string;
  action: string;
  actor: string;
  at: number;
  before: unknown;
  after: unknown;
}

/**
 * Appends one history entry, then its audit entry (governance-audit.ts), in the caller's transaction: the vault's
 * lock is taken last, so it is held only until the commit.
 */
export async function recordHistory(t: GovTransaction, e: HistoryEntry): Promise<void> {
  const { kind, id, action, actor, at, before, after } = e;
  await appendGovHistory(t, {
    org_id: DEFAULT_ORG,
    object_kind: kind,
    object_id: id,
    action,
    actor,
    at,
    before: before === null ? null : JSON.stringify(before),
    after: after === null ? null : JSON.stringify(after),
  });
  const named = (after ?? before) as { name?: unknown } | null;
  await appendGovernanceEntries(t.trx, t.store, [
    {
      action: governanceAction(kind, action),
      actor,
      at,
      subject: { kind, id },
      before,
      after,
      details: typeof named?.name === 'string' ? { name: named.name } : {},
    },
  ]);
}

export async function listObjects(store: Store, kind?: GovKind, status?: string): Promise<GovObject[]> {
  return (await listGovObjects(store.db, DEFAULT_ORG, { kind, status })).map(fromRow);
}

export async function getObject(store: Store, kind: GovKind, id: string): Promise<GovObject> {
  const row = await getGovObject(store.db, DEFAULT_ORG, kind, { id });
  if (!row) throw new AppError('not_found', `no ${kind} ${id}`);
  return fromRow(row);
}

export async function findObjectByName(store: Store, kind: GovKind, name: string): Promise<GovObject | undefined> {
  const row = await getGovObject(store.db, DEFAULT_ORG, kind, { name });
  return row && fromRow(row);
}

export async function createObject<K extends GovKind>(
  store: Store,
  kind: K,
  input: CreateInput<K>,
  actor: string,
  now = Date.now(),
): Promise<GovObject> {
  const { name, owner, review_cadence, last_reviewed_at, home, status, ...fields } = input as CreateInput<GovKind>;
  const id = randomUUID();
  const object = settle({
    id,
    kind,
    name,
    owner: owner ?? null,
    review_cadence: review_cadence ?? defaults[kind].cadence,
    last_reviewed_at: last_reviewed_at ? Date.parse(last_reviewed_at) : null,
    next_review_due: 0,
    home: home ?? null,
    status: status ?? defaults[kind].status,
    fields,
    created_at: now,
    created_by: actor,
    updated_at: now,
    updated_by: actor,
  });
  await assertNameFree(store.db, kind, object.name, id);
  try {
    await inGovernanceTransaction(store, async (t) => {
      await insertGovObject(t, toRow(object));
      await recordHistory(t, {
        kind,
        id,
        action: 'create',
        actor,
        at: now,
        before: null,
        after: presentObject(object),
      });
    });
  } catch (err) {
    // Another writer took the name between the check and the insert: the unique index refused it.
    await assertNameFree(store.db, kind, object.name, id);
    throw err;
  }
  return object;
}

function sameContent(a: GovObject, b: GovObject): boolean {
  const content = (o: GovObject) => JSON.stringify({ ...presentObject(o), updated_at: null, updated_by: null });
  return content(a) === content(b);
}

/**
 * Changes one object under its row lock: `mutate` gets it as stored and returns it changed; the result is validated
 * whole, stored, and recorded in history with `action`. `also` writes related rows in the same transaction and may
 * return what they were (a decision, a version), which the history entry's `after` carries under `action`'s name.
 */
export async function changeObject(
  store: Store,
  kind: GovKind,
  id: string,
  actor: string,
  action: string,
  now: number,
  mutate: (before: GovObject) => GovObject,
  also?: (t: GovTransaction, before: GovObject, after: GovObject) => Promise<Record<string, unknown> | undefined>,
): Promise<GovObject> {
  return inGovernanceTransaction(store, async (t) => {
    const row = await lockGovObject(t, DEFAULT_ORG, kind, id);
    if (!row) throw new AppError('not_found', `no ${kind} ${id}`);
    const before = fromRow(row);
    const after = settle({ ...mutate(before), id, kind, updated_at: now, updated_by: actor });
    // A PATCH that changes nothing is not a change: no write, no history entry.
    if (action === 'update' && sameContent(before, after)) return before;
    if (after.name !== before.name) await assertNameFree(t.trx, kind, after.name, id);
    await updateGovObject(t, toRow(after));
    const related = await also?.(t, before, after);
    await recordHistory(t, {
      kind,
      id,
      action,
      actor,
      at: now,
      before: presentObject(before),
      after: related ? { ...presentObject(after), [action]: related } : presentObject(after),
    });
    return after;
  });
}

/** PATCH: the given fields replace the stored ones (`null` clears); connectors change status only by decision. */
export async function updateObject<K extends GovKind>(
  store: Store,
  kind: K,
  id: string,
  patch: PatchInput<K>,
  actor: string,
  now = Date.now(),
): Promise<GovObject> {
  const { name, owner, review_cadence, last_reviewed_at, home, status, ...fields } = patch as PatchInput<GovKind>;
  if (kind === 'connector' && status !== undefined) {
    throw new AppError(
      'bad_request',
      'status: a connector changes status by decision (POST …/connectors/{id}/decision)',
    );
  }
  return changeObject(store, kind, id, actor, 'update', now, (o) => ({
    ...o,
    ...(name !== undefined ? { name } : {}),
    ...(owner !== undefined ? { owner } : {}),
    ...(review_cadence !== undefined ? { review_cadence } : {}),
    ...(last_reviewed_at !== undefined
      ? { last_reviewed_at: last_reviewed_at ? Date.parse(last_reviewed_at) : null }
      : {}),
    ...(home !== undefined ? { home } : {}),
    ...(status !== undefined ? { status } : {}),
    fields: { ...o.fields, ...fields },
  }));
}

/** Marks an object reviewed at `at` (now by default): its next review is due one cadence later. */
export function reviewObject(store: Store, kind: GovKind, id: string, actor: string, at = Date.now()) {
  return changeObject(store, kind, id, actor, 'review', at, (o) => ({ ...o, last_reviewed_at: at }));
}

/** Retires an object (kept, with its history). Connectors retire through a decision (governance-connectors.ts). */
export function retireObject(
  store: Store,
  kind: Exclude<GovKind, 'connector'>,
  id: string,
  actor: string,
  now = Date.now(),
) {
  return changeObject(store, kind, id, actor, 'retire', now, (o) => ({ ...o, status: 'retired' }));
}

export async function objectHistory(store: Store, kind: GovKind, id: string) {
  await getObject(store, kind, id);
  const rows = await govHistory(store.db, DEFAULT_ORG, kind, id);
  return rows.map((r) => ({
    action: r.action,
    actor: r.actor,
    at: new Date(r.at).toISOString(),
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
  }));
}
