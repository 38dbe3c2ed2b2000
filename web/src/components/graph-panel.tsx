import type { GraphEdge, GraphNode, Risk } from '../api/analytics.types';
import { fmtInt, fmtShortDateTime } from '../format';
import { KIND_LABELS } from '../kind-labels';
import { Link } from '../router';
import { Badge } from './page';

const plural = (n: number, word: string): string => `${fmtInt(n)} ${word}${n === 1 ? '' : 's'}`;

export function RiskBadge({ risk }: { risk: Risk | undefined }) {
  if (risk === 'write') return <Badge tone="bad">Can write</Badge>;
  if (risk === 'egress') return <Badge tone="warn">External egress</Badge>;
  return null;
}

/**
 * The focused node's neighbourhood as text: what it is, then every edge touching it — the node at the other end
 * (a button that moves the focus there), direction, calls, last use and risk.
 */
export function GraphPanel({
  node,
  focus,
  edges,
  byId,
  onFocus,
}: {
  node: GraphNode | undefined;
  focus: string | null;
  edges: GraphEdge[];
  byId: Map<string, GraphNode>;
  onFocus: (id: string | null) => void;
}) {
  if (!focus) {
    return (
      <section className="graph-panel" aria-label="Focused node">
        <h2>Neighbourhood</h2>
        <p className="muted">
          Select a node — click it, or find it in the list below and press Enter — to see everything it connects to.
        </p>
      </section>
    );
  }
  if (!node) {
    return (
      <section className="graph-panel" aria-label="Focused node">
        <h2>Not in this graph</h2>
        <p className="muted">
          <code>{focus}</code> is not in the graph with these filters and this period.
        </p>
        <button type="button" className="button" onClick={() => onFocus(null)}>
          Clear focus
        </button>
      </section>
    );
  }
  const touching = edges
    .filter((e) => e.source === node.id || e.target === node.id)
    .sort((a, b) => b.calls - a.calls || b.last_use.localeCompare(a.last_use));
  const personId = node.type === 'person' ? node.id.slice('person:'.length) : null;
  return (
    <section className="graph-panel" aria-label="Focused node" aria-live="polite">
      <div className="graph-panel-head">
        <h2>{node.label}</h2>
        <button type="button" className="button button-quiet" onClick={() => onFocus(null)}>
          Clear focus
        </button>
      </div>
      <p className="graph-panel-meta">
        <Badge>{KIND_LABELS[node.type].one}</Badge> <RiskBadge risk={node.risk} />
        {node.remote ? <Badge tone="warn">Remote transport</Badge> : null} {plural(node.calls, 'call')}
      </p>
      {node.type === 'person' ? (
        <p className="graph-panel-meta">
          {node.department ?? 'no department'} · {node.team ?? 'no team'} ·{' '}
          <Link href={`/people/${encodeURIComponent(personId ?? '')}`}>Person page</Link>
        </p>
      ) : null}
      {node.transports && node.transports.length > 0 ? (
        <p className="graph-panel-meta">Transports: {node.transports.join(', ')}</p>
      ) : null}
      <h3>
        {fmtInt(touching.length)} {touching.length === 1 ? 'edge' : 'edges'}
      </h3>
      <ul className="graph-edges" aria-label={`Edges of ${node.label}`}>
        {touching.map((e) => {
          const outgoing = e.source === node.id;
          const other = byId.get(outgoing ? e.target : e.source);
          return (
            <li key={`${e.source}→${e.target}`} className="graph-edge" data-risk={e.risk ?? undefined}>
              <span className="graph-edge-dir" aria-label={outgoing ? 'to' : 'from'}>
                {outgoing ? '→' : '←'}
              </span>
              <button
                type="button"
                className="link-button"
                onClick={() => other && onFocus(other.id)}
                disabled={!other}
              >
                {other?.label ?? (outgoing ? e.target : e.source)}
              </button>
              <span className="graph-edge-kind">{other ? KIND_LABELS[other.type].one : ''}</span>
              <span className="graph-edge-figures">
                {plural(e.calls, 'call')}
                {e.loads !== undefined ? ` · ${plural(e.loads, 'load')}` : ''} · last{' '}
                <time dateTime={e.last_use}>{fmtShortDateTime(e.last_use)}</time> <RiskBadge risk={e.risk} />
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
