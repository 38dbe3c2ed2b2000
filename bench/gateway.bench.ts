/**
 * `npm run bench:gateway` — what a gateway hop costs Claude Code (DESIGN §9: Steward's p99 added latency within 1.5×
 * of a bare Node pass-through proxy's at every cell, throughput ≥ 50% of it, body byte-identical upstream).
 *
 * Topology (2 cores, shared with other work): four kinds of process, each its own —
 *   this process       the load generator (closed-loop node:http clients, keep-alive) and the orchestration;
 *   mock upstream      bench/gateway/mock-upstream.ts: the Messages API answered at once (SSE or JSON, usage,
 *                      request-id), recording the last request for the fidelity check;
 *   one per arm        bare     bench/gateway/bare-proxy.ts, the floor of any Node hop;
 *                      steward  bin/steward.js serve, gateway → mock, default policy + detectors + a person budget;
 *                      portkey  @portkey-ai/gateway 1.15.2 (bench/peers/portkey, hono pinned), → mock.
 * The `direct` arm sends the same requests straight to the mock: its latency is the baseline every other arm's is
 * measured against. All arms share the mock and the load generator, so those costs cancel out in added latency.
 *
 * Request: Claude Code's `POST /v1/messages?beta=true` (bench/gateway/claude-code-request.ts, ≈ 20 KB), streaming and
 * the non-streaming fallback. Cells: concurrency (1, 16, 64) × JSON / SSE. In a cell the arms take turns in short
 * time slices (BENCH_GATEWAY_SLICE_MS), the order rotating every round, so noise from the rest of the machine hits
 * them all alike; each arm gets BENCH_GATEWAY_SECONDS of load per cell after a discarded warm-up slice.
 *
 * Env: BENCH_GATEWAY_SECONDS (5; per arm and cell), BENCH_GATEWAY_SLICE_MS (250), BENCH_GATEWAY_CONCURRENCY (1,16,64),
 * BENCH_GATEWAY_MODES (json,sse), BENCH_GATEWAY_ARMS (direct,bare,steward,portkey; direct is always run; `raw`, opt-in,
 * adds bench/gateway/raw-forwarder.ts, the floor of a forwarding loop on raw sockets),
 * BENCH_GATEWAY_BODY_BYTES (20480), BENCH_GATEWAY_WARMUP_SECONDS (5; per arm and mode, at concurrency 8, before any
 * cell), BENCH_GATEWAY_QUICK=1 (0.5 s per arm and cell, shorter warm-up: under a minute in all).
 * Each cell also reports the CPU steal while it ran (bench/gateway/cpu-steal.ts): latency verdicts of runs with
 * steal are not comparable with quiet ones. Progress on stderr; the last stdout line is one JSON object.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Agent } from 'node:http';
import { procStats, startProcess, tsEntry, type ArmProcess } from './gateway/arm-process.js';
import {
  addSlice,
  armCell,
  cellBudget,
  emptyPool,
  type ArmCell,
  type CellBudget,
  type Pooled,
} from './gateway/cell-stats.js';
import { claudeCodeRequest } from './gateway/claude-code-request.js';
import { cpuTimes, stealShare } from './gateway/cpu-steal.js';
import { checkFidelity, type Fidelity } from './gateway/fidelity.js';
import { agentFor, runSlice, type Target } from './gateway/load-slice.js';
import { installPortkey, startPortkey } from './gateway/portkey-arm.js';
import { startSteward } from './gateway/steward-arm.js';

const QUICK = process.env.BENCH_GATEWAY_QUICK === '1' || process.env.BENCH_GATEWAY_QUICK === 'true';
const SECONDS = Number(process.env.BENCH_GATEWAY_SECONDS ?? (QUICK ? 0.5 : 5));
const SLICE_MS = Number(process.env.BENCH_GATEWAY_SLICE_MS ?? (QUICK ? 150 : 250));
/**
 * Load per arm and mode before the first cell. A server's steady state is what the cells measure: in Steward,
 * TurboFan was still compiling on V8's worker threads ~20 s into a c=1 load after a 1 s warm-up (`--trace-opt`:
 * 230 optimisations in the second 5 s, ~30 in the third and fourth, a few after), and the compiler's threads, ~17% of
 * a core at 10–15 s, delayed the single request in flight on a 2-core machine.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_GATEWAY_WARMUP_SECONDS ?? (QUICK ? 0.3 : 5));
const CONCURRENCY = (process.env.BENCH_GATEWAY_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const MODES = (process.env.BENCH_GATEWAY_MODES ?? 'json,sse').split(',').map((m) => m.trim()) as Mode[];
const BODY_BYTES = Number(process.env.BENCH_GATEWAY_BODY_BYTES ?? 20 * 1024);
const ARM_NAMES = ['direct', ...(process.env.BENCH_GATEWAY_ARMS ?? 'bare,steward,portkey').split(',')]
  .map((a) => a.trim())
  .filter((a, i, all) => a && all.indexOf(a) === i);
/**
 * The pass-through arms, each a program in bench/gateway given the mock's URL: the bare proxy (the budget's baseline)
 * and, opt-in, the raw forwarder (the floor of a purpose-built forwarding loop, not a budget arm).
 */
