import cytoscape, { type Collection, type Core } from 'cytoscape';
import { useEffect, useRef } from 'react';
import type { GraphEdge, GraphNode } from '../api/analytics.types';
import { fmtInt } from '../format';
import { layeredLayout } from '../graph-layout';
import { graphStylesheet } from '../graph-style';
import { useTheme } from '../theme';

/** Fitting never zooms in beyond this: a focused node with two neighbours should not fill the canvas. */
const MAX_FIT_ZOOM = 1.4;

/** Centres `eles` in the viewport at the largest zoom that shows them whole (at most MAX_FIT_ZOOM). */
function frame(c: Core, eles: Collection, padding: number, animate: boolean): void {
  if (eles.empty() || c.width() === 0) return;
  const bb = eles.boundingBox();
  const zoom = Math.max(
    c.minZoom(),
    Math.min(MAX_FIT_ZOOM, (c.width() - 2 * padding) / bb.w, (c.height() - 2 * padding) / bb.h),
  );
  const pan = { x: c.width() / 2 - zoom * (bb.x1 + bb.w / 2), y: c.height() / 2 - zoom * (bb.y1 + bb.h / 2) };
  c.stop();
  if (animate) c.animate({ zoom, pan }, { duration: 250 });
  else c.viewport({ zoom, pan });
}

/** Frames the focused node's neighbourhood, or the whole graph. */
function reframe(c: Core, focus: string | null, animate: boolean): void {
  const node = focus ? c.getElementById(focus) : null;
  if (node && node.nonempty()) frame(c, node.closedNeighborhood(), 48, animate);
  else frame(c, c.elements(), 24, animate);
}

/**
 * The access graph drawn by Cytoscape.js. The page owns the state (which nodes, which one is focused); this
 * component mirrors it onto one Cytoscape instance: new data → new elements and layout; a focus → the node's
 * neighbourhood stays, the rest fades, the view fits the neighbourhood; a theme change → a new stylesheet.
 * Tapping a node focuses it; tapping the background clears the focus. The canvas follows its container's size.
 */
export function GraphCanvas({
  nodes,
  edges,
  focus,
  onFocus,
  label,
}: {
  nodes: GraphNode[];
  edges: GraphEdge[];
  focus: string | null;
  onFocus: (id: string | null) => void;
  label: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const onFocusRef = useRef(onFocus);
  const focusRef = useRef(focus);
  const theme = useTheme();

  useEffect(() => {
    onFocusRef.current = onFocus;
    focusRef.current = focus;
  }, [onFocus, focus]);

  useEffect(() => {
    const instance = cytoscape({
      container: container.current,
      style: graphStylesheet(),
      minZoom: 0.15,
      maxZoom: 2.5,
      boxSelectionEnabled: false,
      autounselectify: true,
    });
    instance.on('tap', 'node', (e) => onFocusRef.current(e.target.id() as string));
    instance.on('tap', (e) => {
      if (e.target === instance) onFocusRef.current(null);
    });
    cy.current = instance;
    const el = container.current;
    const observer = new ResizeObserver(() => {
      instance.resize();
      reframe(instance, focusRef.current, false);
    });
    if (el) observer.observe(el);
    return () => {
      observer.disconnect();
      instance.destroy();
      cy.current = null;
    };
  }, []);

  useEffect(() => {
    const c = cy.current;
    if (!c) return;
    const positions = layeredLayout(nodes, edges);
    c.batch(() => {
      c.elements().remove();
      c.add([
        ...nodes.map((n) => ({
          group: 'nodes' as const,
          data: { ...n, risk: n.risk ?? '', remote: n.remote ?? false },
          position: positions[n.id] ?? { x: 0, y: 0 },
        })),
        ...edges.map((e) => ({
          group: 'edges' as const,
          data: {
            id: `${e.source}→${e.target}`,
            source: e.source,
            target: e.target,
            calls: e.calls,
            risk: e.risk ?? '',
            callsLabel: e.loads !== undefined && e.calls === 0 ? `${fmtInt(e.loads)} loads` : fmtInt(e.calls),
          },
        })),
      ]);
    });
  }, [nodes, edges]);

  useEffect(() => {
    cy.current?.style(graphStylesheet());
  }, [theme]);

  useEffect(() => {
    const c = cy.current;
    if (!c) return;
    c.elements().removeClass('faded focused hood');
    const node = focus ? c.getElementById(focus) : null;
    if (node && node.nonempty()) {
      const hood = node.closedNeighborhood();
      c.elements().not(hood).addClass('faded');
      node.addClass('focused');
      hood.edges().addClass('hood');
    }
    reframe(c, focus, true);
  }, [focus, nodes, edges]);

  return <div ref={container} className="graph-canvas" role="img" aria-label={label} />;
}
