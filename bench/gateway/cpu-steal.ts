/**
 * How much of the machine's CPU the hypervisor took during a stretch of the benchmark ("steal", the eighth figure of
 * the `cpu` line of /proc/stat, proc(5)). On a shared virtual machine steal comes in bursts that stretch every arm's
 * tail latency far beyond what any hop adds (seen here: 18% steal over a run, the direct arm's c=1 p99 at 11 ms
 * against ~0.5 ms on a quiet machine), so each cell reports it beside its figures, and a run's latency budget is only
 * comparable with another run's when both were quiet. Null where /proc/stat is not readable (not Linux).
 */
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  steal: number;
  total: number;
}

export function cpuTimes(): CpuTimes | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user already)
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return null;
    return { steal: f[7] as number, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Share of the CPU time between two readings that was stolen (0–1, three decimals). */
export function stealShare(before: CpuTimes | null, after: CpuTimes | null): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return Math.round(((after.steal - before.steal) / (after.total - before.total)) * 1000) / 1000;
}
