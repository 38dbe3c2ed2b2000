import { useEffect, useState, type FormEvent } from 'react';
import { apiGet, ApiError } from '../api/client';
import type { Page as ApiPage, Person } from '../api/types';
import { ConnectClaudeCode, EmptyState } from '../components/empty-state';
import { Badge, ErrorPanel, Loading, Page, Section } from '../components/page';
import { fmtDateTime, fmtRelative, personLabel } from '../format';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../use-api';

export function PeoplePage() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const first = useApi<ApiPage<Person>>(`/api/v1/people?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  const [more, setMore] = useState<{ items: Person[]; cursor: string | null; error?: ApiError } | null>(null);
  const [draft, setDraft] = useState(q);
  useEffect(() => {
    setMore(null);
    setDraft(q);
  }, [q]);

  const search = (e: FormEvent): void => {
    e.preventDefault();
    const next = draft.trim();
    navigate(next ? `/people?q=${encodeURIComponent(next)}` : '/people');
  };

  const loadMore = async (cursor: string): Promise<void> => {
    try {
      const page = await apiGet<ApiPage<Person>>(
        `/api/v1/people?limit=100&cursor=${encodeURIComponent(cursor)}${q ? `&q=${encodeURIComponent(q)}` : ''}`,
      );
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], cursor: page.next_cursor }));
    } catch (err) {
      if (err instanceof ApiError) setMore((m) => ({ items: m?.items ?? [], cursor, error: err }));
    }
  };

  const searchForm = (
    <form className="search" role="search" onSubmit={search}>
      <label htmlFor="people-q" className="visually-hidden">
        Search people by name or email
      </label>
      <input
        id="people-q"
        type="search"
        placeholder="Name or email"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );

  return (
    <Page title="People" subtitle="Everyone seen in telemetry, most recently active first." actions={searchForm}>
      {first.state === 'loading' ? <Loading what="people" /> : null}
      {first.state === 'error' ? <ErrorPanel error={first.error} onRetry={undefined} /> : null}
      {first.state === 'ready' ? (
        first.data.items.length === 0 ? (
          q ? (
            <EmptyState title={`Nobody matches “${q}”`}>
              <p>
                Search looks at names and email addresses. <Link href="/people">Show everyone</Link>.
              </p>
            </EmptyState>
          ) : (
            <ConnectClaudeCode />
          )
        ) : (
          <Section title={q ? `People matching “${q}”` : 'Everyone'}>
            <PeopleTable people={[...first.data.items, ...(more?.items ?? [])]} />
            {more?.error ? <ErrorPanel error={more.error} /> : null}
            {(more ? more.cursor : first.data.next_cursor) ? (
              <div className="table-more">
                <button
                  type="button"
                  className="button"
                  onClick={() => void loadMore((more ? more.cursor : first.data.next_cursor) ?? '')}
                >
                  Load more people
                </button>
              </div>
            ) : null}
          </Section>
        )
      ) : null}
    </Page>
  );
}

function PeopleTable({ people }: { people: Person[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">People</caption>
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Department</th>
            <th scope="col">Team</th>
            <th scope="col">Cost centre</th>
            <th scope="col">First seen</th>
            <th scope="col">Last active</th>
          </tr>
        </thead>
        <tbody>
          {people.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                <Link href={`/people/${encodeURIComponent(p.id)}`}>{personLabel(p)}</Link>
                {p.email && p.display_name ? <div className="cell-sub">{p.email}</div> : null}
                {p.is_demo ? <Badge tone="warn">demo</Badge> : null}
              </th>
              <td>{p.department ?? <span className="muted">not set</span>}</td>
              <td>{p.team ?? <span className="muted">not set</span>}</td>
              <td>{p.cost_center ?? <span className="muted">not set</span>}</td>
              <td>{fmtDateTime(p.first_seen)}</td>
              <td title={fmtDateTime(p.last_seen)}>{fmtRelative(p.last_seen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
