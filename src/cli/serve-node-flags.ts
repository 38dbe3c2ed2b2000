/**
 * V8 options the server runs with: `npm start` and bin/steward.js's shebang carry them, and the benchmarks launch
 * the server with the same ones (serve-node-flags.test.ts keeps the three in step).
 *
 * `--max-semi-space-size=8` (MB; V8's default on 64-bit is 16): every isolate's young generation (main thread,
 * decode workers, the SQLite writer) is at most 3 × 8 MB instead of 48. The main thread allocates little per
 * request, yet V8 had grown its young generation to the full 48 MB under ingest — 75 MB committed for 35 MB live.
 * Measured under `npm run bench:ingest`: main heap 75 → 41 MB committed, decode worker 44 → 24 MB, server peak
 * RSS ~300–340 MB → ~275–290 MB. It is a process-wide V8 option: it cannot be set once Node has started
 * (v8.setFlagsFromString of GC options after start-up crashes V8), and it overrides a worker's resourceLimits.
 */
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
