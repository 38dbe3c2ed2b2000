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
];
