import { z } from 'zod';

/**
 * RACI matrix (pure): activities × roles, each cell a set of letters R (responsible), A (accountable), C (consulted),
 * I (informed). Valid when every activity has exactly one A and at least one R; the errors name the activity.
 * Cells are written in RACI order without separators (`RA`, `C`, `` for none); input may be `A/R`, `a, r`, `RA`.
 */
export const RACI_LETTERS = ['R', 'A', 'C', 'I'] as const;
export type RaciLetter = (typeof RACI_LETTERS)[number];

export interface RaciActivity {
  name: string;
  /** Role name → letters; roles absent or '' have no part in the activity. */
  cells: Record<string, string>;
}

export interface RaciMatrix {
  roles: string[];
  activities: RaciActivity[];
}

export interface RaciProblem {
  /** The activity at fault, when the problem is one activity's. */
  activity: string | null;
  /** The body field at fault, e.g. `activities[1].cells.IT`. */
  field: string;
  message: string;
}

export const DEFAULT_RACI: RaciMatrix = {
  roles: ['sponsor', 'pilot owner', 'IT', 'security', 'outside partner'],
  activities: [
    {
      name: 'workspace creation',
      cells: { sponsor: 'I', 'pilot owner': 'A', IT: 'R', security: 'C', 'outside partner': 'C' },
    },
    {
      name: 'connector approval',
      cells: { sponsor: 'I', 'pilot owner': 'C', IT: 'R', security: 'A', 'outside partner': 'C' },
    },
    {
      name: 'skill development',
      cells: { sponsor: 'I', 'pilot owner': 'A', IT: 'C', security: 'C', 'outside partner': 'R' },
    },
    {
      name: 'incident response',
      cells: { sponsor: 'I', 'pilot owner': 'C', IT: 'R', security: 'A', 'outside partner': 'I' },
    },
    {
      name: 'quarterly review',
      cells: { sponsor: 'A', 'pilot owner': 'R', IT: 'C', security: 'C', 'outside partner': 'I' },
    },
  ],
};

const cellText = z
  .string()
  .max(20)
  .regex(/^[RACIraci/,\s]*$/, 'must be letters from R, A, C, I (e.g. "A", "R/A", "C")');
const name = z.string().trim().min(1).max(100);

export const raciMatrixSchema = z.strictObject({
  roles: z.array(name).min(1).max(30),
  activities: z
    .array(z.strictObject({ name, cells: z.record(z.string().max(100), cellText) }))
    .min(1)
    .max(200),
});

export const raciCellSchema = z.strictObject({ activity: name, role: name, value: cellText });
export const raciPatchSchema = z.strictObject({ cells: z.array(raciCellSchema).min(1).max(1000) });

/** `a/r`, `R, A`, `ar` → `RA`; `''` for none. */
export function normaliseCell(value: string): string {
  const upper = value.toUpperCase();
  return RACI_LETTERS.filter((l) => upper.includes(l)).join('');
}

/** Names trimmed, cells normalised and keyed by the role's declared spelling, roles with no letters dropped. */
export function normaliseMatrix(input: RaciMatrix): RaciMatrix {
  const roles = input.roles.map((r) => r.trim());
  const byKey = new Map(roles.map((r) => [r.toLowerCase(), r]));
  return {
    roles,
    activities: input.activities.map((a) => {
      const cells: Record<string, string> = {};
      for (const [role, value] of Object.entries(a.cells)) {
        const letters = normaliseCell(value);
        if (letters !== '') cells[byKey.get(role.trim().toLowerCase()) ?? role.trim()] = letters;
      }
      return { name: a.name.trim(), cells };
    }),
  };
}

