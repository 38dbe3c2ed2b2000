import type { DiscoveredItem, DiscoveryReport, NodeType, ToolsReport } from '../api/analytics.types';
import { EmptyState } from '../components/empty-state';
import { Page, Section, Stat } from '../components/page';
import { Loaded, PeriodText, StatusGate } from '../components/status-gate';
import { ToolStatsTable, type ToolRow } from '../components/tool-stats-table';
import { TopPeople } from '../components/whats-new';
import { WindowPicker } from '../components/window-picker';
import { fmtDuration, fmtInt, fmtRatio } from '../format';
import { graphHref } from '../kind-labels';
import { Link, useLocation } from '../router';
import { useApi } from '../use-api';
import { usePeriod } from '../use-period';
import { parseDays } from '../usage-window';

const UNNAMED_NOTE =
  'Claude Code names MCP servers and tools only when OTEL_LOG_TOOL_DETAILS=1 is set; without it every MCP call ' +
  'is counted here, under an unnamed server.';

/** Tools & connectors (issue 3 §5): built-in tools, MCP servers and their tools, skills, plugins, subagents. */
export function ToolsPage() {
  const { query } = useLocation();
  const days = parseDays(query.get('days'));
  const { status, period, query: q } = usePeriod(days);
  const tools = useApi<ToolsReport>(q('/api/v1/analytics/tools'));
  const discovery = useApi<DiscoveryReport>(q('/api/v1/analytics/discovery'));
  const who = discovery.state === 'ready' ? discovery.data : null;

  return (
    <Page
      title="Tools & connectors"
      subtitle={
        period ? (
          <>
            What Claude called on people&apos;s behalf over <PeriodText period={period} />.
          </>
        ) : undefined
      }
      actions={<WindowPicker path="/tools" days={days} query={query} />}
    >
      <StatusGate status={status}>
        <Loaded res={tools} what="tools">
          {(t) => <ToolsBody report={t} who={who} days={days} />}
        </Loaded>
      </StatusGate>
    </Page>
  );
}

function ToolsBody({ report, who, days }: { report: ToolsReport; who: DiscoveryReport | null; days: number }) {
  const t = report.totals;
  const writeTools = [
    ...report.builtin_tools.filter((x) => x.write_capable),
    ...report.mcp_servers.flatMap((s) => s.tools.filter((x) => x.write_capable)),
  ];
  const usedBy = (items: DiscoveredItem[] | undefined, name: string | null) => {
    const item = items?.find((i) => i.value === name);
    return item ? <TopPeople item={item} limit={2} /> : undefined;
  };
  const link = (type: NodeType, value: string | null, label: string) =>
    value === null ? label : <Link href={graphHref(type, value, days)}>{label}</Link>;

  return (
    <>
      <div className="stats" aria-label="Tool calls">
        <Stat label="Tool calls" value={fmtInt(t.calls)} detail={`${fmtInt(t.people)} people`} />
        <Stat label="Error rate" value={fmtRatio(t.error_rate)} detail={`${fmtInt(t.errors)} failed calls`} />
        <Stat label="Latency p50 / p95" value={`${fmtDuration(t.latency_ms.p50)} / ${fmtDuration(t.latency_ms.p95)}`} />
        <Stat
          label="Write-capable tools used"
          value={fmtInt(writeTools.length)}
          detail={`${fmtInt(writeTools.reduce((n, x) => n + x.calls, 0))} calls`}
        />
      </div>
      <p className="notice" role="note">
        <strong>Can write</strong> marks tools that change files, run commands or send data: Bash, Edit, Write,
        MultiEdit, NotebookEdit, and MCP tools whose names say they write, send, delete, create, update, post or remove.
        Names link to the access graph, which shows who reaches each one.
      </p>

      <Section title="Built-in tools" note="tool results; latency is the tool's own duration">
        {report.builtin_tools.length === 0 ? (
          <EmptyState title="No built-in tool calls in this period" />
        ) : (
          <ToolStatsTable
            caption="Built-in tools"
            nameHeader="Tool"
            rows={report.builtin_tools.map((x) => ({
              key: x.name,
              name: link('tool', x.name, x.name),
              stats: x,
              write: x.write_capable,
            }))}
          />
        )}
      </Section>

      <Section title="MCP servers" note="connectors, with each of their tools">
        {report.mcp_servers.length === 0 ? (
          <EmptyState title="No MCP calls in this period">
            <p>{UNNAMED_NOTE}</p>
          </EmptyState>
        ) : (
          <>
            <ToolStatsTable
              caption="MCP servers and their tools"
              nameHeader="Server / tool"
              who
              rows={report.mcp_servers.flatMap((s): ToolRow[] => [
                {
                  key: `server:${s.name ?? ''}`,
                  name: <strong>{link('mcp_server', s.name, s.name ?? 'Unnamed MCP server')}</strong>,
                  stats: s,
                  write: s.write_capable,
                  who: usedBy(who?.mcp_servers, s.name),
                },
                ...s.tools.map((x) => ({
                  key: `tool:${s.name ?? ''}/${x.name ?? ''}`,
                  name: s.name
                    ? link('tool', `${s.name}/${x.name ?? 'mcp_tool'}`, x.name ?? 'mcp_tool')
                    : (x.name ?? 'mcp_tool'),
                  stats: x,
                  write: x.write_capable,
                  nested: true,
                })),
              ])}
            />
            {report.mcp_servers.some((s) => s.name === null) ? <p className="table-note">{UNNAMED_NOTE}</p> : null}
          </>
        )}
      </Section>

      <Section title="Skills" note="activations and tool calls naming a skill">
        {report.skills.length === 0 ? (
          <EmptyState title="No skills used in this period" />
        ) : (
          <ToolStatsTable
            caption="Skills"
            nameHeader="Skill"
            latency={false}
            who
            rows={report.skills.map((x) => ({
              key: x.name,
              name: link('skill', x.name, x.name),
              stats: x,
              who: usedBy(who?.skills, x.name),
            }))}
          />
        )}
      </Section>
      <Section title="Subagents" note="completed subagent runs">
        {report.subagents.length === 0 ? (
          <EmptyState title="No subagents ran in this period" />
        ) : (
          <ToolStatsTable
            caption="Subagents"
            nameHeader="Agent type"
            callsHeader="Runs"
            who
            rows={report.subagents.map((x) => ({
              key: x.name ?? '',
              name: link('agent', x.name, x.name ?? 'unnamed'),
              stats: x,
              who: usedBy(who?.agents, x.name),
            }))}
          />
        )}
      </Section>

      <Section title="Plugins" note="plugin events (loads and installs)">
        {report.plugins.length === 0 ? (
          <EmptyState title="No plugins seen in this period" />
        ) : (
          <ToolStatsTable
            caption="Plugins"
            nameHeader="Plugin"
            callsHeader="Events"
            latency={false}
            who
            rows={report.plugins.map((x) => ({
              key: x.name,
              name: link('plugin', x.name, x.name),
              stats: x,
              who: usedBy(who?.plugins, x.name),
            }))}
          />
        )}
      </Section>
      <details className="method">
        <summary>How these figures are computed</summary>
        <p>{report.method}</p>
      </details>
    </>
  );
}
