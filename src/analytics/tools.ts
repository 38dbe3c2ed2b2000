import type { ToolUseKey } from '../store/tools-read.repo.js';
import { TOOL_KINDS } from '../store/tools-read.repo.js';
import type { Store } from '../store/store.js';
import { mergedPeople } from '../store/tiers-read.repo.js';
import { numberedPeople } from '../store/tier-dictionaries.repo.js';
import { tierRead } from './tier-cache.js';
import { keyString, TOOL_KEY, type ToolKeyValues } from './derived-fold.js';
import { addHistogram, bitmapNumbers, decodeBitmap, orBitmap } from './people-bitmap.js';
import { inParallel, readSnapshot, toolKeys } from './tier-reads.js';
import { isWriteCapable, mcpToolPart } from './write-capable.js';

/**
 * Tool-call visibility (issue 3 §5): built-in tools, MCP servers and their tools, skills, plugins and subagents —
 * calls, error rate, latency p50/p95 and distinct people — over a window (at most 92 days).
 *
 * From the tool-key tiers (migration 0005; whole days, plus the events past the refresher's cursor and the raw
 * events of partial days — tier-reads.ts), not the hourly rollups: those key on mcp_server/skill/plugin/agent but
 * not on the tool name, and keep counters, not duration distributions. Per tool key and block the tiers hold calls,
 * failures, who (a bitmap over person numbers) and a latency histogram, so the report reads a few hundred rows
 * whatever the number of events or people.
 */
export const TOOLS_METHOD =
  'Computed from the events in the window (rollups keep no tool names or duration distributions): calls and ' +
  'errors from tool_result events (success = false is an error), latency percentiles from their duration_ms in ' +
  'buckets of whole milliseconds below 100 ms and two significant digits above (at most 5% off); skills from ' +
  'skill_activated events and tool results naming a skill; plugins from plugin events; subagents from ' +
  'subagent_completed events.';

export interface ToolStats {
  calls: number;
  errors: number;
  error_rate: number | null;
  latency_ms: { p50: number | null; p95: number | null };
  people: number;
}

/** One tool key's figures over the window: people as a bitmap (stored blocks) plus ids (folded events). */
interface KeyFigures {
  key: ToolUseKey;
  calls: number;
  errors: number;
  bits: Uint8Array<ArrayBufferLike>;
  ids: Set<string>;
  hist: Map<number, number>;
}

class Acc {
  calls = 0;
  errors = 0;
  bits: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  ids = new Set<string>();
  hist = new Map<number, number>();

  add(k: KeyFigures): void {
    this.calls += k.calls;
    this.errors += k.errors;
    this.bits = orBitmap(this.bits, k.bits);
    for (const id of k.ids) this.ids.add(id);
    for (const [v, n] of k.hist) this.hist.set(v, (this.hist.get(v) ?? 0) + n);
  }

  stats(who: (bits: Uint8Array<ArrayBufferLike>, ids: ReadonlySet<string>) => number): ToolStats {
    return {
      calls: this.calls,
      errors: this.errors,
      error_rate: this.calls > 0 ? this.errors / this.calls : null,
      latency_ms: { p50: percentile(this.hist, 0.5), p95: percentile(this.hist, 0.95) },
      people: who(this.bits, this.ids),
    };
  }
}

/** Nearest-rank percentile of a histogram {value → count}. */
export function percentile(hist: Map<number, number>, p: number): number | null {
  const entries = [...hist.entries()].sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [v, n] of entries) {
    seen += n;
    if (seen >= rank) return v;
  }
  return entries[entries.length - 1]?.[0] ?? null;
}

/** Claude Code reports an MCP call as tool `mcp_tool` (without detail flags) or `mcp__server__tool`. */
function isMcp(k: ToolUseKey): boolean {
  return (
    k.mcp_server !== null || k.mcp_tool !== null || k.tool === 'mcp_tool' || (k.tool?.startsWith('mcp__') ?? false)
  );
}

function mcpServerOf(k: ToolUseKey): string | null {
  if (k.mcp_server) return k.mcp_server;
  if (k.tool?.startsWith('mcp__')) return k.tool.slice(5).split('__')[0] ?? null;
  return null;
}

function mcpToolOf(k: ToolUseKey): string | null {
  return k.mcp_tool ?? (k.tool ? mcpToolPart(k.tool) : null);
}

function get<K>(m: Map<K, Acc>, k: K): Acc {
  let a = m.get(k);
  if (!a) m.set(k, (a = new Acc()));
  return a;
}

