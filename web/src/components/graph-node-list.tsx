import { useState, type KeyboardEvent } from 'react';
import type { GraphNode } from '../api/analytics.types';
import { fmtInt } from '../format';
import { KIND_LABELS } from '../kind-labels';

const SHOWN = 150;

/**
 * The keyboard way into the graph: a searchable list of its nodes. Typing filters; Enter in the search box focuses
 * the first match; every node is a button (Tab to it, Enter or Space to focus it).
 */
export function GraphNodeList({
  nodes,
  focus,
  onFocus,
}: {
  nodes: GraphNode[];
  focus: string | null;
  onFocus: (id: string) => void;
}) {
  const [q, setQ] = useState('');
  const needle = q.trim().toLowerCase();
  const matches = nodes
    .filter(
      (n) =>
        needle === '' ||
        n.label.toLowerCase().includes(needle) ||
        KIND_LABELS[n.type].one.toLowerCase().includes(needle),
    )
    .sort((a, b) => b.calls - a.calls || a.label.localeCompare(b.label));
  const onKey = (e: KeyboardEvent<HTMLInputElement>): void => {
    const first = matches[0];
    if (e.key === 'Enter' && first) {
      e.preventDefault();
      onFocus(first.id);
    }
  };
  return (
    <div className="graph-list">
      <label htmlFor="graph-find" className="graph-list-label">
        Find a node
      </label>
      <input
        id="graph-find"
        type="search"
        value={q}
        placeholder="Name or kind, then Enter"
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={onKey}
        aria-describedby="graph-find-count"
      />
      <p id="graph-find-count" className="graph-list-count" aria-live="polite">
        {matches.length === nodes.length
          ? `${fmtInt(nodes.length)} nodes`
          : `${fmtInt(matches.length)} of ${fmtInt(nodes.length)} nodes match`}
      </p>
      <ul className="graph-list-items" aria-label="Nodes">
        {matches.slice(0, SHOWN).map((n) => (
          <li key={n.id}>
            <button
              type="button"
              className="graph-list-item"
              aria-pressed={n.id === focus}
              onClick={() => onFocus(n.id)}
            >
              <span className={`kind-swatch kind-${n.type.replace('_', '-')}`} aria-hidden="true" />
              <span className="graph-list-name">{n.label}</span>
              <span className="graph-list-kind">{KIND_LABELS[n.type].one}</span>
            </button>
          </li>
        ))}
      </ul>
      {matches.length > SHOWN ? <p className="graph-list-count">Showing the {SHOWN} busiest; type to narrow.</p> : null}
    </div>
  );
}
