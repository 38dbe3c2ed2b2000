import type { StylesheetJson } from 'cytoscape';
import type { NodeType } from './api/analytics.types';

/**
 * How the access graph draws each kind of node and each risk. Kinds differ in shape as well as colour (never colour
 * alone), and the colours are CSS custom properties (access-graph.css) so the legend, the list and the canvas agree
 * in light and dark. Risky edges differ in colour and in line style: solid red for write-capable tools, dashed amber
 * for external egress.
 */
export const NODE_SHAPES: Record<NodeType, string> = {
  person: 'ellipse',
  agent: 'hexagon',
  skill: 'diamond',
  plugin: 'tag',
  mcp_server: 'barrel',
  tool: 'round-rectangle',
  workspace: 'cut-rectangle',
  model: 'octagon',
};

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const nodeSize = (calls: number): number => 22 + Math.min(26, Math.log10(1 + calls) * 10);
const edgeWidth = (calls: number): number => 1.2 + Math.min(4, Math.log10(1 + calls) * 1.6);

/** The stylesheet for the current theme (call again when the theme changes). */
export function graphStylesheet(): StylesheetJson {
  const text = cssVar('--text');
  const muted = cssVar('--text-muted');
  const surface = cssVar('--surface');
  const edge = cssVar('--graph-edge');
  const bad = cssVar('--bad');
  const warn = cssVar('--graph-egress');
  const accent = cssVar('--accent');
  const kinds = Object.entries(NODE_SHAPES).map(([type, shape]) => ({
    selector: `node[type = "${type}"]`,
    style: { shape, 'background-color': cssVar(`--kind-${type.replace('_', '-')}`) },
  })) as StylesheetJson;
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        width: (n: { data: (k: string) => number }) => nodeSize(n.data('calls')),
        height: (n: { data: (k: string) => number }) => nodeSize(n.data('calls')),
        color: text,
        'font-size': 12,
        'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'text-wrap': 'ellipsis',
        'text-max-width': '150px',
        'text-background-color': surface,
        'text-background-opacity': 0.85,
        'text-background-padding': '2px',
        'min-zoomed-font-size': 6,
        'border-width': 1.5,
        'border-color': surface,
      },
    },
    ...kinds,
    { selector: 'node[risk = "write"]', style: { 'border-width': 3, 'border-color': bad } },
    {
      selector: 'node[risk = "egress"], node[?remote]',
      style: { 'border-width': 3, 'border-color': warn, 'border-style': 'dashed' },
    },
    {
      selector: 'edge',
      style: {
        width: (e: { data: (k: string) => number }) => edgeWidth(e.data('calls')),
        'line-color': edge,
        'target-arrow-color': edge,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.7,
        'curve-style': 'bezier',
        opacity: 0.8,
      },
    },
    { selector: 'edge[risk = "write"]', style: { 'line-color': bad, 'target-arrow-color': bad } },
    {
      selector: 'edge[risk = "egress"]',
      style: { 'line-color': warn, 'target-arrow-color': warn, 'line-style': 'dashed' },
    },
    { selector: '.faded', style: { opacity: 0.1, 'text-opacity': 0 } },
    {
      selector: 'node.focused',
      style: { 'border-width': 4, 'border-color': accent, 'font-weight': 'bold', 'z-index': 10 },
    },
    {
      selector: 'edge.hood',
      style: {
        label: 'data(callsLabel)',
        'font-size': 10,
        color: muted,
        'text-background-color': surface,
        'text-background-opacity': 0.9,
        'text-background-padding': '1px',
        'text-rotation': 'autorotate',
        opacity: 1,
        'z-index': 9,
      },
    },
  ];
}
