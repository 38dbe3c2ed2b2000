import type { PluginLoadRow } from '../store/discovery-read.repo.js';
import { edgeTierRows, edgeTierTotals } from '../store/tiers-read.repo.js';
import { numberedEdgeKeys } from '../store/tier-dictionaries.repo.js';
import { EDGE_SEP, GRAPH_DIMS, type ToolKeyUse } from './derived-fold.js';
import type { Use } from './discovery.js';
import {
  byCallsThenId,
  isRemoteTransport,
  textRanks,
  nodeTypes,
  toolRisk,
  type GraphEdge,
  type GraphNode,
  type NodeType,
  type Risk,
} from './graph.js';
import { bitmapNumbers, decodeBitmap, orBitmap } from './people-bitmap.js';
import { mergePersonEdges } from './person-edges.js';
import { tierRead } from './tier-cache.js';
import { pastCursor, tierKeyRows, type Snapshot } from './tier-reads.js';
import { tierPeople, valueFigures, type ValueFigure } from './value-figures.js';
import { cover } from './tiers.js';
import { isoTime } from './iso-time.js';

/**
 * The unfiltered access graph over whole UTC days without reading an edge per person and tool: what `buildGraph`
 * returns for the same window, assembled from
 * - every person's node calls (person edge tiers: one number per person and block),
 * - per value the calls, last use and distinct people (dimension tiers; tool key tiers with their people bitmaps),
 * - and the packed edges of the people kept under the node cap only.
 * Node calls, totals, ranking, edges and their order follow buildGraph exactly (tested against it).
 */
