import { DAY_MS, HOUR_MS, type RollupDimension } from '../contracts/rollup-columns.js';
import type { PluginLoadRow, ScopeFilters, ToolUseRow } from '../store/discovery-read.repo.js';
import { knownPeople } from '../store/rollups-read.repo.js';
import type { Store } from '../store/store.js';
import { dimensionByPerson, mcpTransports, pluginLoads, toolEdges } from './discovery-reads.js';
import { fastGraph, fastGraphReads } from './graph-fast.js';
import { hourOf } from './rollup-aggregate.js';
import { inParallel, readSnapshot, type Snapshot } from './tier-reads.js';
import { isWriteCapable } from './write-capable.js';
import { isoTime } from './iso-time.js';
import { workspaceUses } from './workspace-tiers.js';

/**
 * The agent access graph (issue 3 §7): who reaches which models, agents, tools, MCP servers, skills, plugins and
 * workspace folders in a window. Person→model/agent/skill/plugin edges come from the hourly rollups; tool edges from
 * raw tool_result events in the window (rollups have no tool dimension); workspace edges from sessions.
 */
export const nodeTypes = ['person', 'agent', 'skill', 'plugin', 'mcp_server', 'tool', 'workspace', 'model'] as const;
export type NodeType = (typeof nodeTypes)[number];
export type Risk = 'write' | 'egress' | null;

export interface GraphNode {
  id: string;
  type: NodeType;
  label: string;
  calls: number;
  risk?: Risk;
  department?: string | null;
  team?: string | null;
  /** MCP servers: transports reported by connection events in the window; remote = any but stdio/sdk. */
  transports?: string[];
  remote?: boolean;
}

export interface GraphEdge {
  source: string;
  target: string;
  calls: number;
  last_use: string;
  risk: Risk;
  /** person→plugin: plugin load/install events (a plugin can be loaded and never called). */
  loads?: number;
}

export const DEFAULT_MAX_NODES = 500;

/**
 * `a.localeCompare(b)` without building a collator per call (the same comparison: localeCompare is specified as a
 * default Intl.Collator's compare) — sorting thousands of nodes and edges took most of a graph's time.
 */
export const compareText = new Intl.Collator().compare;

/**
 * Ranks of strings in `compareText` order (strings the collator holds equal share a rank): sorting thousands of
 * edges then compares small integers, calling the collator only to order the distinct node ids once.
 */
export function textRanks(strings: Iterable<string>): Map<string, number> {
  const sorted = [...new Set(strings)].sort(compareText);
  const ranks = new Map<string, number>();
  let rank = 0;
  sorted.forEach((s, i) => {
    if (i > 0 && compareText(sorted[i - 1] as string, s) !== 0) rank = i;
    ranks.set(s, rank);
  });
  return ranks;
}

/** Nodes by calls (most first), then id in `compareText` order; the collator only breaks ties. */
export function byCallsThenId<T extends { id: string; calls: number }>(nodes: T[]): T[] {
  nodes.sort((a, b) => b.calls - a.calls);
  for (let i = 0; i < nodes.length;) {
    let j = i + 1;
    while (j < nodes.length && (nodes[j] as T).calls === (nodes[i] as T).calls) j++;
    if (j - i > 1) {
      const tied = nodes.slice(i, j).sort((a, b) => compareText(a.id, b.id));
      nodes.splice(i, j - i, ...tied);
    }
    i = j;
  }
  return nodes;
}

/** Edges by calls (most first), then source and target in `compareText` order (ranks of the node ids). */
export function byCallsThenEnds<T extends { calls: number; source: string; target: string }>(
  edges: T[],
  ranks: ReadonlyMap<string, number>,
): T[] {
  const r = (id: string) => ranks.get(id) ?? 0;
  return edges.sort((a, b) => b.calls - a.calls || r(a.source) - r(b.source) || r(a.target) - r(b.target));
}
const LOCAL_TRANSPORTS = new Set(['stdio', 'sdk']);

/*
 * Risk marks. Write: the one write-capable classification tool visibility uses (write-capable.ts). External
 * egress: the web tools, and the other tools of MCP servers whose connection events reported a remote transport
 * (anything but stdio/sdk) in the window; a server without such events is not marked. Write wins over egress.
 */
const EGRESS_TOOLS = new Set(['WebFetch', 'WebSearch']);

