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
  { kind: 'cadence_overdue', title: 'Cadence overdue', lead: 'Review cadences past their due date and grace.' },
  {
    kind: 'forum_lapsed',
    title: 'Forum lapsed',
    lead: 'The governance forum is required or switched on, but has not met for two calendar months.',
  },
  {
    kind: 'pilot_not_graduated',
    title: 'Pilot not graduated',
    lead: 'Workspaces still in pilot after their planned end.',
  },
  {
    kind: 'scope_drift',
    title: 'Beyond what was approved',
    lead: "Connector tools used that are not in the connector's approved tool list, or are blocked there.",
  },
  {
    kind: 'skill_regression',
    title: 'Skill regressions',
    lead: 'Skills whose error rate jumped after a model or app-version change.',
  },
];

/** The known groups, then any kind the server adds later, under its own name. */
function groupsOf(items: GovFinding[]): { kind: FindingKind; title: string; lead: string }[] {
  const known = new Set(GROUPS.map((g) => g.kind));
  const extra = [...new Set(items.map((f) => f.kind).filter((k) => !known.has(k)))].map((kind) => ({
    kind,
    title: kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, ' '),
    lead: '',
  }));
  return [...GROUPS, ...extra];
}

/** Where a finding's subject is shown: its object, the cadences page, or discovery for undeclared items. */
function subjectHref(f: GovFinding): string {
  if (f.object_kind === 'cadence') return '/cadences';
  if (f.object_id) return `/inventory/${KIND_PATHS[f.object_kind]}/${encodeURIComponent(f.object_id)}`;
  return discoveryHref(f);
}

function kindName(f: GovFinding): string {
  return f.object_kind === 'cadence' ? 'Cadence' : KIND_NAMES[f.object_kind].one;
}

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
  return m?.[1] ?? kindName(f);
}

export function FindingsPage() {
  const findings = useApi<{ items: GovFinding[] }>('/api/v1/governance/findings');
  return (
    <Page title="Governance findings" subtitle="What the inventories miss, and what they hold that needs attention.">
      <Loaded res={findings} what="the findings">
        {(d) => (
          <>
            <nav className="stats stats-compact" aria-label="Findings by kind">
              {groupsOf(d.items).map((g) => (
                <a key={g.kind} href={`#findings-${g.kind}`} className="stat stat-link">
                  <span className="stat-label">{g.title}</span>
                  <span className="stat-value">{fmtInt(d.items.filter((f) => f.kind === g.kind).length)}</span>
                </a>
              ))}
            </nav>
            {groupsOf(d.items).map((g) => (
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
      {lead ? <p className="card-lead">{lead}</p> : null}
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
                    <Link href={subjectHref(f)}>{f.subject}</Link>
                  </th>
                  <td>{f.kind === 'undeclared' ? <Badge tone="warn">{seenWhat(f)}</Badge> : kindName(f)}</td>
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
