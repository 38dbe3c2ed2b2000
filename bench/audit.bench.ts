/**
 * `npm run bench:audit` — the audit vault against its budgets (DESIGN §9: ≥ 50,000 appends/s; inclusion proof
 * ≤ 1 ms; 1M entries verified ≤ 10 s), each next to its ceiling measured in the same run:
 *   appends      entries appended in batches of BATCH (canonical JSON → leaf hash → frontier → INSERT with the
 *                stored subtree hashes → state row), into SQLite, building a log of ENTRIES entries;
 *                ceiling: raw SHA-256 of the same leaf bytes (what no Merkle log can beat).
 *   proofs       inclusion proofs of random entries in the full tree, from the store (one query + assembly);
 *                baseline: one primary-key lookup of a row's leaf hash (the least a proof can cost).
 *   verify       `steward audit check` over the whole store (every entry re-hashed, columns, stored hashes,
 *                checkpoint root) and `steward audit verify` of a bundle of the whole log (streamed from disk);
 *                ceiling: raw SHA-256 of the leaf bytes plus the tree hashing, in memory.
 * A PostgreSQL append run (APPEND_PG entries) is reported too, for information. Last stdout line: one JSON object.
 * Env: BENCH_AUDIT_ENTRIES (default 1,000,000), BENCH_AUDIT_PG (default 100,000; 0 skips).
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
import { openAuditService } from '../src/audit/audit-service.js';
import { verifyBundle } from '../src/audit/bundle-verify.js';
import { canonicalJson } from '../src/audit/canonical-json.js';
import { Frontier, hashLeaf } from '../src/audit/merkle.js';
import { appendEntries } from '../src/audit/vault-append.js';
import { exportBundle } from '../src/audit/vault-export.js';
import { inclusionProof } from '../src/audit/vault-proofs.js';
import { checkStore } from '../src/audit/vault-verify.js';
import { loadConfig } from '../src/config/load.js';
import type { AuditEntryInput } from '../src/contracts/audit.js';
import { searchAuditEntries } from '../src/store/audit.repo.js';
import { openStore, type Store } from '../src/store/store.js';
import { dropSchema, PG_URL, uniqueSchema } from '../test/support/engines.js';

const ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000);
const APPEND_PG = Number(process.env.BENCH_AUDIT_PG ?? 100_000);
const BATCH = 5000;
const PROOFS = 2000;
const BUDGET = { appendsPerSec: 50_000, proofP99Ms: 1, verifyMillionS: 10 };

const ACTIONS = ['keys.create', 'policy.version.publish', 'decision.deny', 'governance.object.update', 'auth.login'];

/** Entries shaped like what Steward records: an admin action over REST, with a route, status and a small change. */
function entry(i: number): AuditEntryInput {
  return {
    time: 1_795_000_000_000 + i * 3,
    actor: { kind: 'token', id: `tok_${(i * 7) % 40}`, name: `ops-${(i * 7) % 40}@example.com`, role: 'admin' },
    action: ACTIONS[i % ACTIONS.length] as string,
    subject: { kind: 'connector', id: `conn-${i % 997}` },
    source: { ip: `10.0.${(i >> 8) & 255}.${i & 255}`, userAgent: 'Mozilla/5.0 (Macintosh) Steward console' },
    outcome: i % 50 === 0 ? 'failure' : 'success',
    after: { status: i % 3 === 0 ? 'approved' : 'requested', owner: 'it-platform' },
    details: { status: 200, route: 'PATCH /api/v1/governance/connectors/{id}' },
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** Milliseconds one call takes (the median of five). */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await fn();
    runs.push(performance.now() - t);
  }
  return r3(runs.sort((a, b) => a - b)[2] as number);
}

/** Appends n entries in batches; only the appends are timed (recorders build their entries before appending). */
async function appendRun(store: Store, n: number): Promise<{ perSec: number; seconds: number }> {
  let ms = 0;
  for (let at = 0; at < n; at += BATCH) {
    const batch: AuditEntryInput[] = [];
    for (let i = at; i < Math.min(n, at + BATCH); i++) batch.push(entry(i));
    const started = performance.now();
    await store.db.transaction().execute((trx) => appendEntries(trx, store, batch, Date.now()));
    ms += performance.now() - started;
  }
  const seconds = ms / 1000;
  return { perSec: Math.round(n / seconds), seconds: r3(seconds) };
}