export const RISK_RULE =
  "risk 'write': the write-capable tools of tool visibility — Bash, Edit, Write, MultiEdit, NotebookEdit and MCP " +
  'tools whose name has a word starting with write, send, delete, create, update, post or remove; ' +
  "'egress': WebFetch, WebSearch and tools of MCP servers seen connecting over a remote transport (not stdio/sdk) " +
  'in the window; write wins over egress.';

export function toolRisk(tool: string, mcpTool: string | null, remoteServer = false): Risk {
  if (isWriteCapable({ tool, mcpTool })) return 'write';
  if (EGRESS_TOOLS.has(tool)) return 'egress';
  return remoteServer ? 'egress' : null;
}

export const isRemoteTransport = (t: string): boolean => !LOCAL_TRANSPORTS.has(t);

export interface GraphInput {
  people: ReadonlyMap<string, { display_name: string; department: string | null; team: string | null }>;
  /** Per rollup dimension: (value, person, calls, last hour). */
  dims: readonly {
    type: NodeType;
    rows: readonly { value: string; person_id: string; calls: number; last_use: number }[];
  }[];
  tools: readonly ToolUseRow[];
  workspaces: readonly { value: string; person_id: string; calls: number; last_seen: number }[];
  /** Plugin load/install events per (plugin, person). */
  pluginLoads?: readonly PluginLoadRow[];
  /** Transports per MCP server from connection events. */
  transports?: ReadonlyMap<string, ReadonlySet<string>>;
  maxNodes: number;
}

const iso = isoTime;

/** Pure: builds nodes and edges, then caps the node count keeping the busiest nodes (and edges between them). */
export function buildGraph(input: GraphInput) {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<
    string,
    { source: string; target: string; calls: number; last: number; risk: Risk; loads?: number }
  >();
  const transports = input.transports ?? new Map<string, ReadonlySet<string>>();
  const remote = (server: string): boolean => [...(transports.get(server) ?? [])].some(isRemoteTransport);
  const node = (type: NodeType, value: string, label = value): GraphNode => {
    const id = `${type}:${value}`;
    let n = nodes.get(id);
    if (!n) {
      n = { id, type, label, calls: 0 };
      if (type === 'person') {
        const p = input.people.get(value);
        n.label = p?.display_name ?? value;
        n.department = p?.department ?? null;
        n.team = p?.team ?? null;
      }
      if (type === 'mcp_server') {
        n.transports = [...(transports.get(value) ?? [])].sort();
        n.remote = remote(value);
      }
      nodes.set(id, n);
    }
    return n;
  };
  const edge = (from: GraphNode, to: GraphNode, calls: number, last: number, risk: Risk): void => {
    const k = `${from.id}\u0001${to.id}`;
    const e = edges.get(k);
    if (!e) edges.set(k, { source: from.id, target: to.id, calls, last, risk });
    else {
      e.calls += calls;
      e.last = Math.max(e.last, last);
    }
    from.calls += calls;
    to.calls += calls;
  };

  for (const d of input.dims) {
    for (const r of d.rows) {
      if (r.person_id === '') continue;
      edge(node('person', r.person_id), node(d.type, r.value), r.calls, r.last_use, null);
    }
  }
  for (const t of input.tools) {
    const isMcp = t.mcp_server !== '' || t.tool === 'mcp_tool' || t.tool.startsWith('mcp__');
    const name = isMcp && t.mcp_server !== '' ? `${t.mcp_server}/${t.mcp_tool || t.tool}` : t.tool;
    const risk = toolRisk(t.tool, t.mcp_tool || null, t.mcp_server !== '' && remote(t.mcp_server));
    const toolNode = node('tool', name);
    toolNode.risk = risk;
    const from = t.agent !== '' ? node('agent', t.agent) : t.person_id !== '' ? node('person', t.person_id) : null;
    if (from) edge(from, toolNode, t.calls, t.last_use, risk);
    // A subagent's tool call is still made for a person: keep the person→agent link when rollups lack it.
    if (t.agent !== '' && t.person_id !== '')
      edge(node('person', t.person_id), node('agent', t.agent), 0, t.last_use, null);
    if (t.mcp_server !== '') edge(toolNode, node('mcp_server', t.mcp_server), t.calls, t.last_use, risk);
  }
  for (const l of input.pluginLoads ?? []) {
    if (l.person_id === '') continue;
    const from = node('person', l.person_id);
    const to = node('plugin', l.plugin);
    edge(from, to, 0, l.last_seen, null);
    const e = edges.get(`${from.id}\u0001${to.id}`);
    if (e) e.loads = (e.loads ?? 0) + l.loads;
  }
  for (const w of input.workspaces) {
    if (w.person_id === '') continue;
    edge(node('person', w.person_id), node('workspace', w.value), w.calls, w.last_seen, null);
  }

  const total = { nodes: nodes.size, edges: edges.size };
  let kept = [...nodes.values()];
  const capped = kept.length > input.maxNodes;
  if (capped) kept = byCallsThenId(kept).slice(0, input.maxNodes);
  const keptIds = new Set(kept.map((n) => n.id));
  const ranks = textRanks(keptIds);
  const outEdges: GraphEdge[] = byCallsThenEnds(
    [...edges.values()].filter((e) => keptIds.has(e.source) && keptIds.has(e.target)),
    ranks,
  ).map((e) => ({
    source: e.source,
    target: e.target,
    calls: e.calls,
    last_use: iso(e.last),
    risk: e.risk,
    ...(e.loads !== undefined ? { loads: e.loads } : {}),
  }));
  kept.sort(
    (a, b) => nodeTypes.indexOf(a.type) - nodeTypes.indexOf(b.type) || (ranks.get(a.id) ?? 0) - (ranks.get(b.id) ?? 0),
  );
  return {
    nodes: kept,
    edges: outEdges,
    capped,
    total_nodes: total.nodes,
    total_edges: total.edges,
    ...(capped
      ? {
          cap_note: `graph capped at the ${input.maxNodes} busiest nodes of ${total.nodes}; narrow the window or filter`,
        }
      : {}),
  };
}

