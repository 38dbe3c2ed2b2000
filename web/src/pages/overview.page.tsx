import { useCallback } from 'react';
import type { Status, UsageSummary } from '../api/types';
import { Chart, type ChartOption } from '../components/chart';
import { ConnectClaudeCode, EmptyState } from '../components/empty-state';
import { ErrorPanel, Loading, Page, Section, Stat } from '../components/page';
import { SessionTable } from '../components/session-table';
import { UsageTable } from '../components/usage-table';
import { WindowPicker } from '../components/window-picker';
import { fmtCompact, fmtDateTime, fmtDay, fmtInt, fmtRelative, fmtUsd } from '../format';
import { usePeopleIndex } from '../people-index';
import { Link, useLocation } from '../router';
import { useApi, type Loadable } from '../use-api';
import { daysIn, parseDays, usageWindow } from '../usage-window';

export function OverviewPage() {
  const { query } = useLocation();
  const days = parseDays(query.get('days'));
  const status = useApi<Status>('/api/v1/status');
  const period = status.state === 'ready' ? usageWindow(status.data, days) : null;
  const usage = (groupBy: string): string | null =>
    period ? `/api/v1/usage/summary?from=${period.from}&to=${period.to}&group_by=${groupBy}` : null;
  const byDay = useApi<UsageSummary>(usage('day'));
  const byDepartment = useApi<UsageSummary>(usage('department'));
  const byModel = useApi<UsageSummary>(usage('model'));
  const people = usePeopleIndex();

  const subtitle =
    period && status.state === 'ready' && status.data.events > 0 ? (
      <>
        Usage over the {days} days to {fmtDay(new Date(Date.parse(period.to) - 1).toISOString().slice(0, 10))}
        {period.endsAtLatest ? ' (the latest telemetry received)' : ''}. Costs are estimates.
      </>
    ) : undefined;

  return (
    <Page title="Overview" subtitle={subtitle} actions={<WindowPicker path="/" days={days} query={query} />}>
      {status.state === 'loading' ? <Loading what="status" /> : null}
      {status.state === 'error' ? <ErrorPanel error={status.error} /> : null}
      {status.state === 'ready' ? (
        status.data.events === 0 ? (
          <ConnectClaudeCode />
        ) : (
          <>
            <div className="stats" aria-label="Totals">
              <Stat
                label="People"
                value={fmtInt(status.data.people)}
                detail={<Link href="/people">See everyone</Link>}
              />
              <Stat
                label="Sessions"
                value={fmtInt(status.data.sessions)}
                detail={<Link href="/sessions">Browse sessions</Link>}
              />
              <Stat
                label="Events stored"
                value={fmtInt(status.data.events)}
                detail={`${status.data.database} store, v${status.data.version}`}
              />
              <Stat
                label="Latest telemetry"
                value={fmtRelative(status.data.last_event_at)}
                detail={
                  <time dateTime={status.data.last_event_at ?? undefined}>
                    {fmtDateTime(status.data.last_event_at)}
                  </time>
                }
              />
            </div>
            {byDay.state === 'error' ? <ErrorPanel error={byDay.error} /> : null}
            {byDay.state === 'ready' && period ? (
              <UsageOverview summary={byDay.data} from={period.from} to={period.to} />
            ) : null}
            <div className="grid-2">
              <Section title="Top departments" note="by estimated cost">
                <UsageBlock res={byDepartment} keyHeader="Department" />
              </Section>
              <Section title="Models" note="by estimated cost">
                <UsageBlock res={byModel} keyHeader="Model" />
              </Section>
            </div>
            <Section title="Recent sessions" note={<Link href="/sessions">All sessions</Link>}>
              <SessionTable
                sessions={status.data.recent_sessions}
                people={people}
                caption="The five most recent sessions"
              />
            </Section>
          </>
        )
      ) : null}
    </Page>
  );
}

