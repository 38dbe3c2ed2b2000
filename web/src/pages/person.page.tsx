import type { PersonDetail } from '../api/types';
import { EmptyState } from '../components/empty-state';
import { Badge, ErrorPanel, Loading, Page, Section, Stat } from '../components/page';
import { SessionTable } from '../components/session-table';
import { fmtDateTime, fmtInt, fmtUsd, personLabel } from '../format';
import { Link } from '../router';
import { useApi } from '../use-api';

/** Where an alias comes from, in words (identity resolution: ARCHITECTURE.md, Decisions › Identity). */
const ALIAS_KINDS: Record<string, string> = {
  'user.email': 'Email (from telemetry)',
  'user.account_uuid': 'Claude account UUID',
  'user.account_id': 'Claude account id',
  'enduser.id': 'End-user id (OpenTelemetry)',
  'user.id': 'Device id (Claude Code installation)',
  'process.owner': 'OS login (weak: never used to merge)',
};

export function PersonPage({ id }: { id: string }) {
  const res = useApi<PersonDetail>(`/api/v1/people/${encodeURIComponent(id)}`);
  const title = res.state === 'ready' ? personLabel(res.data) : 'Person';
  return (
    <Page title={title} subtitle={<Link href="/people">← All people</Link>}>
      {res.state === 'loading' ? <Loading what="this person" /> : null}
      {res.state === 'error' ? (
        res.error.status === 404 ? (
          <EmptyState title="No such person">
            <p>
              Nobody with the id <code>{id}</code> is known to this Steward. <Link href="/people">Browse people</Link>.
            </p>
          </EmptyState>
        ) : (
          <ErrorPanel error={res.error} onRetry={undefined} />
        )
      ) : null}
      {res.state === 'ready' ? <PersonDetails person={res.data} /> : null}
    </Page>
  );
}

function PersonDetails({ person }: { person: PersonDetail }) {
  const totals = person.recent_sessions.reduce(
    (t, s) => ({
      input: t.input + s.tokens.input,
      output: t.output + s.tokens.output,
      cost: t.cost + (s.cost_usd_estimate ?? 0),
    }),
    { input: 0, output: 0, cost: 0 },
  );
  return (
    <>
      <div className="stats">
        <Stat
          label="Department"
          value={person.department ?? '—'}
          detail={person.cost_center ? `cost centre ${person.cost_center}` : undefined}
        />
        <Stat label="Team" value={person.team ?? '—'} />
        <Stat label="First seen" value={fmtDateTime(person.first_seen)} />
        <Stat label="Last active" value={fmtDateTime(person.last_seen)} />
      </div>
      {person.is_demo ? (
        <p className="notice">
          <Badge tone="warn">demo</Badge> This person was created by <code>steward demo</code>; the data is synthetic.
        </p>
      ) : null}
      <Section title="Identities" note="the identifiers this person was resolved from">
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Aliases</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {person.aliases.map((a) => (
                <tr key={`${a.kind}:${a.value}`}>
                  <th scope="row">
                    {ALIAS_KINDS[a.kind] ?? a.kind} <code className="cell-sub">{a.kind}</code>
                  </th>
                  <td>
                    <code className="wrap">{a.value}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section
        title="Recent sessions"
        note={`latest ${person.recent_sessions.length}: ${fmtInt(totals.input)} input and ${fmtInt(totals.output)} output tokens, ${fmtUsd(totals.cost)} estimated`}
      >
        {person.recent_sessions.length === 0 ? (
          <EmptyState title="No sessions yet" />
        ) : (
          <SessionTable sessions={person.recent_sessions} caption={`Recent sessions of ${personLabel(person)}`} />
        )}
      </Section>
    </>
  );
}
