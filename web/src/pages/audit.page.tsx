import { Fragment, useState, type FormEvent } from 'react';
import type { AuditEntry, AuditResult, AuditSearchPage } from '../api/audit.types';
import { CheckpointPanel, InclusionProofView, ProofBadge } from '../components/audit-parts';
import { EmptyState } from '../components/empty-state';
import { Badge, Page, Section } from '../components/page';
import { Loaded } from '../components/status-gate';
import { fmtShortDateTime } from '../format';
import { Link, navigate, useLocation } from '../router';
import { useCanEdit } from '../role';
import { useApi } from '../use-api';

/**
 * The audit log (issue 7): forensic search of the tamper-evident vault by actor, action, subject and time window,
 * newest first, each result with its proof status against the latest signed checkpoint; an entry opens to its JSON
 * and its inclusion proof (checked in the browser); the checkpoint and the verifier keys below. Filters and the page
 * (`before`) live in the URL, so a search can be bookmarked and shared.
 */
const FILTERS = ['actor', 'action', 'subject', 'from', 'to'] as const;
type Filter = (typeof FILTERS)[number];
const PAGE_SIZE = 50;

function queryOf(values: Partial<Record<Filter | 'before', string>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) q.set(k, v);
  return q.toString();
}

/** `datetime-local` shows local time; the URL and the API hold ISO 8601 instants. */
function toLocalInput(iso: string | null): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
const fromLocalInput = (v: string): string => (v ? new Date(v).toISOString() : '');

export function AuditPage() {
  const { query } = useLocation();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<Filter, string>;
  const before = query.get('before') ?? '';
  const search = queryOf({ ...filters, before });
  const results = useApi<AuditSearchPage>(`/api/v1/audit?limit=${PAGE_SIZE}${search ? `&${search}` : ''}`);
  const reload = results.state === 'ready' ? results.reload : () => {};
  const filtered = FILTERS.some((f) => filters[f] !== '');
  return (
    <Page
      title="Audit log"
      subtitle="Who did what, when and from where — every entry sealed in a Merkle tree whose checkpoints are signed."
    >
      <SearchForm key={queryOf(filters)} initial={filters} />
      <Section
        title="Entries"
        note={before ? `older than entry ${before}` : filtered ? 'matching the search, newest first' : 'newest first'}
      >
        <Loaded res={results} what="audit entries">
          {(d) => (
            <>
              {d.items.length === 0 ? (
                <EmptyState title={filtered ? 'No entry matches this search' : 'The audit log is empty'} />
              ) : (
                <ResultTable page={d} />
              )}
              <div className="table-more audit-paging">
                {before ? (
                  <Link href={`/audit${queryOf(filters) ? `?${queryOf(filters)}` : ''}`}>Newest entries</Link>
                ) : null}
                {d.next !== null ? (
                  <Link href={`/audit?${queryOf({ ...filters, before: String(d.next) })}`}>Older entries</Link>
                ) : null}
              </div>
            </>
          )}
        </Loaded>
      </Section>
      <CheckpointPanel
        latest={results.state === 'ready' ? results.data.checkpoint : results.state === 'error' ? null : undefined}
        canSign={useCanEdit()}
        onSigned={reload}
      />
    </Page>
  );
}

function SearchForm({ initial }: { initial: Record<Filter, string> }) {
  const [actor, setActor] = useState(initial.actor);
  const [action, setAction] = useState(initial.action);
  const [subject, setSubject] = useState(initial.subject);
  const [from, setFrom] = useState(toLocalInput(initial.from));
  const [to, setTo] = useState(toLocalInput(initial.to));

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const q = queryOf({
      actor: actor.trim(),
      action: action.trim(),
      subject: subject.trim(),
      from: fromLocalInput(from),
      to: fromLocalInput(to),
    });
    navigate(q ? `/audit?${q}` : '/audit');
  };

  return (
    <Section title="Search">
      <form className="gov-form" role="search" aria-label="Search the audit log" onSubmit={submit}>
        <div className="form-grid">
          <div className="form-field">
            <label htmlFor="audit-actor">Actor</label>
            <input
              id="audit-actor"
              type="text"
              value={actor}
              placeholder="token id, name, IP address"
              onChange={(e) => setActor(e.target.value)}
            />
          </div>
          <div className="form-field">
            <label htmlFor="audit-action">Action</label>
            <input
              id="audit-action"
              type="text"
              value={action}
              placeholder="keys.create, governance.*"
              aria-describedby="audit-action-help"
              onChange={(e) => setAction(e.target.value)}
            />
            <p id="audit-action-help" className="help">
              Exact, or a prefix ending in <code>.*</code>.
            </p>
          </div>
          <div className="form-field">
            <label htmlFor="audit-subject">Subject id</label>
            <input id="audit-subject" type="text" value={subject} onChange={(e) => setSubject(e.target.value)} />
          </div>
          <div className="form-field">
            <label htmlFor="audit-from">From</label>
            <input id="audit-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="form-field">
            <label htmlFor="audit-to">Until</label>
            <input id="audit-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary">
            Search
          </button>
          <Link href="/audit">Clear</Link>
        </div>
      </form>
    </Section>
  );
}