function UsageBlock({ res, keyHeader }: { res: Loadable<UsageSummary>; keyHeader: string }) {
  if (res.state === 'loading') return <Loading what={keyHeader.toLowerCase() + 's'} />;
  if (res.state === 'error') return <ErrorPanel error={res.error} />;
  if (res.data.groups.length === 0) {
    return <EmptyState title="No API requests in this period">Try a longer period above.</EmptyState>;
  }
  return (
    <UsageTable
      summary={res.data}
      keyHeader={keyHeader}
      renderKey={(k) => k}
      limit={5}
      compact
      caption={`Usage by ${keyHeader.toLowerCase()}`}
    />
  );
}

function UsageOverview({ summary, from, to }: { summary: UsageSummary; from: string; to: string }) {
  const t = summary.totals;
  const option = useCallback(
    (c: { muted: string; grid: string }): ChartOption => {
      const byKey = new Map(summary.groups.map((g) => [g.key, g]));
      const days = daysIn(from, to);
      const series = (name: string, pick: (g: UsageSummary['groups'][number]) => number) => ({
        name,
        type: 'bar',
        stack: 'tokens',
        barMaxWidth: 28,
        emphasis: { focus: 'series' },
        data: days.map((d) => {
          const g = byKey.get(d);
          return g ? pick(g) : 0;
        }),
      });
      return {
        grid: { left: 56, right: 64, top: 40, bottom: 32 },
        legend: { top: 0, textStyle: { color: c.muted } },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: {
          type: 'category',
          data: days.map(fmtDay),
          axisLine: { lineStyle: { color: c.grid } },
          axisLabel: { color: c.muted },
        },
        yAxis: [
          {
            type: 'value',
            name: 'tokens',
            nameTextStyle: { color: c.muted },
            axisLabel: { color: c.muted, formatter: (v: number) => fmtCompact(v) },
            splitLine: { lineStyle: { color: c.grid } },
          },
          {
            type: 'value',
            name: 'est. USD',
            nameTextStyle: { color: c.muted },
            axisLabel: { color: c.muted, formatter: (v: number) => fmtUsd(v) },
            splitLine: { show: false },
          },
        ],
        series: [
          series('Input', (g) => g.tokens.input),
          series('Output', (g) => g.tokens.output),
          series('Cache read', (g) => g.tokens.cache_read),
          series('Cache write', (g) => g.tokens.cache_write),
          {
            name: 'Est. cost',
            type: 'line',
            yAxisIndex: 1,
            smooth: false,
            symbolSize: 5,
            data: days.map((d) => byKey.get(d)?.cost_usd_estimate ?? 0),
            tooltip: { valueFormatter: (v: number) => fmtUsd(v) },
          },
        ],
      };
    },
    [summary, from, to],
  );
  return (
    <>
      <div className="stats" aria-label="Usage in this period">
        <Stat label="API requests" value={fmtInt(t.requests)} />
        <Stat label="Input tokens" value={fmtInt(t.tokens.input)} />
        <Stat label="Output tokens" value={fmtInt(t.tokens.output)} />
        <Stat label="Cache read / write" value={`${fmtInt(t.tokens.cache_read)} / ${fmtInt(t.tokens.cache_write)}`} />
        <Stat
          label="Estimated cost"
          value={fmtUsd(t.cost_usd_estimate)}
          detail={<Link href="/cost">Cost breakdown</Link>}
        />
      </div>
      <Section title="Tokens and estimated cost by day" note={summary.cost_note}>
        {summary.groups.length === 0 ? (
          <EmptyState title="No API requests in this period">
            Sessions were recorded, but none made a model request in these days. Try a longer period.
          </EmptyState>
        ) : (
          <>
            <Chart
              option={option}
              label="Stacked bars of input, output, cache read and cache write tokens per day, with estimated cost as a line"
            />
            <details className="chart-data">
              <summary>Figures by day</summary>
              <UsageTable
                summary={summary}
                keyHeader="Day"
                renderKey={(k) => (k ? fmtDay(k) : k)}
                caption="Usage by day"
                order="key"
              />
            </details>
          </>
        )}
      </Section>
    </>
  );
}
