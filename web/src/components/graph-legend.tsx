import { NODE_TYPES, type NodeType } from '../api/analytics.types';
import { fmtInt } from '../format';
import { KIND_LABELS } from '../kind-labels';

/** The node shapes of graph-style.ts as 16×16 SVG, so the legend shows what the canvas draws. */
const SHAPES: Record<NodeType, string> = {
  person: 'M8 1a7 7 0 1 0 0.01 0Z',
  agent: 'M4.5 1.5h7L15 8l-3.5 6.5h-7L1 8Z',
  skill: 'M8 1l7 7-7 7-7-7Z',
  plugin: 'M1 3h10l4 5-4 5H1Z',
  mcp_server: 'M3 2h10q2 6 0 12H3q-2-6 0-12Z',
  tool: 'M4 2h8a3 3 0 0 1 3 3v6a3 3 0 0 1-3 3H4a3 3 0 0 1-3-3V5a3 3 0 0 1 3-3Z',
  workspace: 'M4 2h8l3 3v6l-3 3H4l-3-3V5Z',
  model: 'M5 1h6l4 4v6l-4 4H5l-4-4V5Z',
};

export function KindShape({ type }: { type: NodeType }) {
  return (
    <svg
      className={`kind-shape kind-${type.replace('_', '-')}`}
      width="16"
      height="16"
      viewBox="0 0 16 16"
      aria-hidden="true"
    >
      <path d={SHAPES[type]} />
    </svg>
  );
}

/**
 * Which kinds of node are shown (checkboxes, so the legend is also the filter) and what the edge styles mean.
 */
export function GraphLegend({
  counts,
  hidden,
  onToggle,
}: {
  counts: Map<NodeType, number>;
  hidden: Set<NodeType>;
  onToggle: (type: NodeType) => void;
}) {
  return (
    <div className="graph-legend">
      <fieldset className="graph-kinds">
        <legend>Show</legend>
        {NODE_TYPES.map((t) => (
          <label key={t} className="graph-kind">
            <input type="checkbox" checked={!hidden.has(t)} onChange={() => onToggle(t)} />
            <KindShape type={t} />
            {KIND_LABELS[t].many} <span className="muted">{fmtInt(counts.get(t) ?? 0)}</span>
          </label>
        ))}
      </fieldset>
      <ul className="graph-risks" aria-label="Edge and risk marks">
        <li>
          <span className="edge-sample edge-plain" aria-hidden="true" /> uses (width grows with calls)
        </li>
        <li>
          <span className="edge-sample edge-write" aria-hidden="true" /> write-capable tool (red border on the tool)
        </li>
        <li>
          <span className="edge-sample edge-egress" aria-hidden="true" /> external egress (dashed amber: web tools,
          remote MCP servers)
        </li>
      </ul>
    </div>
  );
}