export interface FastGraphQuery {
  org: string;
  /** UTC midnights. */
  from: number;
  to: number;
  maxNodes: number;
  people: ReadonlyMap<string, { display_name: string; department: string | null; team: string | null }>;
  loads: readonly PluginLoadRow[];
  workspaces: readonly Use[];
  transports: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface ToolKey {
  agent: string;
  tool: string;
  mcp_server: string;
  mcp_tool: string;
  calls: number;
  anonymous: number;
  last: number;
  people: Set<string>;
}

const iso = isoTime;

function toolName(k: { tool: string; mcp_server: string; mcp_tool: string }): string {
  const isMcp = k.mcp_server !== '' || k.tool === 'mcp_tool' || k.tool.startsWith('mcp__');
  return isMcp && k.mcp_server !== '' ? `${k.mcp_server}/${k.mcp_tool || k.tool}` : k.tool;
}

/**
 * The fast graph's reads of the tiers, as independent reads (for `inParallel`, alongside the report's other reads):
 * person node totals, value figures, tool keys, the edge-key dictionary.
 */
export function fastGraphReads(org: string, from: number, to: number) {
  const blocks = (l: Snapshot) => cover(from, to, l.cursor.tiers_through);
  return [
    (l: Snapshot) => tierRead(l, ['edge totals', org, blocks(l)], () => edgeTierTotals(l.trx, org, blocks(l))),
    (l: Snapshot) => valueFigures(l, org, from, to, GRAPH_DIMS),
    async (l: Snapshot) => toolKeyFigures(l, org, blocks(l), (await pastCursor(l, from, to)).keys.values()),
    (l: Snapshot) => tierRead(l, ['edge keys', org], () => numberedEdgeKeys(l.trx, org)),
  ] as const;
}

export type FastGraphTiers = [
  Awaited<ReturnType<typeof edgeTierTotals>>,
  ValueFigure[],
  ToolKey[],
  Map<number, string>,
];

export async function fastGraph(s: Snapshot, q: FastGraphQuery, tiers: FastGraphTiers) {
  const blocks = cover(q.from, q.to, s.cursor.tiers_through);
  const past = await pastCursor(s, q.from, q.to);
  const [totals, figures, keys, edgeKeys] = tiers;
  const remote = (server: string) => [...(q.transports.get(server) ?? [])].some(isRemoteTransport);
  const risk = (k: { tool: string; mcp_tool: string; mcp_server: string }): Risk =>
    toolRisk(k.tool, k.mcp_tool || null, k.mcp_server !== '' && remote(k.mcp_server));

  // Node calls of every person: their edge tiers, their folded edges past the cursor, their workspace sessions.
  const nodeCalls = new Map<string, number>();
  const add = (id: string, calls: number) => nodeCalls.set(id, (nodeCalls.get(id) ?? 0) + calls);
  for (const r of totals) add(`person:${r.person_id}`, r.calls);
  const pastEdges = [...past.graphEdges().values()].filter((e) => e.org_id === q.org);
  for (const e of pastEdges) add(`person:${e.person_id}`, e.graph_calls);

  // Values of the rollup dimensions: the calls and the people their edges carry (known people only).
  // A value's people are its figure's (distinct already, shared) plus those other sources add that it lacks.
  const dimSets = new Map<string, { base: ReadonlyMap<string, number> | null; extra: Set<string> }>();
  const addPerson = (id: string, person: string) => {
    let set = dimSets.get(id);
    if (!set) dimSets.set(id, (set = { base: null, extra: new Set() }));
    if (!set.base?.has(person)) set.extra.add(person);
  };
  for (const f of figures) {
    if (f.people.size === 0) continue;
    const id = `${f.dim}:${f.value}`;
    add(id, peopleCalls(f.people));
    dimSets.set(id, { base: f.people, extra: new Set() });
  }
  // Tool results by key (no person): calls, calls by no one, last use, people (the keys' own sets, shared: a tool
  // node's distinct people are counted once at the end, a union only when several keys name the same tool).
  const toolNodes = new Map<string, { risk: Risk; people: ReadonlySet<string>[] }>();
  const agentTool = new Map<string, { calls: number; last: number; risk: Risk }>();
  const toolServer = new Map<string, { calls: number; last: number; risk: Risk }>();
  for (const k of keys) {
    const name = toolName(k);
    const r = risk(k);
    const node = toolNodes.get(name) ?? { risk: r, people: [] };
    node.risk = r;
    toolNodes.set(name, node);
    add(`tool:${name}`, k.agent !== '' ? k.calls : k.calls - k.anonymous);
    if (k.agent !== '') {
      const agent = `agent:${k.agent}`;
      add(agent, k.calls);
      for (const p of k.people) addPerson(agent, p);
      const e = at(agentTool, `agent:${k.agent}\u0001tool:${name}`, r);
      e.calls += k.calls;
      e.last = Math.max(e.last, k.last);
    } else if (k.people.size > 0) node.people.push(k.people);
    if (k.mcp_server !== '') {
      add(`tool:${name}`, k.calls);
      add(`mcp_server:${k.mcp_server}`, k.calls);
      const e = at(toolServer, `tool:${name}\u0001mcp_server:${k.mcp_server}`, r);
      e.calls += k.calls;
      e.last = Math.max(e.last, k.last);
    }
  }
  for (const l of q.loads) {
    if (l.person_id === '') continue;
    if (!nodeCalls.has(`person:${l.person_id}`)) nodeCalls.set(`person:${l.person_id}`, 0);
    if (!nodeCalls.has(`plugin:${l.plugin}`)) nodeCalls.set(`plugin:${l.plugin}`, 0);
    addPerson(`plugin:${l.plugin}`, l.person_id);
  }
  const workspacePairs = q.workspaces.filter((w) => w.person_id !== '');
  for (const w of workspacePairs) {
    add(`person:${w.person_id}`, w.calls);
    add(`workspace:${w.value}`, w.calls);
  }
  for (const name of toolNodes.keys()) if (!nodeCalls.has(`tool:${name}`)) nodeCalls.set(`tool:${name}`, 0);

  // Every distinct edge, counted without listing them.
  let totalEdges = agentTool.size + toolServer.size + workspacePairs.length;
  for (const set of dimSets.values()) totalEdges += (set.base?.size ?? 0) + set.extra.size;
  for (const { people } of toolNodes.values()) {
    if (people.length === 1) totalEdges += (people[0] as ReadonlySet<string>).size;
    else if (people.length > 1) totalEdges += new Set(people.flatMap((set) => [...set])).size;
  }

  const all = [...nodeCalls].map(([id, calls]) => ({ id, calls }));
  const capped = all.length > q.maxNodes;
  const ranked = capped ? byCallsThenId(all).slice(0, q.maxNodes) : all;
  const kept = new Set(ranked.map((n) => n.id));
  const keptPeople = ranked.filter((n) => n.id.startsWith('person:')).map((n) => n.id.slice(7));

  // The kept people's own edges. Kept nodes are numbered so an edge is one number (source × K + target): the packed
  // rows hold tens of thousands of entries.
  const keptIndex = new Map(ranked.map((n, i) => [n.id, i]));
  const K = ranked.length;
  const edges = new Map<number, { calls: number; last: number; risk: Risk; loads?: number }>();
  const edgeAt = (si: number, ti: number, calls: number, last: number, r: Risk) => {
    const k = si * K + ti;
    let e = edges.get(k);
    if (!e) edges.set(k, (e = { calls, last, risk: r }));
    else {
      e.calls += calls;
      if (last > e.last) e.last = last;
    }
    return e as { loads?: number };
  };
  const edge = (source: string, target: string, calls: number, last: number, r: Risk) => {
    const si = keptIndex.get(source);
    const ti = keptIndex.get(target);
    return si === undefined || ti === undefined ? null : edgeAt(si, ti, calls, last, r);
  };
  // Edge keys repeat across people (a few hundred distinct): resolve each to its target once.
  const resolve = (key: string): { target: number; calls: boolean; risk: Risk } => {
    const parts = key.split(EDGE_SEP);
    let id: string;
    let t: { calls: boolean; risk: Risk };
    if (parts[0] === 'd') [id, t] = [`${parts[1]}:${parts[2]}`, { calls: true, risk: null }];
    else {
      const [, agent, tool, server, mcpTool] = parts as [string, string, string, string, string];
      const k = { tool, mcp_server: server, mcp_tool: mcpTool };
      [id, t] =
        agent !== ''
          ? [`agent:${agent}`, { calls: false, risk: null }]
          : [`tool:${toolName(k)}`, { calls: true, risk: risk(k) }];
    }
    return { ...t, target: keptIndex.get(id) ?? -1 };
  };
  const byNumber = new Map([...edgeKeys].map(([n, key]) => [n, resolve(key)]));
  const merged = async () => mergePersonEdges(await edgeTierRows(s.trx, q.org, blocks, keptPeople));
  for (const [person, e] of await tierRead(s, ['merged edges', q.org, blocks, keptPeople], merged)) {
    const si = keptIndex.get(`person:${person}`) as number;
    for (let i = 0; i < e.numbers.length; i++) {
      const t = byNumber.get(e.numbers[i] as number);
      if (t && t.target >= 0) edgeAt(si, t.target, t.calls ? (e.calls[i] as number) : 0, e.last[i] as number, t.risk);
    }
  }
  for (const e of pastEdges) {
    const si = keptIndex.get(`person:${e.person_id}`);
    if (si === undefined) continue;
    for (const [key, [calls, last]] of e.edges) {
      const t = resolve(key);
      if (t.target >= 0) edgeAt(si, t.target, t.calls ? calls : 0, last, t.risk);
    }
  }
  for (const [k, e] of agentTool) edge(...(k.split('\u0001') as [string, string]), e.calls, e.last, e.risk);
  for (const [k, e] of toolServer) edge(...(k.split('\u0001') as [string, string]), e.calls, e.last, e.risk);
  for (const l of q.loads) {
    if (l.person_id === '') continue;
    const e = edge(`person:${l.person_id}`, `plugin:${l.plugin}`, 0, l.last_seen, null);
    if (e) e.loads = (e.loads ?? 0) + l.loads;
  }
  for (const w of workspacePairs) edge(`person:${w.person_id}`, `workspace:${w.value}`, w.calls, w.last_seen, null);

  const nodes: GraphNode[] = ranked.map(({ id, calls }) => {
    const i = id.indexOf(':');
    const type = id.slice(0, i) as NodeType;
    const value = id.slice(i + 1);
    const n: GraphNode = { id, type, label: value, calls };
    if (type === 'person') {
      const p = q.people.get(value);
      n.label = p?.display_name ?? value;
      n.department = p?.department ?? null;
      n.team = p?.team ?? null;
    }
    if (type === 'mcp_server') {
      n.transports = [...(q.transports.get(value) ?? [])].sort();
      n.remote = remote(value);
    }
    if (type === 'tool') n.risk = toolNodes.get(value)?.risk ?? null;
    return n;
  });
  const ranks = textRanks(kept);
  nodes.sort(
    (a, b) => nodeTypes.indexOf(a.type) - nodeTypes.indexOf(b.type) || (ranks.get(a.id) ?? 0) - (ranks.get(b.id) ?? 0),
  );
  // byCallsThenEnds' order (calls, then source and target rank; stable) over the numbered edges, without building an
  // object per edge to sort: tens of thousands of edges, and each request's garbage is what the server's GC pays for.
  const rankOf = ranked.map((n) => ranks.get(n.id) ?? 0);
  const numbers = Array.from(edges.keys());
  const values = Array.from(edges.values());
  const calls = new Float64Array(numbers.length);
  const sourceRank = new Int32Array(numbers.length);
  const targetRank = new Int32Array(numbers.length);
  numbers.forEach((k, i) => {
    calls[i] = (values[i] as { calls: number }).calls;
    sourceRank[i] = rankOf[Math.floor(k / K)] as number;
    targetRank[i] = rankOf[k % K] as number;
  });
  const order = numbers.map((_, i) => i);
  order.sort(
    (a, b) =>
      (calls[b] as number) - (calls[a] as number) ||
      (sourceRank[a] as number) - (sourceRank[b] as number) ||
      (targetRank[a] as number) - (targetRank[b] as number),
  );
  const outEdges: GraphEdge[] = order.map((i) => {
    const k = numbers[i] as number;
    const e = values[i] as (typeof values)[number];
    const out: GraphEdge = {
      source: (ranked[Math.floor(k / K)] as { id: string }).id,
      target: (ranked[k % K] as { id: string }).id,
      calls: e.calls,
      last_use: iso(e.last),
      risk: e.risk,
    };
    if (e.loads !== undefined) out.loads = e.loads;
    return out;
  });
  return {
    nodes,
    edges: outEdges,
    capped,
    total_nodes: all.length,
    total_edges: totalEdges,
    ...(capped
      ? { cap_note: `graph capped at the ${q.maxNodes} busiest nodes of ${all.length}; narrow the window or filter` }
      : {}),
  };
}

/** A figure's people's calls summed: figures of the tier cache are shared and unchanged, so each is summed once. */
const summed = new WeakMap<ReadonlyMap<string, number>, number>();
function peopleCalls(people: ReadonlyMap<string, number>): number {
  let calls = summed.get(people);
  if (calls === undefined) {
    calls = 0;
    for (const c of people.values()) calls += c;
    summed.set(people, calls);
  }
  return calls;
}

function at(m: Map<string, { calls: number; last: number; risk: Risk }>, k: string, r: Risk) {
  let e = m.get(k);
  if (!e) m.set(k, (e = { calls: 0, last: 0, risk: r }));
  return e;
}

/**
 * Tool-result keys with a tool name over the blocks and past the cursor: calls, anonymous calls, last use, people.
 * What the blocks give is computed once per tier version (tier-cache.ts: a few hundred keys, each with a set of up to
 * every person, were rebuilt on every request); keys the rows past the cursor touch are copied before they change.
 */
async function toolKeyFigures(
  s: Snapshot,
  org: string,
  blocks: ReturnType<typeof cover>,
  past: Iterable<ToolKeyUse>,
): Promise<ToolKey[]> {
  const { canonical } = await tierPeople(s, org);
  const stored = await tierRead(s, ['tool key figures', org, blocks], () => storedToolKeys(s, org, blocks));
  let out: Map<string, ToolKey> | null = null;
  for (const k of past) {
    if (k.org_id !== org || k.kind !== 'tool_result' || k.tool === '') continue;
    out ??= new Map(stored);
    const id = keyId(k);
    const had = out.get(id);
    const x: ToolKey = had ? { ...had, people: new Set(had.people) } : newKey(k);
    out.set(id, x);
    x.calls += k.calls;
    x.anonymous += k.anonymous_calls;
    x.last = Math.max(x.last, k.last_time);
    for (const p of k.people) x.people.add(canonical(p));
  }
  return [...(out ?? stored).values()];
}

const keyId = (k: { agent: string; tool: string; mcp_server: string; mcp_tool: string }) =>
  [k.agent, k.tool, k.mcp_server, k.mcp_tool].join('\u0001');

const newKey = (k: { agent: string; tool: string; mcp_server: string; mcp_tool: string }): ToolKey => ({
  agent: k.agent,
  tool: k.tool,
  mcp_server: k.mcp_server,
  mcp_tool: k.mcp_tool,
  calls: 0,
  anonymous: 0,
  last: 0,
  people: new Set(),
});

/** The blocks' tool-result keys: people as one bitmap per key (an OR per block), then each once by id. */
async function storedToolKeys(s: Snapshot, org: string, blocks: ReturnType<typeof cover>) {
  const { numbers, canonical } = await tierPeople(s, org);
  const out = new Map<string, ToolKey>();
  const bitmaps = new Map<ToolKey, Uint8Array>();
  for (const r of await tierKeyRows(s, org, blocks)) {
    if (r.kind !== 'tool_result' || r.tool === '') continue;
    const id = keyId(r);
    let x = out.get(id);
    if (!x) out.set(id, (x = newKey(r)));
    x.calls += Number(r.calls);
    x.anonymous += Number(r.anonymous_calls);
    x.last = Math.max(x.last, Number(r.last_time));
    const b = decodeBitmap(r.people);
    const had = bitmaps.get(x);
    bitmaps.set(x, had ? orBitmap(had, b) : b);
  }
  for (const [x, b] of bitmaps) {
    for (const n of bitmapNumbers(b)) {
      const id = numbers.get(n);
      if (id !== undefined) x.people.add(canonical(id));
    }
  }
  return out;
}
