import type { GraphEdge, GraphNode, NodeType } from './api/analytics.types';

/**
 * A layered layout for the access graph, read left to right as "who reaches what": workspace folders, people,
 * agents, then models, skills and plugins, then tools, then the MCP servers those tools belong to. Within a layer,
 * nodes are ordered by the barycentre of their neighbours (a few sweeps of the classic Sugiyama heuristic) so edges
 * cross less; a tall layer wraps into several columns. Deterministic: the same graph always lands the same way,
 * which a force-directed layout would not give.
 */
const LAYER: Record<NodeType, number> = {
  workspace: 0,
  person: 1,
  agent: 2,
  model: 3,
  skill: 3,
  plugin: 3,
  tool: 4,
  mcp_server: 5,
};
const ROW = 64;
const COLUMN = 200;
const SUBCOLUMN = 170;
const MIN_ROWS = 12;
const SWEEPS = 4;

export type Positions = Record<string, { x: number; y: number }>;

export function layeredLayout(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): Positions {
  const layers = new Map<number, GraphNode[]>();
  for (const n of nodes) {
    const l = LAYER[n.type];
    let list = layers.get(l);
    if (!list) layers.set(l, (list = []));
    list.push(n);
  }
  // Start from the busiest first, so the layout of a graph without edges is still meaningful.
  for (const list of layers.values()) list.sort((a, b) => b.calls - a.calls || a.label.localeCompare(b.label));

  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string): void => {
    let list = neighbours.get(a);
    if (!list) neighbours.set(a, (list = []));
    list.push(b);
  };
  for (const e of edges) {
    link(e.source, e.target);
    link(e.target, e.source);
  }

  const order = [...layers.keys()].sort((a, b) => a - b);
  const rank = new Map<string, number>();
  const rerank = (list: GraphNode[]): void =>
    list.forEach((n, i) => rank.set(n.id, list.length > 1 ? i / (list.length - 1) : 0.5));
  for (const l of order) rerank(layers.get(l) ?? []);
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const pass = sweep % 2 === 0 ? order : [...order].reverse();
    for (const l of pass) {
      const list = layers.get(l) ?? [];
      const centre = new Map<string, number>();
      for (const n of list) {
        const ranks = (neighbours.get(n.id) ?? []).map((id) => rank.get(id)).filter((r) => r !== undefined);
        centre.set(n.id, ranks.length ? ranks.reduce((s, r) => s + r, 0) / ranks.length : (rank.get(n.id) ?? 0.5));
      }
      list.sort((a, b) => (centre.get(a.id) ?? 0) - (centre.get(b.id) ?? 0));
      rerank(list);
    }
  }

  // Taller layers for bigger graphs, so a large graph keeps roughly the canvas's proportions instead of a strip.
  const maxRows = Math.max(MIN_ROWS, Math.ceil(1.8 * Math.sqrt(nodes.length)));
  const positions: Positions = {};
  let x = 0;
  for (const l of order) {
    const list = layers.get(l) ?? [];
    const columns = Math.ceil(list.length / maxRows);
    const rows = Math.ceil(list.length / columns);
    list.forEach((n, i) => {
      const col = Math.floor(i / rows);
      const row = i % rows;
      const height = Math.min(rows, list.length - col * rows);
      // Offset alternate sub-columns by half a row so their labels do not line up into a wall of text.
      positions[n.id] = { x: x + col * SUBCOLUMN, y: (row - (height - 1) / 2) * ROW + (col % 2) * (ROW / 2) };
    });
    x += (columns - 1) * SUBCOLUMN + COLUMN;
  }
  return positions;
}
