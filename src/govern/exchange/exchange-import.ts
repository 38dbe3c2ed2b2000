import type { Transaction } from 'kysely';
import type { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { policyVersions } from '../../store/governance-read.repo.js';
import { DEFAULT_ORG } from '../../store/policies.repo.js';
import type { Store } from '../../store/store.js';
import { ensureCadences } from '../cadence.js';
import { decideConnector } from '../governance-connectors.js';
import { createObject, findObjectByName, presentObject, updateObject, type GovObject } from '../governance-objects.js';
import { addPolicyVersion } from '../governance-policies.js';
import { createSchemas, patchSchemas, type GovKind } from '../governance-schemas.js';
import { applyCadence, applyRaci } from './exchange-apply.js';
import type { Sheet } from './exchange-formats.js';
import {
  describe,
  guard,
  headerFor,
  Problems,
  readRecords,
  valueAt,
  values,
  type Ctx,
  type ImportAction,
  type ImportItem,
  type ImportOptions,
  type ImportReport,
  type Rec,
  type Rules,
} from './exchange-rows.js';
import { isBlank, readCell, type SheetKind } from './exchange-sheets.js';

export type { ImportAction, ImportItem, ImportOptions, ImportProblem, ImportReport } from './exchange-rows.js';

/**
 * Import of exchange sheets (XLSX, CSV, `steward init` files) into the store through the objects' own write paths
 * (validation, history), all in one transaction: every row is tried, every problem is collected with its sheet, row
 * and column, and if there is any, nothing is written. A dry run is the same import, rolled back. Objects are
 * matched by kind and name (cadences by id, else name): updated when they exist, created otherwise; a blank cell
 * clears the field on an update, a column the sheet does not have leaves it as it is.
 */
const OBJECT_KINDS: readonly [SheetKind, GovKind][] = [
  ['policies', 'policy'],
  ['workspaces', 'workspace'],
  ['connectors', 'connector'],
  ['skills', 'skill'],
];

const ROLLBACK = Symbol('rollback');

export async function importSheets(store: Store, sheets: readonly Sheet[], opts: ImportOptions): Promise<ImportReport> {
  const now = opts.now ?? Date.now();
  const problems = new Problems();
  const ignored: string[] = [];
  const records = new Map<SheetKind, Rec[]>();
  let raci: Sheet | undefined;
  for (const sheet of sheets) {
    if (sheet.kind === undefined) {
      if (sheet.rows.length > 0 || sheet.headers.length > 0) ignored.push(`${sheet.name} (not a governance sheet)`);
      continue;
    }
    if (sheet.kind === 'raci') {
      if (raci) problems.add(sheet, null, null, `a second RACI (the first is ${raci.name})`);
      raci = sheet;
      continue;
    }
    records.set(sheet.kind, [...(records.get(sheet.kind) ?? []), ...readRecords(sheet, problems, ignored)]);
  }
  const rules = groupRules(records.get('policy_rules') ?? [], problems);

  const items: ImportItem[] = [];
  const run = async (s: Store): Promise<void> => {
    const ctx: Ctx = { store: s, problems, opts, now, items, rules };
    for (const [sheetKind, kind] of OBJECT_KINDS) {
      const seen = new Map<string, Rec>();
      for (const rec of records.get(sheetKind) ?? []) await guard(ctx, rec, () => applyObject(ctx, kind, rec, seen));
    }
    for (const [policy, r] of rules.byPolicy) {
      const first = r.recs[0];
      if (!rules.used.has(policy) && first) {
        problems.add(first.sheet, first.row, 'Policy', `no policy "${r.name}" in the Policies sheet`);
      }
    }
    const raciSheet = raci;
    if (raciSheet) await guard(ctx, { sheet: raciSheet, row: null, cells: new Map() }, () => applyRaci(ctx, raciSheet));
    if ((records.get('cadences') ?? []).length > 0) await ensureCadences(s, DEFAULT_ORG, now);
    const seenCadences = new Set<string>();
    for (const rec of records.get('cadences') ?? []) await guard(ctx, rec, () => applyCadence(ctx, rec, seenCadences));
    if (problems.list.length > 0 || opts.dryRun) throw ROLLBACK;
  };
  try {
    // Run even when the sheets already have problems, so the rows' problems are reported too (then rolled back).
    await store.db.transaction().execute((trx) => run(inTransaction(store, trx)));
  } catch (err) {
    if (err !== ROLLBACK) throw err;
  }
  if (problems.list.length > 0) {
    const n = problems.list.length;
    throw new AppError(
      'bad_request',
      `${n} ${n === 1 ? 'problem' : 'problems'} in the import, nothing was written:\n` +
        problems.list.map((p) => p.text).join('\n'),
      { errors: problems.list },
    );
  }
  const counts = { created: 0, updated: 0, unchanged: 0 };
  for (const i of items) counts[i.action]++;
  return { dry_run: opts.dryRun === true, items, ignored, counts };
}

/** The store as seen from inside one transaction: every write path joins it (governance.repo, raci.repo). */
function inTransaction(store: Store, trx: Transaction<Database>): Store {
  return { db: trx, dialect: store.dialect, sqlite: store.sqlite, schema: store.schema, close: () => store.close() };
}

/** zod issues → problems on the columns (a policy rule's issue on its row of the Policy rules sheet). */
function schemaProblems(ctx: Ctx, rec: Rec, input: Record<string, unknown>, error: z.ZodError, ruleRecs?: Rec[]) {
  for (const issue of error.issues) {
    const [key, index, field] = issue.path.map(String);
    const ruleRec = key === 'rules' && ruleRecs ? ruleRecs[Number(index)] : undefined;
    if (ruleRec && field !== undefined) {
      const value = (input.rules as Record<string, unknown>[])[Number(index)]?.[field];
      ctx.problems.add(
        ruleRec.sheet,
        ruleRec.row,
        headerFor(ruleRec, field),
        describe(issue, valueAt(value, 3, issue.path)),
      );
      continue;
    }
    ctx.problems.add(
      rec.sheet,
      rec.row,
      key ? headerFor(rec, key) : null,
      describe(issue, valueAt(input, 0, issue.path)),
    );
  }
}

/** JSON with object keys sorted, so the order fields were written in is not a change. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x !== null && typeof x === 'object'
        ? Object.fromEntries(
            Object.entries(x as Record<string, unknown>)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, y]) => [k, sort(y)]),
          )
        : x;
  // Absent, null and an empty list all mean "none".
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) ? 'none' : JSON.stringify(sort(v));
}
const content = (o: GovObject): string => canonical({ ...presentObject(o), updated_at: null, updated_by: null });

async function applyObject(ctx: Ctx, kind: GovKind, rec: Rec, seen: Map<string, Rec>): Promise<void> {
  const nameCell = rec.cells.get('name');
  const name = nameCell && !isBlank(nameCell.raw) ? String(nameCell.raw as string).trim() : '';
  if (name === '') {
    ctx.problems.add(rec.sheet, rec.row, headerFor(rec, 'name'), 'a name is required');
    return;
  }
  const other = seen.get(name.toLowerCase());
  if (other) {
    const at =
      other.row && other.sheet.rowWord
        ? `${other.sheet.name} ${other.sheet.rowWord} ${other.row.number}`
        : other.sheet.name;
    ctx.problems.add(
      rec.sheet,
      rec.row,
      headerFor(rec, 'name'),
      `"${name}" is listed twice (also ${at.replace(/\s+/g, ' ')})`,
    );
    return;
  }
  seen.set(name.toLowerCase(), rec);
  const existing = await findObjectByName(ctx.store, kind, name);
  const input = values(ctx, rec);
  if (!input) return;
  const { effective_date, approver, body_md, ...rest } = input;
  const version: Record<string, unknown> = { effective_date, approver, body_md };
  for (const k of Object.keys(input)) if (!(k in rest)) Reflect.deleteProperty(input, k);
  const ruleSet = kind === 'policy' ? ctx.rules.byPolicy.get(name.toLowerCase()) : undefined;
  if (kind === 'policy') {
    ctx.rules.used.add(name.toLowerCase());
    if (ruleSet) input.rules = ruleSet.rules;
    else if (ctx.rules.present && !rec.cells.has('rules')) input.rules = [];
  }
  const item = (action: ImportAction) =>
    ctx.items.push({
      sheet: rec.sheet.name,
      row: rec.sheet.rowWord ? (rec.row?.number ?? null) : null,
      kind,
      name,
      action,
    });

  let object: GovObject;
  let changed = false;
  if (!existing) {
    const parsed = createSchemas[kind].safeParse(input);
    if (!parsed.success) return schemaProblems(ctx, rec, input, parsed.error, ruleSet?.recs);
    object = await createObject(ctx.store, kind, parsed.data, ctx.opts.actor, ctx.now);
    changed = true;
  } else {
    const { status, ...patch } = input;
    if (kind !== 'connector' && status !== undefined) patch.status = status;
    const parsed = patchSchemas[kind].safeParse({ ...patch, name: existing.name });
    if (!parsed.success) return schemaProblems(ctx, rec, input, parsed.error, ruleSet?.recs);
    // Only the fields whose values differ: a row that states the object as it is changes nothing (no history).
    const stored = presentObject(existing) as Record<string, unknown>;
    const diff = Object.fromEntries(
      Object.entries(parsed.data as Record<string, unknown>).filter(([k, v]) => canonical(v) !== canonical(stored[k])),
    );
    object =
      Object.keys(diff).length === 0
        ? existing
        : await updateObject(ctx.store, kind, existing.id, diff, ctx.opts.actor, ctx.now);
    changed = content(object) !== content(existing);
    if (kind === 'connector' && typeof status === 'string' && status !== object.status) {
      const reason = `imported from ${ctx.opts.source ?? 'a file'}`;
      object = await decideConnector(
        ctx.store,
        object.id,
        { status: status as 'approved', reason },
        ctx.opts.actor,
        ctx.now,
      );
      changed = true;
    }
  }
  if (kind === 'policy' && typeof version.body_md === 'string' && version.body_md.trim() !== '') {
    const current = (await policyVersions(ctx.store.db, DEFAULT_ORG, object.id))[0];
    const next = {
      body_md: version.body_md,
      effective_date: (version.effective_date as string | undefined) ?? current?.effective_date ?? today(ctx.now),
      approver: (version.approver as string | null | undefined) ?? null,
    };
    if (
      !current ||
      current.body_md !== next.body_md ||
      current.effective_date !== next.effective_date ||
      current.approver !== next.approver
    ) {
      await addPolicyVersion(ctx.store, object.id, next, ctx.opts.actor, ctx.now);
      changed = true;
    }
  }
  item(!existing ? 'created' : changed ? 'updated' : 'unchanged');
}

const today = (now: number): string => new Date(now).toISOString().slice(0, 10);

function groupRules(recs: readonly Rec[], problems: Problems): Rules {
  const byPolicy: Rules['byPolicy'] = new Map();
  for (const rec of recs) {
    const rule: Record<string, unknown> = {};
    let ok = true;
    for (const [key, cell] of rec.cells) {
      if (isBlank(cell.raw)) continue;
      const r = readCell(cell.col, cell.raw);
      if (r.ok) rule[key] = r.value;
      else {
        problems.add(rec.sheet, rec.row, cell.header, r.message);
        ok = false;
      }
    }
    const policy = typeof rule.policy === 'string' ? rule.policy : '';
    if (policy === '') {
      problems.add(
        rec.sheet,
        rec.row,
        rec.cells.get('policy')?.header ?? 'Policy',
        'name the policy the rule belongs to',
      );
      continue;
    }
    if (!ok) continue;
    delete rule.policy;
    const entry = byPolicy.get(policy.toLowerCase()) ?? { name: policy, rules: [], recs: [] };
    entry.rules.push(rule);
    entry.recs.push(rec);
    byPolicy.set(policy.toLowerCase(), entry);
  }
  return { present: recs.length > 0 || byPolicy.size > 0, byPolicy, used: new Set() };
}