export function validateRaci(matrix: RaciMatrix): RaciProblem[] {
  const problems: RaciProblem[] = [];
  duplicates(matrix.roles).forEach((r) =>
    problems.push({ activity: null, field: 'roles', message: `role '${r}' is listed twice` }),
  );
  duplicates(matrix.activities.map((a) => a.name)).forEach((a) =>
    problems.push({ activity: a, field: 'activities', message: `activity '${a}' is listed twice` }),
  );
  const roles = new Set(matrix.roles.map((r) => r.toLowerCase()));
  matrix.activities.forEach((activity, i) => {
    const field = `activities[${i}]`;
    for (const role of Object.keys(activity.cells)) {
      if (!roles.has(role.toLowerCase())) {
        problems.push({
          activity: activity.name,
          field: `${field}.cells.${role}`,
          message: `activity '${activity.name}' names role '${role}', which is not in roles`,
        });
      }
    }
    const with_ = (letter: RaciLetter) =>
      matrix.roles.filter((r) => normaliseCell(cellOf(activity, r)).includes(letter));
    const accountable = with_('A');
    if (accountable.length !== 1) {
      problems.push({
        activity: activity.name,
        field: `${field}.cells`,
        message:
          accountable.length === 0
            ? `activity '${activity.name}' has no accountable role; exactly one is required`
            : `activity '${activity.name}' has ${accountable.length} accountable roles (${accountable.join(', ')}); ` +
              'exactly one is required',
      });
    }
    if (with_('R').length === 0) {
      problems.push({
        activity: activity.name,
        field: `${field}.cells`,
        message: `activity '${activity.name}' has no responsible role; at least one is required`,
      });
    }
  });
  return problems;
}

function cellOf(activity: RaciActivity, role: string): string {
  const key = Object.keys(activity.cells).find((k) => k.toLowerCase() === role.toLowerCase());
  return key === undefined ? '' : (activity.cells[key] ?? '');
}

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) {
    const k = n.toLowerCase();
    if (seen.has(k)) dup.add(n);
    seen.add(k);
  }
  return [...dup];
}

/** Sets cells; unknown activities or roles are problems naming them (nothing is changed then). */
export function applyCells(
  matrix: RaciMatrix,
  cells: readonly { activity: string; role: string; value: string }[],
): { matrix: RaciMatrix; problems: RaciProblem[] } {
  const next: RaciMatrix = structuredClone(matrix);
  const problems: RaciProblem[] = [];
  cells.forEach((c, i) => {
    const activity = next.activities.find((a) => a.name.toLowerCase() === c.activity.trim().toLowerCase());
    const role = next.roles.find((r) => r.toLowerCase() === c.role.trim().toLowerCase());
    if (!activity) {
      problems.push({ activity: c.activity, field: `cells[${i}].activity`, message: `no activity '${c.activity}'` });
    }
    if (!role) problems.push({ activity: c.activity, field: `cells[${i}].role`, message: `no role '${c.role}'` });
    if (!activity || !role) return;
    activity.cells = Object.fromEntries(
      Object.entries(activity.cells).filter(([k]) => k.toLowerCase() !== role.toLowerCase()),
    );
    const letters = normaliseCell(c.value);
    if (letters !== '') activity.cells[role] = letters;
  });
  return { matrix: problems.length > 0 ? matrix : next, problems };
}

/** CSV (RFC 4180): header `activity,<roles…>`, one row per activity, cells as `R/A`. */
export function raciToCsv(matrix: RaciMatrix): string {
  const quote = (v: string): string => (/[",\r\n]/.test(v) || /^[=+\-@]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = [['activity', ...matrix.roles]];
  for (const a of matrix.activities) rows.push([a.name, ...matrix.roles.map((r) => display(cellOf(a, r)))]);
  return rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

/** A Markdown table (pastes into Notion and Confluence). */
export function raciToMarkdown(matrix: RaciMatrix): string {
  const esc = (v: string): string => v.replace(/\|/g, '\\|');
  const lines = [
    `| Activity | ${matrix.roles.map(esc).join(' | ')} |`,
    `| --- | ${matrix.roles.map(() => ':---:').join(' | ')} |`,
  ];
  for (const a of matrix.activities) {
    lines.push(`| ${esc(a.name)} | ${matrix.roles.map((r) => display(cellOf(a, r))).join(' | ')} |`);
  }
  lines.push('', 'R = responsible, A = accountable (exactly one per activity), C = consulted, I = informed.');
  return lines.join('\n') + '\n';
}

function display(letters: string): string {
  return letters.split('').join('/');
}