const PASS_THROUGH: Record<string, string> = { bare: 'bare-proxy.ts', raw: 'raw-forwarder.ts' };
/** The key the mock "upstream" is called with (gateways swap the client's credential for it). */
const UPSTREAM_KEY = 'sk-ant-api03-bench-upstream-key';

type Mode = 'json' | 'sse';
interface Arm {
  name: string;
  process?: ArmProcess;
  /** Base URL the Claude Code path is appended to (ANTHROPIC_BASE_URL). */
  baseUrl: string;
  /** The credential and any routing headers a Claude Code user would configure for this arm. */
  headers: Record<string, string>;
  /** What the arm reports about itself after the run (Steward: its budget's spend, proof the budget was on). */
  report?: () => string;
  stop(): Promise<void>;
}

const log = (line: string) => process.stderr.write(line + '\n');
const round1 = (x: number) => Math.round(x * 10) / 10;

function target(arm: Arm, mode: Mode, request: ReturnType<typeof claudeCodeRequest>): Target {
  const base = new URL(arm.baseUrl);
  return {
    base,
    path: base.pathname.replace(/\/$/, '') + request.path,
    headers: { ...request.headers, ...arm.headers },
    body: request.body[mode],
    sse: mode === 'sse',
  };
}

async function startArms(mockUrl: string): Promise<{ arms: Arm[]; skipped: Record<string, string>; versions: object }> {
  const arms: Arm[] = [];
  const skipped: Record<string, string> = {};
  let versions = {};
  const clientKey = { 'x-api-key': UPSTREAM_KEY }; // Claude Code with ANTHROPIC_API_KEY
  for (const name of ARM_NAMES) {
    try {
      if (name === 'direct') arms.push({ name, baseUrl: mockUrl, headers: clientKey, stop: async () => {} });
      else if (name in PASS_THROUGH) {
        const p = await startProcess({ name, ...tsEntry(PASS_THROUGH[name] as string, [mockUrl]) });
        arms.push({ name, process: p, baseUrl: `http://127.0.0.1:${p.port}`, headers: clientKey, stop: p.stop });
      } else if (name === 'steward') {
        const s = await startSteward(mockUrl, UPSTREAM_KEY);
        arms.push({ ...s, name, report: s.budgetList });
      } else if (name === 'portkey') {
        installPortkey(log);
        const p = await startPortkey(mockUrl, UPSTREAM_KEY);
        versions = p.versions;
        // Portkey takes the upstream key from Authorization only (ANTHROPIC_AUTH_TOKEN), not x-api-key.
        arms.push({ name, process: p.process, baseUrl: p.baseUrl, headers: p.headers, stop: p.process.stop });
      } else skipped[name] = 'unknown arm';
    } catch (e) {
      skipped[name] = (e as Error).message.slice(0, 2000);
      log(`${name}: not runnable — ${skipped[name]}`);
    }
  }
  return { arms, skipped, versions };
}

