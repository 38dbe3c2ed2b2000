import { parentPort, workerData } from 'node:worker_threads';
import { auditRowsInRange } from '../store/audit.repo.js';
import { openStore } from '../store/store.js';
import { scanRange, transferables } from './verify-scan.js';

/**
 * One range of `steward audit check` on its own thread and its own database connection (vault-verify.ts starts
 * it): SQLite in WAL mode and PostgreSQL both serve a second reader alongside the first.
 */
interface ScanData {
  dataDir: string;
  databaseUrl?: string;
  pgSchema?: string;
  from: number;
  size: number;
}

const port = parentPort as NonNullable<typeof parentPort>;
const data = workerData as ScanData;

async function run(): Promise<void> {
  const store = await openStore({
    dataDir: data.dataDir,
    databaseUrl: data.databaseUrl,
    pgSchema: data.pgSchema,
    secondary: true,
  });
  try {
    // The last range reads past the log's end too: a row beyond it is itself a finding.
    const pages = auditRowsInRange(store.db, data.from, Number.MAX_SAFE_INTEGER, 5000, store.sqlite);
    const scan = await scanRange(pages, data.from, data.size, data.size);
    port.postMessage({ ok: true, scan }, transferables(scan));
  } finally {
    await store.close();
  }
}

run().catch((err: unknown) => {
  port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
});
