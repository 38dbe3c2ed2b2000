import { useCallback, useMemo } from 'react';
import { NODE_TYPES, type AdoptionReport, type GraphReport, type NodeType } from '../api/analytics.types';
import '../access-graph.css';
import { EmptyState } from '../components/empty-state';
import { GraphCanvas } from '../components/graph-canvas';
import { GraphLegend } from '../components/graph-legend';
import { GraphNodeList } from '../components/graph-node-list';
import { GraphPanel } from '../components/graph-panel';
import { Page } from '../components/page';
import { Loaded, PeriodText, StatusGate } from '../components/status-gate';
import { WindowPicker } from '../components/window-picker';
import { fmtInt } from '../format';
import { navigate, useLocation } from '../router';
import { useApi } from '../use-api';
import { usePeriod } from '../use-period';
import { parseDays } from '../usage-window';

/**
 * The agent access graph (issue 3 §7): who reaches which models, agents, skills, plugins, tools, MCP servers and
 * workspace folders. Everything the reader chooses — period, team, hidden kinds, the focused node — lives in the
 * URL, so a view can be shared, reloaded, and stepped back through.
 */
export function GraphPage() {
  const { query } = useLocation();
  const days = parseDays(query.get('days'));
  const team = query.get('team');
  const focus = query.get('focus');
  const hideParam = query.get('hide') ?? '';
  const hidden = useMemo(
    () => new Set(hideParam.split(',').filter((t): t is NodeType => (NODE_TYPES as readonly string[]).includes(t))),
    [hideParam],
  );
  const { status, period, query: q } = usePeriod(days);
  const graph = useApi<GraphReport>(q('/api/v1/analytics/graph', { team }));
  const teams = useApi<AdoptionReport>(q('/api/v1/analytics/adoption', { group_by: 'team' }));

  const go = useCallback((change: Record<string, string | null>, replace = false) => {
    const next = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(change)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    const qs = next.toString();
    navigate(qs ? `/graph?${qs}` : '/graph', { replace });
  }, []);
  const onFocus = useCallback((id: string | null) => go({ focus: id }), [go]);
  const onToggle = (t: NodeType): void => {
    const next = new Set(hidden);
    if (next.has(t)) next.delete(t);
    else next.add(t);
    go({ hide: [...next].join(',') || null }, true);
  };

  const teamNames = teams.state === 'ready' ? (teams.data.groups ?? []).flatMap((g) => (g.key ? [g.key] : [])) : [];
  if (team && !teamNames.includes(team)) teamNames.unshift(team);
  const teamPicker = (
    <label className="inline-field">
      <span>Team</span>
      <select value={team ?? ''} onChange={(e) => go({ team: e.target.value || null, focus: null })}>
        <option value="">All teams</option>
        {teamNames.sort().map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <Page
      title="Access graph"
      subtitle={
        period ? (
          <>
            Who reaches which models, agents, tools, connectors and folders over <PeriodText period={period} />
            {team ? `, team ${team}` : ''}.
          </>
        ) : undefined
      }
      actions={
        <>
          {teamPicker}
          <WindowPicker path="/graph" days={days} query={query} />
        </>
      }
    >
      <StatusGate status={status}>
        <Loaded res={graph} what="the access graph">
          {(g) => <GraphView report={g} hidden={hidden} focus={focus} onFocus={onFocus} onToggle={onToggle} />}
        </Loaded>
      </StatusGate>
    </Page>
  );
}

function GraphView({
  report,
  hidden,
  focus,
  onFocus,
  onToggle,
}: {
  report: GraphReport;
  hidden: Set<NodeType>;
  focus: string | null;
  onFocus: (id: string | null) => void;
  onToggle: (t: NodeType) => void;
}) {
  const { nodes, edges, byId, counts } = useMemo(() => {
    const counts = new Map<NodeType, number>();
    for (const n of report.nodes) counts.set(n.type, (counts.get(n.type) ?? 0) + 1);
    const nodes = report.nodes.filter((n) => !hidden.has(n.type));
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const edges = report.edges.filter((e) => byId.has(e.source) && byId.has(e.target));
    return { nodes, edges, byId, counts };
  }, [report, hidden]);

  if (report.nodes.length === 0) {
    return (
      <EmptyState title="Nothing to graph">
        <p>
          No one {report.filters.team ? `in team ${report.filters.team} ` : ''}used a model, agent, tool or connector in
          this period. Choose another team or a longer period.
        </p>
      </EmptyState>
    );
  }
  const risky = report.edges.filter((e) => e.risk !== null);
  return (
    <>
      <GraphLegend counts={counts} hidden={hidden} onToggle={onToggle} />
      {report.capped ? (
        <p className="notice" role="note">
          {report.cap_note}
        </p>
      ) : null}
      <div className="graph-layout">
        <div className="graph-stage card">
          <GraphCanvas
            nodes={nodes}
            edges={edges}
            focus={focus}
            onFocus={onFocus}
            label={`Access graph of ${fmtInt(nodes.length)} nodes and ${fmtInt(edges.length)} edges. The panel beside it lists the focused node's edges; the list of nodes focuses one from the keyboard.`}
          />
          <p className="graph-stage-note">
            {fmtInt(nodes.length)} nodes · {fmtInt(edges.length)} edges · {fmtInt(risky.length)} risk-marked. Scroll to
            zoom, drag to pan, click a node to focus it.
          </p>
        </div>
        <aside className="graph-side card" aria-label="Graph details">
          <GraphPanel
            node={focus ? byId.get(focus) : undefined}
            focus={focus}
            edges={edges}
            byId={byId}
            onFocus={onFocus}
          />
          <GraphNodeList nodes={nodes} focus={focus} onFocus={onFocus} />
        </aside>
      </div>
      <details className="method">
        <summary>How the graph is built</summary>
        <p>{report.sources}.</p>
        <p>{report.risk_rule}</p>
      </details>
    </>
  );
}