interface CellResult {
  arms: Record<string, ArmCell>;
  budget?: CellBudget;
  load_generator_cpu_share: number;
  /** Share of the machine's CPU the hypervisor took while the cell ran (bench/gateway/cpu-steal.ts). */
  cpu_steal_share: number | null;
}

async function runCell(
  arms: Arm[],
  request: ReturnType<typeof claudeCodeRequest>,
  concurrency: number,
  mode: Mode,
  seconds = SECONDS,
): Promise<CellResult> {
  const targets = arms.map((a) => target(a, mode, request));
  const agents: Agent[] = arms.map(() => agentFor(concurrency));
  const pools: Pooled[] = arms.map(() => emptyPool());
  const warm = Math.max(SLICE_MS, 150);
  for (let i = 0; i < arms.length; i++) await runSlice(targets[i]!, agents[i]!, concurrency, warm); // discarded
  const cpuBefore = arms.map((a) => (a.process ? procStats(a.process.pid).cpuMs : 0));
  const client0 = process.cpuUsage();
  const machine0 = cpuTimes();
  const t0 = performance.now();
  const rounds = Math.max(1, Math.round((seconds * 1000) / SLICE_MS));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < arms.length; k++) {
      const i = (k + r) % arms.length; // rotate: no arm always runs first or right after another
      addSlice(pools[i]!, await runSlice(targets[i]!, agents[i]!, concurrency, SLICE_MS));
    }
  }
  const client = process.cpuUsage(client0);
  const wall = performance.now() - t0;
  for (const a of agents) a.destroy();
  const out: Record<string, ArmCell> = {};
  const direct = pools[0]!;
  arms.forEach((arm, i) => {
    const cell = armCell(pools[i]!, direct, mode === 'sse');
    if (arm.process) {
      const stats = procStats(arm.process.pid);
      const n = pools[i]!.count;
      cell.cpu_ms_per_request = n ? Math.round(((stats.cpuMs - cpuBefore[i]!) / n) * 1000) / 1000 : null;
      cell.rss_mb = stats.rssMb;
    }
    out[arm.name] = cell;
  });
  const steal = stealShare(machine0, cpuTimes());
  const result: CellResult = {
    arms: out,
    load_generator_cpu_share: Math.round(((client.user + client.system) / 1000 / wall) * 100) / 100,
    cpu_steal_share: steal,
  };
  if (out.steward && out.bare) result.budget = cellBudget(out.steward, out.bare, steal);
  return result;
}

function line(cellName: string, arm: string, c: ArmCell): string {
  const ttfb = c.ttfb_p99_ms !== undefined ? `  ttfb +${c.added_ttfb_p50_ms}/+${c.added_ttfb_p99_ms}` : '';
  const err = c.errors ? `  ERRORS ${c.errors}: ${c.first_error}` : '';
  return (
    `${cellName.padEnd(8)} ${arm.padEnd(8)} p50 ${String(c.p50_ms).padStart(7)} p99 ${String(c.p99_ms).padStart(7)} ms` +
    `  added +${c.added_p50_ms}/+${c.added_p99_ms}${ttfb}  ${c.requests_per_s} req/s${err}`
  );
}

