import { toolUse, type ToolDurationRow, type ToolPersonRow, type ToolUseKey } from '../store/tools-read.repo.js';
import type { Store } from '../store/store.js';
import { isWriteCapable, mcpToolPart } from './write-capable.js';

/**
 * Tool-call visibility (issue 3 §5): built-in tools, MCP servers and their tools, skills, plugins and subagents —
 * calls, error rate, latency p50/p95 and distinct people — over a window of raw events.
 *
 * Raw events, not rollups: the rollups key on mcp_server/skill/plugin/agent but not on the tool name, and keep
 * counters, not duration distributions, so latency percentiles and per-tool figures need the events. Reads stay
 * bounded: the window is at most 92 days (the raw-read limit) and both grouped reads return one row per distinct
 * (tool, person) and (tool, millisecond) — see store/tools-read.repo.ts.
 */
export const TOOLS_METHOD =
  'Computed from raw events in the window (rollups keep no tool names or duration distributions): calls and ' +
  'errors from tool_result events (success = false is an error), latency percentiles from their duration_ms at ' +
  'millisecond resolution; skills from skill_activated events and tool results naming a skill; plugins from plugin ' +
  'events; subagents from subagent_completed events.';

export interface ToolStats {
  calls: number;
  errors: number;
  error_rate: number | null;
  latency_ms: { p50: number | null; p95: number | null };
  people: number;
}

class Acc {
  calls = 0;
  errors = 0;
  people = new Set<string>();
  hist = new Map<number, number>();

  addPeople(r: ToolPersonRow): void {
    this.calls += r.calls;
    this.errors += r.errors;
    if (r.person_id) this.people.add(r.person_id);
  }

  addDuration(r: ToolDurationRow): void {
    this.hist.set(r.ms, (this.hist.get(r.ms) ?? 0) + r.n);
  }

  stats(): ToolStats {
    return {
      calls: this.calls,
      errors: this.errors,
      error_rate: this.calls > 0 ? this.errors / this.calls : null,
      latency_ms: { p50: percentile(this.hist, 0.5), p95: percentile(this.hist, 0.95) },
      people: this.people.size,
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

export async function toolsReport(store: Store, q: { from: number; to: number }) {
  const { people, durations } = await toolUse(store.db, q.from, q.to);
  const acc = {
    builtin: new Map<string, Acc>(),
    servers: new Map<string | null, Acc>(),
    mcpTools: new Map<string, Acc>(),
    skills: new Map<string, Acc>(),
    plugins: new Map<string, Acc>(),
    agents: new Map<string, Acc>(),
  };
  const totals = new Acc();
  for (const r of people) {
    for (const a of route(r, acc)) a.addPeople(r);
    if (r.kind === 'tool_result') totals.addPeople(r);
  }
  for (const r of durations) {
    for (const a of route(r, acc)) a.addDuration(r);
    if (r.kind === 'tool_result') totals.addDuration(r);
  }
  const mcpTools = [...acc.mcpTools.entries()].map(([key, a]) => {
    const [server, tool] = JSON.parse(key) as [string | null, string | null];
    return { server, name: tool, ...a.stats(), write_capable: isWriteCapable({ mcpTool: tool ?? '' }) };
  });
  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    method: TOOLS_METHOD,
    totals: totals.stats(),
    builtin_tools: [...acc.builtin.entries()]
      .map(([name, a]) => ({ name, ...a.stats(), write_capable: isWriteCapable({ tool: name }) }))
      .sort(byCalls),
    mcp_servers: [...acc.servers.entries()]
      .map(([name, a]) => {
        const tools = mcpTools.filter((t) => t.server === name).sort(byCalls);
        return {
          name,
          ...a.stats(),
          write_capable: tools.some((t) => t.write_capable),
          tools: tools.map(({ server: _server, ...t }) => t),
        };
      })
      .sort(byCalls),
    skills: [...acc.skills.entries()].map(([name, a]) => ({ name, ...a.stats() })).sort(byCalls),
    plugins: [...acc.plugins.entries()].map(([name, a]) => ({ name, ...a.stats() })).sort(byCalls),
    subagents: [...acc.agents.entries()]
      .map(([name, a]) => ({ name: name === '' ? null : name, ...a.stats() }))
      .sort(byCalls),
  };
}
