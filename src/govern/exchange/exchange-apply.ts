import type { z } from 'zod';
import { getCadence, listCadences } from '../../store/cadences.repo.js';
import { DEFAULT_ORG } from '../../store/policies.repo.js';
import { cadenceCreateSchema, cadencePatchSchema, createCadence, updateCadence } from '../cadence.js';
import { getRaci, putRaci } from '../raci-admin.js';
import { normaliseMatrix, validateRaci, type RaciMatrix } from '../raci.js';
import type { Sheet, SheetRow } from './exchange-formats.js';
import { isBlank, showCell } from './exchange-sheets.js';
import { describe, headerFor, valueAt, values, type Ctx, type ImportAction, type Rec } from './exchange-rows.js';

/**
 * The RACI sheet (activities × roles; replaced whole when it differs, refused naming the activity when invalid) and
 * the cadences (matched by id, else name; created or patched through govern/cadence.ts).
 */
export async function applyRaci(ctx: Ctx, sheet: Sheet): Promise<void> {
  const roles = sheet.headers.slice(1).filter((h) => h !== '');
  const at = (i: number): SheetRow | null => sheet.rows[i] ?? null;
  let ok = true;
  const activities = sheet.rows.map((row) => {
    const cells: Record<string, string> = {};
    sheet.headers.forEach((role, i) => {
      if (i === 0 || role === '') return;
      const raw = row.cells[i];
      const text = isBlank(raw) ? '' : String(raw as string).trim();
      if (!/^[RACIraci/,\s]*$/.test(text)) {
        ctx.problems.add(sheet, row, role, `${showCell(text)} is not letters from R, A, C, I (e.g. "A", "R/A", "C")`);
        ok = false;
      }
      if (text !== '') cells[role] = text;
    });
    return { name: isBlank(row.cells[0]) ? '' : String(row.cells[0] as string).trim(), cells };
  });
  activities.forEach((a, i) => {
    if (a.name === '') {
      ctx.problems.add(sheet, at(i), sheet.headers[0] || 'Activity', 'name the activity');
      ok = false;
    }
  });
  if (roles.length === 0 || activities.length === 0) {
    ctx.problems.add(sheet, null, null, 'a RACI needs a header row of roles and at least one activity');
    return;
  }
  if (!ok) return;
  const matrix: RaciMatrix = normaliseMatrix({ roles, activities });
  const problems = validateRaci(matrix);
  for (const p of problems) {
    const m = /^activities\[(\d+)\](?:\.cells(?:\.(.+))?)?$/.exec(p.field);
    ctx.problems.add(sheet, m ? at(Number(m[1])) : null, m?.[2] ?? null, p.message);
  }
  if (problems.length > 0) return;
  const current = await getRaci(ctx.store, DEFAULT_ORG);
  const same = JSON.stringify(normaliseMatrix(current.matrix)) === JSON.stringify(matrix);
  if (!same) await putRaci(ctx.store, DEFAULT_ORG, matrix, ctx.opts.actor, ctx.now);
  ctx.items.push({ sheet: sheet.name, row: null, kind: 'raci', name: 'RACI', action: same ? 'unchanged' : 'updated' });
}

export async function applyCadence(ctx: Ctx, rec: Rec, seen: Set<string>): Promise<void> {
  const s = ctx.store;
  const raw = values(ctx, rec);
  if (!raw) return;
  const id = typeof raw.id === 'string' ? raw.id : undefined;
  const name = typeof raw.name === 'string' ? raw.name : undefined;
  if (id === undefined && name === undefined) {
    ctx.problems.add(rec.sheet, rec.row, headerFor(rec, 'name'), 'a name (or an id) is required');
    return;
  }
  const key = (id ?? name ?? '').toLowerCase();
  if (seen.has(key)) {
    ctx.problems.add(rec.sheet, rec.row, headerFor(rec, id ? 'id' : 'name'), `"${id ?? name}" is listed twice`);
    return;
  }
  seen.add(key);
  const existing =
    (id !== undefined ? await getCadence(s.db, DEFAULT_ORG, id) : null) ??
    (id === undefined
      ? ((await listCadences(s.db, DEFAULT_ORG)).find((c) => c.name.toLowerCase() === name?.toLowerCase()) ?? null)
      : null);
  const input = values(ctx, rec);
  if (!input) return;
  const { attendee_people, attendee_roles, id: _id, ...rest } = input;
  void _id;
  const item = (action: ImportAction): void =>
    void ctx.items.push({
      sheet: rec.sheet.name,
      row: rec.row?.number ?? null,
      kind: 'cadence',
      name: existing?.name ?? String(name),
      action,
    });
  const cadenceProblems = (error: z.ZodError, body: Record<string, unknown>) => {
    for (const issue of error.issues) {
      const [k, sub] = issue.path.map(String);
      const col = k === 'attendees' ? (sub === 'roles' ? 'attendee_roles' : 'attendee_people') : (k ?? '');
      ctx.problems.add(rec.sheet, rec.row, headerFor(rec, col), describe(issue, valueAt(body, 0, issue.path)));
    }
  };
  if (!existing) {
    const body = {
      ...(id !== undefined ? { id } : {}),
      ...rest,
      attendees: { people: attendee_people ?? [], roles: attendee_roles ?? [] },
    };
    const parsed = cadenceCreateSchema.safeParse(body);
    if (!parsed.success) return cadenceProblems(parsed.error, body);
    await createCadence(s, DEFAULT_ORG, parsed.data, ctx.opts.actor, ctx.now);
    return item('created');
  }
  const { name: newName, ...restNoName } = rest;
  const body: Record<string, unknown> = {
    ...restNoName,
    ...(id !== undefined && newName !== undefined ? { name: newName } : {}),
  };
  if (attendee_people !== undefined || attendee_roles !== undefined) {
    body.attendees = {
      people: attendee_people ?? existing.attendees.people,
      roles: attendee_roles ?? existing.attendees.roles,
    };
  }
  const parsed = cadencePatchSchema.safeParse(body);
  if (!parsed.success) return cadenceProblems(parsed.error, body);
  const p = parsed.data;
  const differs =
    (p.name !== undefined && p.name !== existing.name) ||
    (p.frequency !== undefined && p.frequency !== existing.frequency) ||
    (p.owner_person !== undefined && p.owner_person !== existing.ownerPerson) ||
    (p.owner_role !== undefined && p.owner_role !== existing.ownerRole) ||
    (p.attendees !== undefined && JSON.stringify(p.attendees) !== JSON.stringify(existing.attendees)) ||
    (p.starts_at !== undefined && p.starts_at !== existing.startsAt) ||
    (p.grace_days !== undefined && p.grace_days !== existing.graceDays) ||
    (p.active !== undefined && p.active !== existing.active);
  if (differs) await updateCadence(s, DEFAULT_ORG, existing.id, p, ctx.opts.actor, ctx.now);
  item(differs ? 'updated' : 'unchanged');
}
