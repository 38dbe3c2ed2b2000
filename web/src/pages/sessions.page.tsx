import { useEffect, useState } from 'react';
import { apiGet, ApiError } from '../api/client';
import type { Page as ApiPage, Session } from '../api/types';
import { ConnectClaudeCode } from '../components/empty-state';
import { ErrorPanel, Loading, Page, Section } from '../components/page';
import { SessionTable, SURFACE_LABELS } from '../components/session-table';
import { usePeopleIndex } from '../people-index';
import { Link, useLocation } from '../router';
import { useApi } from '../use-api';

const SURFACES = ['claude_code', 'cowork', 'desktop', 'office', 'api'];

export function SessionsPage() {
  const { query } = useLocation();
  const surface = query.get('surface');
  const people = usePeopleIndex();
  const first = useApi<ApiPage<Session>>(
    `/api/v1/sessions?limit=100${surface ? `&surface=${encodeURIComponent(surface)}` : ''}`,
  );
  const [more, setMore] = useState<{ items: Session[]; cursor: string | null; error?: ApiError } | null>(null);
  useEffect(() => setMore(null), [surface]);

  const loadMore = async (cursor: string): Promise<void> => {
    try {
      const page = await apiGet<ApiPage<Session>>(
        `/api/v1/sessions?limit=100&cursor=${encodeURIComponent(cursor)}${surface ? `&surface=${encodeURIComponent(surface)}` : ''}`,
      );
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], cursor: page.next_cursor }));
    } catch (err) {
      if (err instanceof ApiError) setMore((m) => ({ items: m?.items ?? [], cursor, error: err }));
    }
  };

  const filter = (
    <nav className="segmented" aria-label="Surface">
      <Link href="/sessions" aria-current={surface === null ? 'true' : undefined}>
        All
      </Link>
      {SURFACES.map((s) => (
        <Link key={s} href={`/sessions?surface=${s}`} aria-current={surface === s ? 'true' : undefined}>
          {SURFACE_LABELS[s]}
        </Link>
      ))}
    </nav>
  );

  const next = more ? more.cursor : first.state === 'ready' ? first.data.next_cursor : null;
  return (
    <Page
      title="Sessions"
      subtitle="Every session, most recently active first. Open one to read its thread."
      actions={filter}
    >
      {first.state === 'loading' ? <Loading what="sessions" /> : null}
      {first.state === 'error' ? <ErrorPanel error={first.error} /> : null}
      {first.state === 'ready' ? (
        first.data.items.length === 0 ? (
          surface ? (
            <p className="notice">
              No {SURFACE_LABELS[surface] ?? surface} sessions yet. <Link href="/sessions">Show all surfaces</Link>.
            </p>
          ) : (
            <ConnectClaudeCode />
          )
        ) : (
          <Section title={surface ? `${SURFACE_LABELS[surface] ?? surface} sessions` : 'All sessions'}>
            <SessionTable sessions={[...first.data.items, ...(more?.items ?? [])]} people={people} caption="Sessions" />
            {more?.error ? <ErrorPanel error={more.error} /> : null}
            {next ? (
              <div className="table-more">
                <button type="button" className="button" onClick={() => void loadMore(next)}>
                  Load more sessions
                </button>
              </div>
            ) : null}
          </Section>
        )
      ) : null}
    </Page>
  );
}
