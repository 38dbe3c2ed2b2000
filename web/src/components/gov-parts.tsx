import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';
import { fmtDateTime } from '../format';
import { Badge } from './page';

/** Small pieces the governance pages share: status badges, due dates, field values, form errors. */
const GOOD = new Set(['approved', 'active']);
const BAD = new Set(['denied', 'retired', 'deprecated']);

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={GOOD.has(status) ? 'good' : BAD.has(status) ? 'bad' : 'neutral'}>{status}</Badge>;
}

export function fmtDate(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' }) : '—';
}

/** Whether an ISO time has passed (a plain function: components call it while rendering a list). */
export function isPast(iso: string | null | undefined, now = Date.now()): boolean {
  return Boolean(iso) && Date.parse(iso ?? '') < now;
}

/** A due date, and "Overdue" in words (not only colour) once it has passed. */
export function DueDate({ due, overdue }: { due: string | null | undefined; overdue?: boolean }) {
  if (!due) return <span className="muted">—</span>;
  const late = overdue ?? isPast(due);
  return (
    <span
      className={late ? 'due-overdue' : undefined}
      data-overdue={late ? 'true' : undefined}
      title={fmtDateTime(due)}
    >
      {fmtDate(due)}
      {late ? (
        <>
          {' '}
          <Badge tone="bad">Overdue</Badge>
        </>
      ) : null}
    </span>
  );
}

/** A field's value, readable: lists joined, objects (tools, rules) as compact lines, empty as "not set". */
export function FieldValue({ value }: { value: unknown }): ReactNode {
  if (value === null || value === undefined || value === '') return <span className="muted">not set</span>;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    if (value.every((v) => typeof v === 'string')) return value.join(', ');
    return (
      <ul className="plain-list">
        {value.map((v, i) => (
          <li key={i}>{describe(v)}</li>
        ))}
      </ul>
    );
  }
  if (typeof value === 'object' || (typeof value === 'string' && ISO_TIME.test(value))) return describe(value);
  const s = String(value);
  if (/^https?:\/\//.test(s)) {
    return (
      <a href={s} target="_blank" rel="noreferrer noopener">
        {s}
      </a>
    );
  }
  return s;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A value in one line of text (history diffs, nested objects). */
export function describe(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'not set';
  if (typeof value === 'string') return ISO_TIME.test(value) ? fmtDateTime(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(describe).join(', ');
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${describe(v)}`)
    .join('; ');
}

/** Field names as words: `review_cadence` → "Review cadence". */
export function fieldLabel(key: string): string {
  const special: Record<string, string> = {
    url: 'URL',
    oauth_scopes: 'OAuth scopes',
    claude_md_present: 'CLAUDE.md present',
    scheduled_tasks_md_present: 'scheduled-tasks.md present',
    home: 'Home (where it lives)',
    pilot_ends_on: 'Pilot ends on',
  };
  const s = special[key] ?? key.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function FormError({ error, id }: { error: ApiError | null; id?: string }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert" id={id}>
      {error.message}
    </p>
  );
}
