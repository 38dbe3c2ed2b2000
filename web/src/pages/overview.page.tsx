import type { AdoptionReport, CostReport, DiscoveryReport, ToolsReport } from '../api/analytics.types';
import { AdoptionChart } from '../components/adoption-chart';
import { CostStats } from '../components/cost-stats';
import { EmptyState } from '../components/empty-state';
import { Badge, Page, Section, Stat } from '../components/page';
import { Loaded, PeriodText, StatusGate } from '../components/status-gate';
import { WhatsNew } from '../components/whats-new';
import { WindowPicker } from '../components/window-picker';
import { fmtInt, fmtRatio, fmtUsd } from '../format';
import { graphHref } from '../kind-labels';
import { Link, useLocation } from '../router';
import { useApi } from '../use-api';
import { usePeriod } from '../use-period';
import { parseDays } from '../usage-window';

/** The morning page: adoption, cost, top teams and tools, what is new — every figure from /api/v1/analytics/*. */
export function OverviewPage() {
  const { query } = useLocation();
  const days = parseDays(query.get('days'));
  const { status, period, query: q } = usePeriod(days);
  const adoption = useApi<AdoptionReport>(q('/api/v1/analytics/adoption', { group_by: 'team' }));
  const cost = useApi<CostReport>(q('/api/v1/analytics/cost', { group_by: 'team' }));
  const tools = useApi<ToolsReport>(q('/api/v1/analytics/tools'));
  const discovery = useApi<DiscoveryReport>(q('/api/v1/analytics/discovery'));

  return (
    <Page
      title="Overview"
      subtitle={
        period ? (
          <>
            Adoption, cost and tools over <PeriodText period={period} />. Costs are estimates.
          </>
        ) : undefined
      }
      actions={<WindowPicker path="/" days={days} query={query} />}
    >
      <StatusGate status={status}>
        <Loaded res={adoption} what="adoption">
          {(a) => <AdoptionStats report={a} />}
        </Loaded>
        <Loaded res={cost} what="cost">
          {(c) => (
            <>
              <p className="estimate-note" role="note">
                <strong>Estimates.</strong> {c.cost_note} <Link href={`/cost?days=${days}`}>Cost breakdown</Link>
              </p>
              <CostStats report={c} days={days} />
            </>
          )}
        </Loaded>
        {adoption.state === 'ready' ? (
          <Section title="Active people by day" note={adoption.data.definition}>
            <AdoptionChart report={adoption.data} />
          </Section>
        ) : null}
        <div className="grid-2">
          <Section title="Top teams" note="active people, share of the team, estimated cost">
            {adoption.state === 'ready' && cost.state === 'ready' ? (
              <TopTeams adoption={adoption.data} cost={cost.data} />
            ) : (
              <Loaded res={adoption.state === 'ready' ? cost : adoption} what="teams">
                {() => null}
              </Loaded>
            )}
          </Section>
          <Section title="Top tools" note={<Link href={`/tools?days=${days}`}>All tools and connectors</Link>}>
            <Loaded res={tools} what="tools">
              {(t) => <TopTools report={t} days={days} />}
            </Loaded>
          </Section>
        </div>
        <Section title="What is new" note={<Link href={`/discovery?days=${days}`}>Discovery</Link>}>
          <Loaded res={discovery} what="discovery">
            {(d) => (
              <>
                {d.unsanctioned_candidates.length > 0 ? (
                  <p className="notice" role="note">
                    <Badge tone="warn">Review</Badge> {fmtInt(d.unsanctioned_candidates.length)}{' '}
                    {d.unsanctioned_candidates.length === 1 ? 'person is' : 'people are'} active with no known
                    department — <Link href={`/discovery?days=${days}#unsanctioned`}>unsanctioned candidates</Link>.
                  </p>
                ) : null}
                <WhatsNew items={d.new_this_week} days={days} limit={8} since={d.new_since} />
              </>
            )}
          </Loaded>
        </Section>
      </StatusGate>
    </Page>
  );
}

function AdoptionStats({ report }: { report: AdoptionReport }) {
  const t = report.totals;
  return (
    <div className="stats" aria-label="Adoption">
      <Stat
        label="Active people"
        value={fmtInt(t.active_people)}
        detail={`${fmtRatio(t.active_share)} of ${fmtInt(t.known_people)} known`}
      />
      <Stat label="Daily active (average)" value={t.dau_average.toLocaleString('en-US')} />
      <Stat label="Weekly active" value={fmtInt(t.wau)} detail="the last 7 days" />
      <Stat label="Monthly active" value={fmtInt(t.mau)} detail="the last 30 days" />
      <Stat label="New people" value={fmtInt(t.new_people)} detail={`${fmtInt(t.returning_people)} returning`} />
    </div>
  );
}

function TopTeams({ adoption, cost }: { adoption: AdoptionReport; cost: CostReport }) {
  const spend = new Map(cost.groups.map((g) => [g.key, g.cost_usd_estimate]));
  const rows = (adoption.groups ?? []).filter((g) => g.active_people > 0).slice(0, 6);
  if (rows.length === 0) return <EmptyState title="No one was active in this period">Try a longer period.</EmptyState>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Teams by active people</caption>
        <thead>
          <tr>
            <th scope="col">Team</th>
            <th scope="col" className="num">
              Active
            </th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col" className="num">
              Est. cost
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr key={g.key ?? '∅'}>
              <th scope="row">{g.key ?? <span className="muted">no team</span>}</th>
              <td className="num">{fmtInt(g.active_people)}</td>
              <td className="num">{fmtRatio(g.active_share)}</td>
              <td className="num">{fmtUsd(spend.get(g.key) ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Built-in tools and named MCP tools together, busiest first. */
function TopTools({ report, days }: { report: ToolsReport; days: number }) {
  const rows = [
    ...report.builtin_tools.map((t) => ({ ...t, id: t.name, server: null as string | null })),
    ...report.mcp_servers.flatMap((s) =>
      s.tools.map((t) => ({ ...t, id: s.name ? `${s.name}/${t.name ?? 'mcp_tool'}` : 'mcp_tool', server: s.name })),
    ),
  ]
    .sort((a, b) => b.calls - a.calls || a.id.localeCompare(b.id))
    .slice(0, 6);
  if (rows.length === 0) {
    return <EmptyState title="No tool calls in this period">Tool results appear here as they arrive.</EmptyState>;
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Tools by calls</caption>
        <thead>
          <tr>
            <th scope="col">Tool</th>
            <th scope="col" className="num">
              Calls
            </th>
            <th scope="col" className="num">
              Error rate
            </th>
            <th scope="col" className="num">
              People
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.id}>
              <th scope="row">
                <Link href={graphHref('tool', t.id, days)}>{t.id}</Link>{' '}
                {t.write_capable ? <Badge tone="warn">Can write</Badge> : null}
              </th>
              <td className="num">{fmtInt(t.calls)}</td>
              <td className="num">{fmtRatio(t.error_rate)}</td>
              <td className="num">{fmtInt(t.people)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
