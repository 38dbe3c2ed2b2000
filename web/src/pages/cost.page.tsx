import { useCallback } from 'react';
import type { Status, UsageSummary } from '../api/types';
import { Chart, type ChartOption } from '../components/chart';
import { ConnectClaudeCode, EmptyState } from '../components/empty-state';
import { ErrorPanel, Loading, Page, Section, Stat } from '../components/page';
import { UsageTable } from '../components/usage-table';
import { WindowPicker } from '../components/window-picker';
import { fmtDay, fmtInt, fmtUsd, personLabel } from '../format';
import { usePeopleIndex } from '../people-index';
import { Link, useLocation } from '../router';
import { useApi } from '../use-api';
import { parseDays, usageWindow } from '../usage-window';

const GROUPINGS = [
  { by: 'department', label: 'Department' },
  { by: 'team', label: 'Team' },
  { by: 'model', label: 'Model' },
  { by: 'person', label: 'Person' },
] as const;

export function CostPage() {
  const { query } = useLocation();
  const days = parseDays(query.get('days'));
  const grouping = GROUPINGS.find((g) => g.by === query.get('by')) ?? GROUPINGS[0];
  const status = useApi<Status>('/api/v1/status');
  const period = status.state === 'ready' ? usageWindow(status.data, days) : null;
  const summary = useApi<UsageSummary>(
    period ? `/api/v1/usage/summary?from=${period.from}&to=${period.to}&group_by=${grouping.by}` : null,
  );
  const people = usePeopleIndex();
  const keyLabel = useCallback(
    (key: string): string => {
      if (grouping.by !== 'person') return key;
      const p = people.get(key);
      return p ? personLabel(p) : key.slice(0, 8);
    },
    [grouping.by, people],
  );

  const tabs = (
    <nav className="segmented" aria-label="Group by">
      {GROUPINGS.map((g) => {
        const q = new URLSearchParams(query);
        q.set('by', g.by);
        return (
          <Link key={g.by} href={`/cost?${q.toString()}`} aria-current={g.by === grouping.by ? 'true' : undefined}>
            {g.label}
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
            Estimated spend over the {days} days to{' '}
            {fmtDay(new Date(Date.parse(period.to) - 1).toISOString().slice(0, 10))}
            {period.endsAtLatest ? ' (the latest telemetry received)' : ''}, by {grouping.label.toLowerCase()}.
          </>
        ) : undefined
      }
      actions={<WindowPicker path="/cost" days={days} query={query} />}
    >
      {status.state === 'loading' || (status.state === 'ready' && summary.state === 'loading') ? (
        <Loading what="usage" />
      ) : null}
      {status.state === 'error' ? <ErrorPanel error={status.error} /> : null}
      {summary.state === 'error' ? <ErrorPanel error={summary.error} /> : null}
      {status.state === 'ready' && status.data.events === 0 ? <ConnectClaudeCode /> : null}
      {status.state === 'ready' && status.data.events > 0 && summary.state === 'ready' ? (
        <>
          <p className="estimate-note" role="note">
            <strong>Estimates.</strong> {summary.data.cost_note}
          </p>
          <div className="stats">
            <Stat label="Estimated cost" value={fmtUsd(summary.data.totals.cost_usd_estimate)} />
            <Stat label="API requests" value={fmtInt(summary.data.totals.requests)} />
            <Stat label="Input tokens" value={fmtInt(summary.data.totals.tokens.input)} />
            <Stat label="Output tokens" value={fmtInt(summary.data.totals.tokens.output)} />
          </div>
          <Section title={`By ${grouping.label.toLowerCase()}`} note={tabs}>
            {summary.data.groups.length === 0 ? (
              <EmptyState title="No API requests in this period">Try a longer period above.</EmptyState>
            ) : (
              <>
                <CostChart summary={summary.data} keyLabel={keyLabel} title={grouping.label} />
                <UsageTable
                  summary={summary.data}
                  keyHeader={grouping.label}
                  caption={`Usage and estimated cost by ${grouping.label.toLowerCase()}`}
                  renderKey={(k) =>
                    k !== null && grouping.by === 'person' ? (
                      <Link href={`/people/${encodeURIComponent(k)}`}>{keyLabel(k)}</Link>
                    ) : (
                      k
                    )
                  }
                />
              </>
            )}
          </Section>
        </>
      ) : null}
    </Page>
  );
}

function CostChart({
  summary,
  keyLabel,
  title,
}: {
  summary: UsageSummary;
  keyLabel: (k: string) => string;
  title: string;
}) {
  const option = useCallback(
    (c: { muted: string; grid: string }): ChartOption => {
      const rows = [...summary.groups]
        .sort((a, b) => (b.cost_usd_estimate ?? 0) - (a.cost_usd_estimate ?? 0))
        .slice(0, 12)
        .reverse();
      return {
        grid: { left: 16, right: 48, top: 8, bottom: 24, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => fmtUsd(v) },
        xAxis: {
          type: 'value',
          axisLabel: { color: c.muted, formatter: (v: number) => fmtUsd(v) },
          splitLine: { lineStyle: { color: c.grid } },
        },
        yAxis: {
          type: 'category',
          data: rows.map((r) => (r.key === null ? 'not set' : keyLabel(r.key))),
          axisLabel: { color: c.muted },
          axisLine: { lineStyle: { color: c.grid } },
        },
        series: [
          { name: 'Estimated cost', type: 'bar', barMaxWidth: 22, data: rows.map((r) => r.cost_usd_estimate ?? 0) },
        ],
      };
    },
    [summary, keyLabel],
  );
  const shown = Math.min(summary.groups.length, 12);
  return (
    <Chart
      option={option}
      label={`Estimated cost by ${title.toLowerCase()}, largest first`}
      height={Math.max(140, 48 + shown * 34)}
    />
  );
}
