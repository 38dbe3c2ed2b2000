import type { Store } from '../store/store.js';
import { getMeta, setMeta } from '../store/api-tokens.repo.js';
import { createApiToken, type CreatedToken } from './api-tokens.js';

/**
 * First start: create one admin token (to log in / call the API) and one ingest token (for telemetry sources).
 * They are returned once for printing; only their hashes are stored. Later starts create nothing.
 */
export interface BootstrapResult {
  admin: CreatedToken;
  ingest: CreatedToken;
}

const MARKER = 'bootstrapped_at';

export async function bootstrapOnce(store: Store): Promise<BootstrapResult | null> {
  if (await getMeta(store.db, MARKER)) return null;
  const admin = await createApiToken(store, 'admin', 'bootstrap admin');
  const ingest = await createApiToken(store, 'ingest', 'default ingest');
  await setMeta(store.db, MARKER, new Date().toISOString());
  return { admin, ingest };
}