const ROLLUP_EDGES: readonly { type: NodeType; dim: RollupDimension }[] = [
  { type: 'model', dim: 'model' },
  { type: 'agent', dim: 'agent' },
  { type: 'skill', dim: 'skill' },
  { type: 'plugin', dim: 'plugin' },
];

export async function graphReport(
  store: Store,
  q: { from: number; to: number; team?: string | undefined; department?: string | undefined; maxNodes?: number },
) {
  const org = 'default';
  const scope: ScopeFilters = { team: q.team, department: q.department };
  const hourFrom = hourOf(q.from);
  const hourTo = hourOf(q.to - 1) + HOUR_MS;
  const maxNodes = q.maxNodes ?? DEFAULT_MAX_NODES;
  const wholeDays = q.from % DAY_MS === 0 && q.to % DAY_MS === 0;
  const graph = await readSnapshot(store, async (s) => {
    const shared = [
      (l: Snapshot) => workspaceUses(l, org, q.from, q.to, scope),
      (l: Snapshot) => knownPeople(l.trx, org),
      (l: Snapshot) => pluginLoads(l, org, q.from, q.to, scope),
      // Transport is a property of the server, not of who asked: read it unfiltered.
      (l: Snapshot) => mcpTransports(l, org, q.from, q.to),
    ] as const;
    // Everyone over whole days: from node totals and the kept people's edges only (graph-fast.ts); its reads of the
    // tiers run alongside the others.
    if (wholeDays && q.team === undefined && q.department === undefined) {
      const [workspaces, known, loads, transports, ...tiers] = await inParallel(
        s,
        ...shared,
        ...fastGraphReads(org, q.from, q.to),
      );
      const people = new Map(known.map((p) => [p.id, p]));
      return fastGraph(s, { org, from: q.from, to: q.to, maxNodes, people, loads, workspaces, transports }, tiers);
    }
    const [workspaces, known, loads, transports] = await inParallel(s, ...shared);
    const people = new Map(known.map((p) => [p.id, p]));
    const dims = [];
    for (const d of ROLLUP_EDGES) {
      const rows = await dimensionByPerson(s, org, d.dim, hourFrom, hourTo, scope);
      dims.push({
        type: d.type,
        rows: rows.map((r) => ({ value: r.value, person_id: r.person_id, calls: r.calls, last_use: r.last_hour })),
      });
    }
    const tools = await toolEdges(s, org, q.from, q.to, scope);
    return buildGraph({ people, dims, tools, workspaces, pluginLoads: loads, transports, maxNodes });
  });
  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    filters: { team: q.team ?? null, department: q.department ?? null },
    risk_rule: RISK_RULE,
    sources:
      'person→model/agent/skill/plugin from hourly rollups (calls = prompts + API requests + tool calls, last_use to ' +
      'the hour); person→plugin also from plugin load events (loads); tool edges from tool_result events; ' +
      'person→workspace from sessions (calls = sessions); MCP transports from connection events',
    ...graph,
  };
}
