import type { GovHistoryEntry } from '../api/governance.types';
import { fmtDateTime } from '../format';
import { describe, fieldLabel } from './gov-parts';
import { EmptyState } from './empty-state';

/** Keys that change with every write: not part of what a change changed. */
const BOOKKEEPING = new Set(['updated_at', 'updated_by', 'decision', 'version', 'acknowledge']);
const ACTIONS: Record<string, string> = {
  create: 'Created',
  update: 'Edited',
  review: 'Marked reviewed',
  retire: 'Retired',
  decision: 'Decision',
  version: 'New policy version',
  acknowledge: 'Acknowledgement',
};

/** The fields a change changed, before → after (JSON-equal values are unchanged). */
export function changedFields(e: GovHistoryEntry): { field: string; before: unknown; after: unknown }[] {
  if (!e.before || !e.after) return [];
  const keys = new Set([...Object.keys(e.before), ...Object.keys(e.after)]);
  return [...keys]
    .filter((k) => !BOOKKEEPING.has(k) && JSON.stringify(e.before?.[k]) !== JSON.stringify(e.after?.[k]))
    .map((k) => ({ field: k, before: e.before?.[k], after: e.after?.[k] }));
}

/** What an entry adds beyond field changes: a decision's reason and reference, a version's number. */
function extra(e: GovHistoryEntry): string | null {
  const d = e.after?.decision as { reason?: string; reference?: string | null } | undefined;
  if (d && typeof d === 'object')
    return `Reason: ${d.reason ?? '—'}${d.reference ? ` (reference: ${d.reference})` : ''}`;
  const v = e.after?.version as { version?: number; effective_date?: string } | undefined;
  if (v && typeof v === 'object') return `Version ${String(v.version)}, effective ${String(v.effective_date)}`;
  const a = e.after?.acknowledge as { person?: string; version?: number } | undefined;
  if (a && typeof a === 'object') return `${String(a.person)} acknowledged version ${String(a.version)}`;
  return null;
}

/** A history, newest first: who, when, what, and each changed field as before → after. */
export function GovHistory({ entries }: { entries: GovHistoryEntry[] }) {
  if (entries.length === 0) return <EmptyState title="No changes recorded" />;
  return (
    <ol className="history" aria-label="Changes, newest first">
      {[...entries].reverse().map((e, i) => {
        const changes = changedFields(e);
        const note = extra(e);
        return (
          <li key={`${e.at}-${i}`} className="history-entry" data-action={e.action}>
            <div className="history-head">
              <strong>{ACTIONS[e.action] ?? e.action}</strong> by <span className="history-actor">{e.actor}</span>{' '}
              <time dateTime={e.at} className="muted">
                {fmtDateTime(e.at)}
              </time>
            </div>
            {note ? <p className="history-note">{note}</p> : null}
            {e.action === 'create' ? (
              <p className="history-note muted">Added to the inventory.</p>
            ) : changes.length > 0 ? (
              <table className="table diff-table">
                <caption className="visually-hidden">Fields changed</caption>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                  </tr>
                </thead>
                <tbody>
                  {changes.map((c) => (
                    <tr key={c.field}>
                      <th scope="row">{fieldLabel(c.field)}</th>
                      <td>
                        <del>{describe(c.before)}</del>
                      </td>
                      <td>
                        <ins>{describe(c.after)}</ins>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
