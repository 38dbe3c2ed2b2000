import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { AuditEntryInput } from '../contracts/audit.js';
import { getMeta, setMeta } from '../store/api-tokens.repo.js';
import { ensureAuditState, insertCheckpoint, latestCheckpoint, readAuditState } from '../store/audit.repo.js';
import type { Store } from '../store/store.js';
import { openKeyring, rotateKey, signNoteWith, verifierKeyOf, type AuditKeyring } from './audit-keys.js';
import { AuditRecorder } from './audit-recorder.js';
import { formatCheckpoint } from './checkpoint.js';
import { Frontier } from './merkle.js';
import type { StoreLocation } from './vault-verify.js';

/**
 * The vault as the server and the CLI use it: the store, the signing keys, the checkpoint origin and the recorder
 * that batches API-side entries. Proofs, search, verification and bundles are functions over the store
 * (vault-proofs.ts, vault-search.ts, vault-verify.ts, vault-export.ts).
 */
export interface AuditService {
  readonly store: Store;
  readonly origin: string;
  keyring: AuditKeyring;
  readonly recorder: AuditRecorder;
  /** Where the store is: verification opens a second connection there to scan on two threads. */
  readonly location: StoreLocation;
  record(entry: AuditEntryInput): void;
  /** Signs a checkpoint of the current tree unless the latest one already covers it (`force`: sign anyway). */
  checkpoint(force?: boolean): Promise<SignedCheckpoint | null>;
  /** Verifier keys (C2SP note verifier key strings), active first. */
  verifierKeys(): string[];
  rotate(algorithm?: 'ed25519' | 'ecdsa-p256'): string;
  close(): Promise<void>;
}

export interface SignedCheckpoint {
  size: number;
  root: Buffer;
  note: string;
  createdAt: number;
}

const LOG_ID = 'audit.log_id';

/** The checkpoint origin: configured, or `steward/<random id>` kept in the store so it never changes. */
async function originOf(store: Store, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  let id = await getMeta(store.db, LOG_ID);
  if (!id) {
    id = Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex');
    await setMeta(store.db, LOG_ID, id);
    id = (await getMeta(store.db, LOG_ID)) ?? id; // another replica may have won the race
  }
  return `steward/${id}`;
}

export async function openAuditService(
  store: Store,
  config: Config,
  onError: (err: unknown) => void,
): Promise<AuditService> {
  const origin = await originOf(store, config.audit.origin);
  const file = config.audit.keyFile ?? join(config.dataDir, 'audit-signing.keys');
  let keyring = openKeyring(file, origin, config.audit.algorithm);
  await ensureAuditState(store.db, new Frontier().toBuffer(), Date.now());
  const recorder = new AuditRecorder(store, { lingerMs: config.audit.appendLingerMs, onError });
  return {
    store,
    origin,
    get keyring() {
      return keyring;
    },
    recorder,
    location: { dataDir: config.dataDir, databaseUrl: config.databaseUrl },
    record: (entry) => recorder.record(entry),
    async checkpoint(force = false) {
      await recorder.flush();
      const state = await readAuditState(store.db);
      const size = state?.size ?? 0;
      const latest = await latestCheckpoint(store.db);
      if (!force && latest && latest.size >= size) return null;
      const frontier = state ? Frontier.fromBuffer(state.frontier) : new Frontier();
      const root = frontier.root();
      const note = signNoteWith(formatCheckpoint({ origin, size, root }), [keyring.active]);
      const createdAt = Date.now();
      await insertCheckpoint(store.db, {
        size,
        root,
        note,
        signers: JSON.stringify([keyring.active.name]),
        created_at: createdAt,
      });
      return { size, root, note, createdAt };
    },
    verifierKeys: () => keyring.all.map(verifierKeyOf),
    rotate(algorithm) {
      keyring = rotateKey(file, algorithm ?? config.audit.algorithm);
      return verifierKeyOf(keyring.active);
    },
    async close() {
      await recorder.close();
    },
  };
}
