import { listCadences } from '../../store/cadences.repo.js';
import { policyVersions } from '../../store/governance-read.repo.js';
import { DEFAULT_ORG } from '../../store/policies.repo.js';
import type { Store } from '../../store/store.js';
import { DEFAULT_CADENCES, ensureCadences } from '../cadence.js';
import { listObjects, type GovObject } from '../governance-objects.js';
import type { GovKind, MachineRule } from '../governance-schemas.js';
import { getRaci } from '../raci-admin.js';
import { markdownTable, toCsv, toXlsx, type OutSheet } from './exchange-formats.js';
import { formatCell, sheetSpec, type SheetKind } from './exchange-sheets.js';

/**
 * The store as exchange sheets: the four inventories (objects sorted by name), the policies' machine rules, the RACI
 * (the seeded default before the first save) and the cadences. What an import of the result would state, and no
 * more: ids, creation and derived dates (next review due) are left out, so export → import into an empty store →
 * export gives the same sheets.
 */
const objectSheets: readonly [SheetKind, GovKind][] = [
  ['policies', 'policy'],
  ['workspaces', 'workspace'],
  ['connectors', 'connector'],
  ['skills', 'skill'],
];

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function outSheet(kind: SheetKind, rows: (string | number)[][], headers?: string[]): OutSheet {
  const spec = sheetSpec(kind);
  return {
    title: spec.title,
    file: spec.file,
    headers: headers ?? spec.columns.filter((c) => !c.importOnly).map((c) => c.header),
    rows,
  };
}

export async function exportSheets(store: Store, now = Date.now()): Promise<OutSheet[]> {
  const sheets: OutSheet[] = [];
  const rules: (string | number)[][] = [];
  for (const [sheet, kind] of objectSheets) {
    const objects = (await listObjects(store, kind)).sort(byName);
    const rows: (string | number)[][] = [];
    for (const o of objects) {
      const values: Record<string, unknown> = { ...common(o), ...o.fields };
      if (kind === 'policy') {
        const current = (await policyVersions(store.db, DEFAULT_ORG, o.id))[0];
        Object.assign(values, {
          effective_date: current?.effective_date,
          approver: current?.approver,
          body_md: current?.body_md,
        });
        for (const r of (o.fields.rules as MachineRule[] | undefined) ?? []) {
          const ruleSpec = sheetSpec('policy_rules');
          const v: Record<string, unknown> = { policy: o.name, ...r };
          rules.push(ruleSpec.columns.map((c) => formatCell(c, v[c.key])));
        }
      }
      rows.push(
        sheetSpec(sheet)
          .columns.filter((c) => !c.importOnly)
          .map((c) => formatCell(c, values[c.key])),
      );
    }
    sheets.push(outSheet(sheet, rows));
    if (kind === 'policy') sheets.push(outSheet('policy_rules', rules));
  }

  const { matrix } = await getRaci(store, DEFAULT_ORG);
  sheets.push(
    outSheet(
      'raci',
      matrix.activities.map((a) => [a.name, ...matrix.roles.map((r) => (a.cells[r] ?? '').split('').join('/'))]),
      ['Activity', ...matrix.roles],
    ),
  );

  await ensureCadences(store, DEFAULT_ORG, now);
  const seeded = DEFAULT_CADENCES.map((d) => d.id);
  const rank = (id: string): number => (seeded.includes(id) ? seeded.indexOf(id) : seeded.length);
  const cadences = (await listCadences(store.db, DEFAULT_ORG)).sort(
    (a, b) => rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const cadenceSpec = sheetSpec('cadences');
  sheets.push(
    outSheet(
      'cadences',
      cadences.map((c) => {
        const v: Record<string, unknown> = {
          id: c.id,
          name: c.name,
          frequency: c.frequency,
          owner_person: c.ownerPerson,
          owner_role: c.ownerRole,
          attendee_people: c.attendees.people,
          attendee_roles: c.attendees.roles,
          starts_at: c.startsAt,
          grace_days: c.graceDays,
          active: c.active,
        };
        return cadenceSpec.columns.map((col) => (col.type === 'int' ? c.graceDays : formatCell(col, v[col.key])));
      }),
    ),
  );
  return sheets;
}

function common(o: GovObject): Record<string, unknown> {
  return {
    name: o.name,
    status: o.status,
    owner: o.owner,
    review_cadence: o.review_cadence,
    last_reviewed_at: o.last_reviewed_at,
    home: o.home,
  };
}

export async function exportXlsx(store: Store): Promise<Buffer> {
  return toXlsx(await exportSheets(store));
}

/** One CSV file per sheet (`connectors.csv`, `raci.csv`, …). */
export async function exportCsv(store: Store): Promise<{ file: string; text: string }[]> {
  return (await exportSheets(store)).map((s) => ({ file: `${s.file}.csv`, text: toCsv(s) }));
}

/**
 * One Markdown document: a section and a table per sheet (long text — policy text, skill bodies — left out of the
 * tables; each policy's current text follows as a section of its own).
 */
export async function exportMarkdown(store: Store, now = Date.now()): Promise<string> {
  const sheets = await exportSheets(store, now);
  const parts = [`# Governance inventory`, '', `Exported by Steward on ${new Date(now).toISOString().slice(0, 10)}.`];
  for (const s of sheets) {
    const kind = objectSheets.find(([k]) => sheetSpec(k).title === s.title)?.[0];
    const long = new Set(
      kind
        ? sheetSpec(kind)
            .columns.filter((c) => c.long)
            .map((c) => c.header)
        : [],
    );
    const keep = s.headers.map((h, i) => (long.has(h) ? -1 : i)).filter((i) => i >= 0);
    parts.push('', `## ${s.title}`, '');
    parts.push(
      s.rows.length === 0
        ? '_None._'
        : markdownTable(
            keep.map((i) => s.headers[i] as string),
            s.rows.map((r) => keep.map((i) => r[i] ?? '')),
          ),
    );
    if (s.title === 'RACI') {
      parts.push('', 'R = responsible, A = accountable (exactly one per activity), C = consulted, I = informed.');
    }
    if (kind === 'policies') {
      const text = s.headers.indexOf('Policy text');
      for (const r of s.rows) {
        if (String(r[text] ?? '') === '') continue;
        parts.push('', `### ${String(r[0])}`, '', String(r[text]).trim());
      }
    }
  }
  return parts.join('\n') + '\n';
}
