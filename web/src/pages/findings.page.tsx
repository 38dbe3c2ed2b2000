import { KIND_NAMES, KIND_PATHS, type FindingKind, type GovFinding } from '../api/governance.types';
import { EmptyState } from '../components/empty-state';
import { fmtDate } from '../components/gov-parts';
import { Badge, Page, Section } from '../components/page';
import { Loaded } from '../components/status-gate';
import { fmtInt } from '../format';
import { Link } from '../router';
import { useApi } from '../use-api';

/**
 * Governance findings (issue 6): declared vs observed — items used but in no inventory, declared items unused for
 * 90 days — and the inventory's own gaps (no owner, review overdue), grouped by kind, each linked to its object or
 * to where discovery shows it.
 */
const GROUPS: { kind: FindingKind; title: string; lead: string }[] = [
  {
    kind: 'undeclared',
    title: 'Undeclared',
    lead: 'Seen in telemetry in the last 90 days but in no inventory: declare them, or stop their use.',
  },
  {
    kind: 'retirement_candidate',
    title: 'Retirement candidates',
    lead: 'Declared at least 90 days ago and not used since.',
  },
  { kind: 'ownerless', title: 'Without an owner', lead: 'Every object needs an owner (a person).' },
  { kind: 'review_overdue', title: 'Review overdue', lead: 'Past their next review date.' },
];

/** Where discovery lists an undeclared item: its section (`#seen-mcp_server`), over the 90-day window. */
function discoveryHref(f: GovFinding): string {
  const section = f.detail.startsWith('MCP server')
    ? 'mcp_server'
    : f.detail.startsWith('plugin')
      ? 'plugin'
      : f.detail.startsWith('workspace')
        ? 'workspace'
        : 'skill';
  return `/discovery?days=90#seen-${section}`;
}

function seenWhat(f: GovFinding): string {
  const m = /^(MCP server|plugin|workspace folder|skill) /.exec(f.detail);
  return m?.[1] ?? KIND_NAMES[f.object_kind].one;
}

export function FindingsPage() {
  const findings = useApi<{ items: GovFinding[] }>('/api/v1/governance/findings');
  return (
    <Page title="Governance findings" subtitle="What the inventories miss, and what they hold that needs attention.">
      <Loaded res={findings} what="the findings">
        {(d) => (
          <>
            <nav className="stats stats-compact" aria-label="Findings by kind">
              {GROUPS.map((g) => (
                <a key={g.kind} href={`#findings-${g.kind}`} className="stat stat-link">
                  <span className="stat-label">{g.title}</span>
                  <span className="stat-value">{fmtInt(d.items.filter((f) => f.kind === g.kind).length)}</span>
                </a>
              ))}
            </nav>
            {GROUPS.map((g) => (
              <div key={g.kind} id={`findings-${g.kind}`}>
                <FindingGroup title={g.title} lead={g.lead} items={d.items.filter((f) => f.kind === g.kind)} />
              </div>
            ))}
          </>
        )}
      </Loaded>
    </Page>
  );
}

function FindingGroup({ title, lead, items }: { title: string; lead: string; items: GovFinding[] }) {
  return (
    <Section title={title} note={`${fmtInt(items.length)} ${items.length === 1 ? 'finding' : 'findings'}`}>
      <p className="card-lead">{lead}</p>
      {items.length === 0 ? (
        <EmptyState title="Nothing here" />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Kind</th>
                <th scope="col">Detail</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {items.map((f, i) => (
                <tr key={`${f.object_kind}:${f.object_id ?? f.subject}:${i}`}>
                  <th scope="row">
                    {f.object_id ? (
                      <Link href={`/inventory/${KIND_PATHS[f.object_kind]}/${encodeURIComponent(f.object_id)}`}>
                        {f.subject}
                      </Link>
                    ) : (
                      <Link href={discoveryHref(f)}>{f.subject}</Link>
                    )}
                  </th>
                  <td>{f.object_id ? KIND_NAMES[f.object_kind].one : <Badge tone="warn">{seenWhat(f)}</Badge>}</td>
                  <td className="wrap">
                    {f.detail}
                    {f.seen_by?.length ? <span className="cell-sub"> used most by {f.seen_by.join(', ')}</span> : null}
                  </td>
                  <td className="nowrap">{fmtDate(f.since)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
