import { useState, type FormEvent } from 'react';
import { apiSend, type ApiError } from '../api/client';
import type { Raci, RaciProblem } from '../api/governance.types';
import { DownloadButton } from '../components/download-button';
import { Badge, Page, Section } from '../components/page';
import { Loaded } from '../components/status-gate';
import { fmtDateTime } from '../format';
import { useCanEdit } from '../role';
import { useAction } from '../use-action';
import { useApi } from '../use-api';

/**
 * The RACI (issue 6): activities × roles, each cell letters from R, A, C, I. Admins edit the grid; each row is
 * checked as it is typed (exactly one A, at least one R, the server's wording), and the server's own 400, naming the
 * activity, is shown where the row is. Exports as CSV and Markdown.
 */
type Matrix = Pick<Raci, 'roles' | 'activities'>;
const LETTERS = ['R', 'A', 'C', 'I'] as const;

/** `a/r` → `RA`, as the server stores cells. */
export function normaliseCell(v: string): string {
  const up = v.toUpperCase();
  return LETTERS.filter((l) => up.includes(l)).join('');
}

/** The client-side check of one activity, in the server's words (src/govern/raci.ts). */
export function rowProblems(roles: string[], activity: { name: string; cells: Record<string, string> }): string[] {
  const withLetter = (l: string) => roles.filter((r) => normaliseCell(activity.cells[r] ?? '').includes(l));
  const out: string[] = [];
  const a = withLetter('A');
  if (a.length === 0) out.push(`activity '${activity.name}' has no accountable role; exactly one is required`);
  if (a.length > 1) {
    out.push(
      `activity '${activity.name}' has ${a.length} accountable roles (${a.join(', ')}); exactly one is required`,
    );
  }
  if (withLetter('R').length === 0) {
    out.push(`activity '${activity.name}' has no responsible role; at least one is required`);
  }
  const bad = Object.values(activity.cells).find((v) => /[^RACIraci/,\s]/.test(v));
  if (bad !== undefined) out.push(`"${bad}": cells take letters from R, A, C, I`);
  return out;
}

export function RaciPage() {
  const raci = useApi<Raci>('/api/v1/governance/raci');
  // The version this page saved: the grid is rebuilt from the server's answer, the confirmation stays.
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  return (
    <Page
      title="RACI"
      subtitle="Who is Responsible, Accountable, Consulted and Informed for each governance activity."
      actions={
        <>
          <DownloadButton path="/api/v1/governance/raci/export?format=csv" filename="raci.csv" label="Export CSV" />
          <DownloadButton path="/api/v1/governance/raci/export?format=md" filename="raci.md" label="Export Markdown" />
        </>
      }
    >
      <Loaded res={raci} what="the RACI">
        {(d) => (
          <RaciGrid
            key={d.version}
            raci={d}
            justSaved={savedVersion === d.version}
            onSaved={(version) => {
              setSavedVersion(version);
              if (raci.state === 'ready') raci.reload();
            }}
          />
        )}
      </Loaded>
    </Page>
  );
}

