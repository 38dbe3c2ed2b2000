/**
 * V8 options the server runs with: `npm start` and bin/steward.js's shebang carry them, and the benchmarks launch
 * the server with the same ones (serve-node-flags.test.ts keeps the three in step). GC options are process-wide and
 * must be given at launch: set with v8.setFlagsFromString after start-up they crash V8, and they override a worker's
 * `resourceLimits`.
 *
 * - `--max-semi-space-size=8` (MB; V8's default on 64-bit is 16): every isolate's young generation (main thread,
 *   decode workers, the SQLite writer) is at most 3 × 8 MB instead of 48. The main thread allocates little per
 *   request, yet V8 had grown its young generation to the full 48 MB under ingest: 75 MB committed for 35 MB live.
 *   Now ~41 MB; the decode worker 44 → 24 MB.
 * - `--heap-growing-percent=50`: after a full collection an isolate may grow to 1.5 × its live size before the next
 *   (V8 otherwise picks up to 4 ×). The writer thread, which parses each group's rows and holds them through the
 *   commit, had grown to ~89 MB committed for ~20 MB live between full collections.
 *
 * - `--single-threaded-gc`: each isolate collects its own garbage on its own thread. On two cores, V8's GC helper
 *   threads competed with the decode worker and the writer for CPU (~15% of the server's CPU under ingest) and
 *   cost more in coordination than they saved.
 * - `--no-allocation-site-pretenuring`: V8 may decide, at a scavenge, that what a site in the code allocates lives
 *   long (≥ 85% of a sample still alive), and from then on allocate it straight in the old generation. It never
 *   reconsiders (no sample is taken once objects skip the young generation). A gateway request's objects die within
 *   the request, yet `--trace-pretenuring-statistics` showed four sites with 86–100% of their sampled objects alive
 *   at the first scavenge under load (why then was not traced; the server had just started taking requests), and
 *   V8 switched them to "tenure". In such a run every later request's objects from those sites went to the old
 *   generation, a full collection came every 0.6–1.4 s (a 4–8 ms pause each, and ~40 ms of marking), and the c=1
 *   added p99 was 1.4–2.2 ms instead of 0.8–1.0. It happened in about half of the runs; with this option in none of
 *   ten. Ingest is not slowed (bench:ingest, alternating runs: JSON 41.2k/40.8k events/s without, 38.7k/42.1k with; protobuf
 *   36.0k/36.1k and 37.6k/36.7k): its batches travel as text, which pretenuring never applied to.
 *
 * Measured under `npm run bench:ingest`, alternating runs on the same machine (events/s JSON–protobuf, server peak
 * RSS): no options ~45–52k, 300–340 MB; the semi-space alone 47–56k, 268–304 MB; semi-space and growing factor
 * 52–55k, 256–273 MB; all three 55–63k, 256–273 MB. The cost of the third: full collections of the main thread
 * stop the world instead of marking concurrently. `npm run bench:gateway` (Steward and the bare proxy, same run
 * each): added p99 at c=1 0.8–0.9 ms and at c=16 5.3–6.1 ms either way; c=64 JSON 15.9 → 21.2 ms in one run each.
 */
export const SERVE_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=8',
  '--heap-growing-percent=50',
  '--single-threaded-gc',
  '--no-allocation-site-pretenuring',
];