function actorLabel(e: AuditEntry): { main: string; sub: string } {
  const sub = [e.actor.kind === 'token' ? 'API token' : e.actor.kind, e.actor.role].filter(Boolean).join(' · ');
  return { main: e.actor.name ?? e.actor.id, sub };
}

function ResultTable({ page }: { page: AuditSearchPage }) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (index: number): void =>
    setOpen((s) => {
      const next = new Set(s);
      if (!next.delete(index)) next.add(index);
      return next;
    });
  return (
    <div className="table-wrap">
      <table className="table audit-table">
        <caption className="visually-hidden">Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Subject</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">
              Index
            </th>
            <th scope="col">Proof</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((r) => (
            <Fragment key={r.index}>
              <ResultRow r={r} open={open.has(r.index)} onToggle={() => toggle(r.index)} />
              {open.has(r.index) ? (
                <tr className="audit-detail" id={`audit-entry-${r.index}`}>
                  <td colSpan={8}>
                    <EntryDetail r={r} checkpoint={page.checkpoint} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ResultRow({ r, open, onToggle }: { r: AuditResult; open: boolean; onToggle: () => void }) {
  const e = r.entry;
  const who = e ? actorLabel(e) : null;
  return (
    <tr data-index={r.index}>
      <td className="nowrap">
        {e ? (
          <time dateTime={new Date(e.time).toISOString()}>{fmtShortDateTime(new Date(e.time).toISOString())}</time>
        ) : (
          '—'
        )}
      </td>
      <td className="wrap">
        {who ? (
          <>
            {who.main}
            <span className="cell-sub">{who.sub}</span>
          </>
        ) : (
          <span className="muted">content pruned</span>
        )}
      </td>
      <td className="mono">{e?.action ?? '—'}</td>
      <td className="wrap">
        {e?.subject ? (
          <>
            <span className="mono">{e.subject.id}</span>
            <span className="cell-sub">{e.subject.kind}</span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>{e?.outcome === 'failure' ? <Badge tone="bad">failure</Badge> : (e?.outcome ?? '—')}</td>
      <td className="num">{r.index}</td>
      <td>
        <ProofBadge status={r.proof} />
        {r.held ? (
          <>
            {' '}
            <Badge tone="accent">held</Badge>
          </>
        ) : null}
      </td>
      <td>
        <button
          type="button"
          className="button button-quiet"
          aria-expanded={open}
          aria-controls={open ? `audit-entry-${r.index}` : undefined}
          aria-label={`${open ? 'Hide' : 'Show'} entry ${r.index}`}
          onClick={onToggle}
        >
          {open ? 'Hide' : 'Show'}
        </button>
      </td>
    </tr>
  );
}

function EntryDetail({ r, checkpoint }: { r: AuditResult; checkpoint: AuditSearchPage['checkpoint'] }) {
  return (
    <div className="audit-entry">
      {r.entry ? (
        <pre className="code-block" tabIndex={0} aria-label={`Entry ${r.index} as stored (JSON)`}>
          {JSON.stringify(r.entry, null, 2)}
        </pre>
      ) : (
        <p className="notice">Retention removed this entry&apos;s content; its hash stays in the tree.</p>
      )}
      <p className="help">
        Leaf hash <span className="mono wrap">{r.leafHash}</span>
      </p>
      <InclusionProofView index={r.index} leafHash={r.leafHash} checkpoint={checkpoint} />
    </div>
  );
}