async function main(): Promise<void> {
  const loadBefore = loadavg().map(round1);
  const machineBefore = cpuTimes();
  const request = claudeCodeRequest(BODY_BYTES);
  const mock = await startProcess({ name: 'mock upstream', ...tsEntry('mock-upstream.ts') });
  const mockUrl = `http://127.0.0.1:${mock.port}`;
  const { arms, skipped, versions } = await startArms(mockUrl);
  log(
    `arms: ${arms.map((a) => a.name).join(', ')}${Object.keys(skipped).length ? ` (skipped: ${Object.keys(skipped).join(', ')})` : ''}`,
  );
  const fidelity: Record<string, Record<Mode, Fidelity | { error: string }>> = {};
  const cells: Record<string, CellResult> = {};
  try {
    for (const arm of arms) {
      fidelity[arm.name] = {} as Record<Mode, Fidelity>;
      for (const mode of ['sse', 'json'] as Mode[]) {
        fidelity[arm.name]![mode] = await checkFidelity(target(arm, mode, request), mockUrl).catch((e: Error) => ({
          error: e.message,
        }));
      }
      log(`fidelity ${arm.name.padEnd(8)} ${JSON.stringify(fidelity[arm.name])}`);
    }
    // JIT warm-up of every arm in both modes before anything is timed.
    for (const mode of MODES) await runCell(arms, request, 8, mode, WARMUP_SECONDS).catch(() => undefined);
    for (const concurrency of CONCURRENCY) {
      for (const mode of MODES) {
        const name = `c${concurrency}_${mode}`;
        const cell = await runCell(arms, request, concurrency, mode);
        cells[name] = cell;
        for (const [arm, c] of Object.entries(cell.arms)) log(line(name, arm, c));
        if (cell.budget) log(`${name.padEnd(8)} budget ${JSON.stringify(cell.budget)}`);
        log(`${name.padEnd(8)} cpu steal ${cell.cpu_steal_share ?? 'unknown'}`);
      }
    }
  } finally {
    const peaks: Record<string, number> = {};
    for (const arm of arms) if (arm.process) peaks[arm.name] = procStats(arm.process.pid).peakRssMb;
    const mockPeak = procStats(mock.pid).peakRssMb;
    const reports: Record<string, string> = {};
    for (const arm of arms) {
      try {
        if (arm.report) reports[arm.name] = arm.report();
      } catch (e) {
        reports[arm.name] = `report failed: ${(e as Error).message.slice(0, 500)}`;
      }
    }
    await Promise.all(arms.map((a) => a.stop()));
    await mock.stop();
    const budgets = Object.fromEntries(Object.entries(cells).flatMap(([k, c]) => (c.budget ? [[k, c.budget]] : [])));
    const stewardRan = arms.some((a) => a.name === 'steward');
    const stewardFidelity = fidelity.steward ? Object.values(fidelity.steward).every((f) => 'ok' in f && f.ok) : null;
    const summary = {
      bench: 'gateway',
      request: {
        path: request.path,
        body_bytes: { sse: request.body.sse.length, json: request.body.json.length },
        headers: Object.keys(request.headers),
      },
      method:
        'closed-loop keep-alive clients; arms interleaved in rotating slices; added pN = pN(arm) − pN(direct), each ' +
        'pooled over its interleaved slices of the cell; latency to the last byte, SSE first byte separately',
      seconds_per_arm_and_cell: SECONDS,
      slice_ms: SLICE_MS,
      environment: {
        cpus: availableParallelism(),
        node: process.version,
        load_average_before: loadBefore,
        load_average_after: loadavg().map(round1),
        // Over the whole run; each cell has its own. Runs with steal are not comparable with quiet ones.
        cpu_steal_share: stealShare(machineBefore, cpuTimes()),
        topology:
          'separate processes: load generator (this one), mock upstream, and one per proxy arm; all share 2 cores',
      },
      arms: arms.map((a) => a.name),
      skipped,
      peer_versions: versions,
      peak_rss_mb: { ...peaks, mock_upstream: mockPeak },
      fidelity,
      arm_reports: reports,
      cells,
      budgets,
      steward_ran: stewardRan,
      // DESIGN §9 / issue 5: the body reaches the upstream byte-identical, with ?beta=true and the headers.
      steward_fidelity_pass: stewardFidelity,
      pass:
        stewardRan && Object.keys(budgets).length > 0
          ? Object.values(budgets).every((b) => b.pass) && stewardFidelity === true
          : null,
    };
    process.stdout.write(JSON.stringify(summary) + '\n');
  }
}

await main();
