import { useCallback } from 'react';
import { COST_GROUPS, type CostGroup, type CostReport } from '../api/analytics.types';
import { CostChart } from '../components/cost-chart';
import { CostGroupsTable } from '../components/cost-groups-table';
import { CostStats } from '../components/cost-stats';
import { EmptyState } from '../components/empty-state';
import { Page, Section } from '../components/page';
import { SURFACE_LABELS } from '../components/session-table';
import { SpendersTable } from '../components/spenders-table';
import { Loaded, PeriodText, StatusGate } from '../components/status-gate';
import { WindowPicker } from '../components/window-picker';
import { graphHref } from '../kind-labels';
import { Link, useLocation } from '../router';
import { useApi } from '../use-api';
import { usePeriod } from '../use-period';
import { parseDays } from '../usage-window';

/** The dimensions the cost report groups by (issue 3 §3), as the picker names them. */
const DIMENSIONS: Record<CostGroup, string> = {
  person: 'Person',
  team: 'Team',
  department: 'Department',
  model: 'Model',
  agent: 'Agent',
  workflow: 'Workflow',
  skill: 'Skill',
  mcp_server: 'Connector',
  surface: 'Surface',
};

function parseGroup(raw: string | null): CostGroup {
  return (COST_GROUPS as readonly string[]).includes(raw ?? '') ? (raw as CostGroup) : 'department';
}

export function CostPage() {
  const { query } = useLocation();
  const days = parseDays(query.get('days'));
  const by = parseGroup(query.get('by'));
  const label = DIMENSIONS[by];
  const { status, period, query: q } = usePeriod(days);
  const report = useApi<CostReport>(q('/api/v1/analytics/cost', { group_by: by }));
  const keyLabel = useCallback(
    (g: CostReport['groups'][number]): string =>
      g.key === null
        ? 'not set'
        : by === 'person'
          ? (g.display_name ?? g.key.slice(0, 8))
          : by === 'surface'
            ? (SURFACE_LABELS[g.key] ?? g.key)
            : g.key,
    [by],
  );
  const renderKey = (g: CostReport['groups'][number]) => {
    if (g.key !== null && by === 'person')
      return <Link href={`/people/${encodeURIComponent(g.key)}`}>{keyLabel(g)}</Link>;
    if (g.key !== null && (by === 'model' || by === 'agent' || by === 'skill' || by === 'mcp_server'))
      return <Link href={graphHref(by, g.key, days)}>{g.key}</Link>;
    return keyLabel(g);
  };

  const picker = (
    <nav className="segmented" aria-label="Group by">
      {COST_GROUPS.map((g) => {
        const next = new URLSearchParams(query);
        next.set('by', g);
        return (
          <Link key={g} href={`/cost?${next.toString()}`} aria-current={g === by ? 'true' : undefined}>
            {DIMENSIONS[g]}
          </Link>
        );
      })}
    </nav>
  );

  return (
    <Page
      title="Cost"
      subtitle={
        period ? (
          <>
            Estimated spend over <PeriodText period={period} />, by {label.toLowerCase()}.
          </>
        ) : undefined
      }
      actions={<WindowPicker path="/cost" days={days} query={query} />}
    >
      <StatusGate status={status}>
        <Loaded res={report} what="cost">
          {(r) => (
            <>
              <p className="estimate-note" role="note">
                <strong>Estimates.</strong> {r.cost_note} The month-end forecast is {r.month_to_date.method}.
              </p>
              <CostStats report={r} days={days} requests />
              <Section title={`By ${label.toLowerCase()}`} className="cost-groups">
                <div className="picker-row">{picker}</div>
                {r.groups.length === 0 ? (
                  <EmptyState title="No API requests in this period">
                    <p>Try a longer period above.</p>
                  </EmptyState>
                ) : (
                  <>
                    <CostChart report={r} keyLabel={keyLabel} title={label} />
                    <CostGroupsTable report={r} keyHeader={label} renderKey={renderKey} />
                  </>
                )}
              </Section>
              <div className="grid-2">
                <Section title="Top spenders" note="people, by estimated cost">
                  <SpendersTable spenders={r.top_spenders} caption="Top spenders" empty="No spend in this period" />
                </Section>
                <Section title="Fastest-growing spenders" note="against the previous period of the same length">
                  <SpendersTable
                    spenders={r.fastest_growing_spenders}
                    caption="Fastest-growing spenders"
                    empty="No one's spend grew against the previous period"
                  />
                </Section>
              </div>
            </>
          )}
        </Loaded>
      </StatusGate>
    </Page>
  );
}