/** The ceiling: SHA-256 of the same leaf bytes (canonicalised beforehand, outside the timing). */
function sha256Ceiling(n: number): { perSec: number; treeSeconds: number } {
  const leaves: string[] = [];
  for (let i = 0; i < n; i++) leaves.push(canonicalJson({ v: 1, ...entry(i) }));
  let t = performance.now();
  for (const l of leaves) createHash('sha256').update(l).digest();
  const rawSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const f = new Frontier();
  for (const l of leaves) f.append(hashLeaf(l));
  f.root();
  const treeSeconds = (performance.now() - t) / 1000;
  return { perSec: Math.round(n / rawSeconds), treeSeconds: r3(treeSeconds) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-audit-'));
  const config = loadConfig({ flags: { dataDir: dir, logLevel: 'silent' } });
  const store = await openStore({ dataDir: dir });
  try {
    const audit = await openAuditService(store, config, (err) => {
      throw err;
    });
    process.stderr.write(`appending ${ENTRIES} entries (SQLite)…\n`);
    const append = await appendRun(store, ENTRIES);
    const ceiling = sha256Ceiling(Math.min(ENTRIES, 200_000));
    process.stderr.write(`appends ${JSON.stringify(append)} ceiling ${JSON.stringify(ceiling)}\n`);
    await audit.checkpoint(true);

    const lat: number[] = [];
    const base: number[] = [];
    const lookup = store.sqlite?.prepare('SELECT leaf_hash FROM audit_entries WHERE idx = ?');
    // Proof latency, not the collection of the garbage building a million entries left behind (run with
    // --expose-gc, as `npm run bench:audit` does), and not the first calls' compilation.
    // Steady state: the background WAL checkpoint of the million appends is done (it would compete for the core).
    store.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
    (globalThis as { gc?: () => void }).gc?.();
    for (let k = 0; k < 200; k++) await inclusionProof(store, Math.floor(Math.random() * ENTRIES), ENTRIES);
    for (let k = 0; k < PROOFS; k++) {
      const i = Math.floor(Math.random() * ENTRIES);
      let t = performance.now();
      await inclusionProof(store, i, ENTRIES);
      lat.push(performance.now() - t);
      t = performance.now();
      lookup?.get(i);
      base.push(performance.now() - t);
    }
    lat.sort((a, b) => a - b);
    base.sort((a, b) => a - b);
    const proofs = {
      p50Ms: r3(pct(lat, 50)),
      p99Ms: r3(pct(lat, 99)),
      baselineRowLookupP50Ms: r3(pct(base, 50)),
      baselineRowLookupP99Ms: r3(pct(base, 99)),
    };
    process.stderr.write(`proofs ${JSON.stringify(proofs)}\n`);

    // Forensic search at this size (no budget; the subject column has no index, see migration 0011).
    const searches = {
      subjectCommonMs: await timed(() => searchAuditEntries(store.db, { subject: 'conn-5', limit: 50 })),
      subjectAbsentMs: await timed(() => searchAuditEntries(store.db, { subject: 'no-such-subject', limit: 50 })),
      actorMs: await timed(() => searchAuditEntries(store.db, { actor: 'tok_3', limit: 50 })),
      actionPrefixMs: await timed(() => searchAuditEntries(store.db, { action: 'decision.*', limit: 50 })),
      timeWindowMs: await timed(() =>
        searchAuditEntries(store.db, { from: 1_795_000_000_000, to: 1_795_000_000_000 + 60_000, limit: 50 }),
      ),
    };
    process.stderr.write(`search ${JSON.stringify(searches)}\n`);

    let t = performance.now();
    const check = await checkStore(store, audit.verifierKeys(), { location: audit.location });
    const checkSeconds = (performance.now() - t) / 1000;
    if (!check.ok) throw new Error(`check failed: ${check.reason}`);
    process.stderr.write(`check ${checkSeconds.toFixed(2)} s\n`);

    const bundle = join(dir, 'all.bundle');
    t = performance.now();
    await exportBundle(audit, createWriteStream(bundle), { fromIndex: 0, toIndex: ENTRIES });
    const exportSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const verdict = await verifyBundle(
      createInterface({ input: createReadStream(bundle), crlfDelay: Infinity }),
      audit.verifierKeys(),
    );
    const verifySeconds = (performance.now() - t) / 1000;
    if (!verdict.ok) throw new Error(`bundle verification failed: ${verdict.reason}`);
    const bundleBytes = statSync(bundle).size;
    process.stderr.write(`bundle export ${exportSeconds.toFixed(2)} s, verify ${verifySeconds.toFixed(2)} s\n`);
    await audit.close();

    let pg: { perSec: number; seconds: number } | null = null;
    if (APPEND_PG > 0) {
      const schema = uniqueSchema();
      const pgStore = await openStore({ dataDir: dir, databaseUrl: PG_URL, pgSchema: schema });
      try {
        pg = await appendRun(pgStore, APPEND_PG);
      } finally {
        await pgStore.close();
        await dropSchema(schema);
      }
      process.stderr.write(`postgres appends ${JSON.stringify(pg)}\n`);
    }

    const scale = 1_000_000 / ENTRIES;
    const result = {
      bench: 'audit',
      entries: ENTRIES,
      appends: {
        sqlitePerSec: append.perSec,
        ceilingSha256PerSec: ceiling.perSec,
        ratioToCeiling: r3(append.perSec / ceiling.perSec),
        postgresPerSec: pg?.perSec ?? null,
        budgetPerSec: BUDGET.appendsPerSec,
        pass: append.perSec >= BUDGET.appendsPerSec,
      },
      search: searches,
      inclusionProof: { ...proofs, budgetP99Ms: BUDGET.proofP99Ms, pass: proofs.p99Ms <= BUDGET.proofP99Ms },
      verify: {
        storeCheckSeconds: r3(checkSeconds),
        bundleVerifySeconds: r3(verifySeconds),
        bundleExportSeconds: r3(exportSeconds),
        bundleBytes,
        ceilingHashAndTreeSeconds: r3(ceiling.treeSeconds * (ENTRIES / Math.min(ENTRIES, 200_000))),
        perMillionSeconds: r3(Math.max(checkSeconds, verifySeconds) * scale),
        budgetSeconds: BUDGET.verifyMillionS,
        pass: Math.max(checkSeconds, verifySeconds) * scale <= BUDGET.verifyMillionS,
      },
      rssMB: Math.round(process.memoryUsage().rss / 1e6),
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