/** Which accumulators one row of a key counts in. Pure: the same routing for the people and duration rows. */
function route(
  k: ToolUseKey,
  acc: {
    builtin: Map<string, Acc>;
    servers: Map<string | null, Acc>;
    mcpTools: Map<string, Acc>;
    skills: Map<string, Acc>;
    plugins: Map<string, Acc>;
    agents: Map<string, Acc>;
  },
): Acc[] {
  const out: Acc[] = [];
  if (k.kind === 'tool_result') {
    if (isMcp(k)) {
      const server = mcpServerOf(k);
      out.push(get(acc.servers, server));
      out.push(get(acc.mcpTools, JSON.stringify([server, mcpToolOf(k)])));
    } else if (k.tool) out.push(get(acc.builtin, k.tool));
    if (k.skill) out.push(get(acc.skills, k.skill));
  } else if (k.kind === 'skill_activated' && k.skill) out.push(get(acc.skills, k.skill));
  else if (k.kind === 'plugin' && k.plugin) out.push(get(acc.plugins, k.plugin));
  else if (k.kind === 'subagent') out.push(get(acc.agents, k.agent ?? ''));
  return out;
}

const byCalls = <T extends { calls: number }>(a: T & { name?: string | null }, b: T & { name?: string | null }) =>
  b.calls - a.calls || String(a.name).localeCompare(String(b.name));

const orNull = (v: string): string | null => (v === '' ? null : v);

export async function toolsReport(store: Store, q: { from: number; to: number }) {
  const org = 'default';
  const read = await readSnapshot(store, async (s) => {
    const [keys, numbers, merged] = await inParallel(
      s,
      (l) => toolKeys(l, org, q.from, q.to, TOOL_KINDS),
      (l) => tierRead(l, ['people', org], () => numberedPeople(l.trx, org)),
      (l) => mergedPeople(l.trx, org),
    );
    return { ...keys, numbers, merged };
  });
  const keys = new Map<string, KeyFigures>();
  const figures = (k: ToolKeyValues): KeyFigures => {
    const id = keyString(k);
    let f = keys.get(id);
    if (!f) {
      const key = Object.fromEntries(TOOL_KEY.map((c) => [c, c === 'kind' ? k.kind : orNull(k[c])])) as never;
      keys.set(id, (f = { key, calls: 0, errors: 0, bits: new Uint8Array(0), ids: new Set(), hist: new Map() }));
    }
    return f;
  };
  for (const r of read.stored) {
    const f = figures(r);
    f.calls += Number(r.calls);
    f.errors += Number(r.errors);
    f.bits = orBitmap(f.bits, decodeBitmap(r.people));
    addHistogram(f.hist, r.latency);
  }
  for (const k of read.folded) {
    const f = figures(k);
    f.calls += k.calls;
    f.errors += k.errors;
    for (const p of k.people) f.ids.add(p);
    for (const [v, n] of k.latency) f.hist.set(v, (f.hist.get(v) ?? 0) + n);
  }
  // Distinct people: numbers → ids, then merged-away people count as the person they were merged into.
  const canonical = (id: string): string => {
    let at = id;
    for (let i = 0; i < 16 && read.merged.has(at); i++) at = read.merged.get(at) as string;
    return at;
  };
  const who = (bits: Uint8Array<ArrayBufferLike>, ids: ReadonlySet<string>): number => {
    const all = new Set<string>();
    for (const n of bitmapNumbers(bits)) {
      const id = read.numbers.get(n);
      if (id !== undefined) all.add(canonical(id));
    }
    for (const id of ids) all.add(canonical(id));
    return all.size;
  };
  const acc = {
    builtin: new Map<string, Acc>(),
    servers: new Map<string | null, Acc>(),
    mcpTools: new Map<string, Acc>(),
    skills: new Map<string, Acc>(),
    plugins: new Map<string, Acc>(),
    agents: new Map<string, Acc>(),
  };
  const totals = new Acc();
  for (const f of keys.values()) {
    for (const a of route(f.key, acc)) a.add(f);
    if (f.key.kind === 'tool_result') totals.add(f);
  }
  const mcpTools = [...acc.mcpTools.entries()].map(([key, a]) => {
    const [server, tool] = JSON.parse(key) as [string | null, string | null];
    return { server, name: tool, ...a.stats(who), write_capable: isWriteCapable({ mcpTool: tool ?? '' }) };
  });
  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    method: TOOLS_METHOD,
    totals: totals.stats(who),
    builtin_tools: [...acc.builtin.entries()]
      .map(([name, a]) => ({ name, ...a.stats(who), write_capable: isWriteCapable({ tool: name }) }))
      .sort(byCalls),
    mcp_servers: [...acc.servers.entries()]
      .map(([name, a]) => {
        const tools = mcpTools.filter((t) => t.server === name).sort(byCalls);
        return {
          name,
          ...a.stats(who),
          write_capable: tools.some((t) => t.write_capable),
          tools: tools.map(({ server: _server, ...t }) => t),
        };
      })
      .sort(byCalls),
    skills: [...acc.skills.entries()].map(([name, a]) => ({ name, ...a.stats(who) })).sort(byCalls),
    plugins: [...acc.plugins.entries()].map(([name, a]) => ({ name, ...a.stats(who) })).sort(byCalls),
    subagents: [...acc.agents.entries()]
      .map(([name, a]) => ({ name: name === '' ? null : name, ...a.stats(who) }))
      .sort(byCalls),
  };
}