function RaciGrid({
  raci,
  justSaved,
  onSaved,
}: {
  raci: Raci;
  justSaved: boolean;
  onSaved: (version: number) => void;
}) {
  const canEdit = useCanEdit();
  const [draft, setDraft] = useState<Matrix>({ roles: raci.roles, activities: raci.activities });
  const { busy, error, run, clear } = useAction();
  const dirty = JSON.stringify(draft) !== JSON.stringify({ roles: raci.roles, activities: raci.activities });
  const serverProblems = problemsOf(error);

  const setCell = (activity: number, role: string, value: string): void => {
    clear();
    setDraft((m) => ({
      ...m,
      activities: m.activities.map((a, i) => (i === activity ? { ...a, cells: { ...a.cells, [role]: value } } : a)),
    }));
  };

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const body = {
      roles: draft.roles,
      activities: draft.activities.map((a) => ({
        name: a.name,
        cells: Object.fromEntries(Object.entries(a.cells).filter(([, v]) => v.trim() !== '')),
      })),
    };
    const saved = await run(() => apiSend<Raci>('PUT', '/api/v1/governance/raci', body));
    if (saved) onSaved(saved.value.version);
  };

  const invalidRows = draft.activities.filter((a) => rowProblems(draft.roles, a).length > 0).length;
  return (
    <Section
      title="Matrix"
      note={
        raci.updated_at
          ? `version ${raci.version}, saved ${fmtDateTime(raci.updated_at)} by ${raci.updated_by ?? '—'}`
          : 'the seeded default (not saved yet)'
      }
    >
      <p className="card-lead">
        Every activity needs exactly one <strong>A</strong> (accountable) and at least one <strong>R</strong>{' '}
        (responsible).{' '}
        {canEdit ? 'Type letters into a cell (for example A, R/A or C); an empty cell has no part.' : null}
      </p>
      <form onSubmit={(e) => void save(e)} aria-label="RACI matrix">
        <div className="table-wrap">
          <table className="table raci-table">
            <caption className="visually-hidden">RACI: activities by role</caption>
            <thead>
              <tr>
                <th scope="col">Activity</th>
                {draft.roles.map((r) => (
                  <th key={r} scope="col" className="raci-role">
                    {r}
                  </th>
                ))}
                <th scope="col">Check</th>
              </tr>
            </thead>
            <tbody>
              {draft.activities.map((a, i) => {
                const problems = [
                  ...rowProblems(draft.roles, a),
                  ...serverProblems.filter((p) => p.activity === a.name).map((p) => p.message),
                ];
                const unique = [...new Set(problems)];
                const msgId = `raci-row-${i}-problems`;
                return (
                  <tr key={a.name} data-invalid={unique.length ? 'true' : undefined}>
                    <th scope="row">{a.name}</th>
                    {draft.roles.map((r) => (
                      <td key={r} className="raci-cell">
                        {canEdit ? (
                          <input
                            type="text"
                            size={4}
                            maxLength={20}
                            aria-label={`${a.name}, ${r}`}
                            aria-invalid={unique.length ? true : undefined}
                            aria-describedby={unique.length ? msgId : undefined}
                            value={a.cells[r] ?? ''}
                            onChange={(e) => setCell(i, r, e.target.value)}
                          />
                        ) : (
                          <span>{a.cells[r] ? a.cells[r].split('').join('/') : <span className="muted">—</span>}</span>
                        )}
                      </td>
                    ))}
                    <td>
                      {unique.length ? (
                        <ul id={msgId} className="plain-list raci-problems" role="alert">
                          {unique.map((m) => (
                            <li key={m}>{m}</li>
                          ))}
                        </ul>
                      ) : (
                        <Badge tone="good">OK</Badge>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {error ? (
          <div className="error-panel" role="alert">
            <strong>Not saved.</strong> {error.message}
          </div>
        ) : null}
        {justSaved && !dirty ? (
          <p className="form-ok" role="status">
            Saved as version {raci.version}.
          </p>
        ) : null}
        {canEdit ? (
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy || !dirty}>
              {busy ? 'Saving…' : 'Save RACI'}
            </button>
            <button
              type="button"
              className="button"
              disabled={!dirty}
              onClick={() => {
                clear();
                setDraft({ roles: raci.roles, activities: raci.activities });
              }}
            >
              Discard changes
            </button>
            {invalidRows ? (
              <span className="muted">
                {invalidRows} {invalidRows === 1 ? 'activity needs' : 'activities need'} fixing before the server
                accepts the matrix.
              </span>
            ) : null}
          </div>
        ) : null}
      </form>
    </Section>
  );
}

function problemsOf(error: ApiError | null): RaciProblem[] {
  const list = error?.details?.problems;
  return Array.isArray(list) ? (list as RaciProblem[]) : [];
}
