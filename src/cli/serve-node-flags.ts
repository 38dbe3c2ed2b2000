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
 * Measured under `npm run bench:ingest`, alternating runs on the same machine: neither option (server peak RSS
 * ~300–340 MB), the semi-space alone (268–304 MB, 47–56k events/s), both (256–273 MB, 52–55k events/s).
 * `--single-threaded-gc` as well reached 55–63k events/s by sparing GC helper threads on two cores, but makes the
 * main thread's full collections stop the world, which the gateway's latency budget cannot afford.
 */
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=50'];
