import type { Store } from '../store/store.js';

/**
 * Tier reads shared between reports while the tiers stay as they are. Block rows only change when the refresher
 * moves its cursor (or a merge or reset rewrites them), so a read of the same blocks with the same query under the
 * same `tierVersion` returns the same rows: dashboards opened again and again between two refreshes read each tier
 * query once. Only stored tier rows and tier dictionaries are cached — rows past the cursor, partial days, sessions
 * and people are read by every report. Callers must not mutate what they get (they copy before merging).
 */
/**
 * Reads kept per store before all are dropped: a window's reports make about 5–15 tier reads, some of them megabytes
 * (a 90-day value figure holds every person of every value), so a few dozen windows' worth keeps memory bounded.
 */
const MAX_ENTRIES = 64;

interface Entries {
  version: string;
  reads: Map<string, Promise<unknown>>;
}

const caches = new WeakMap<Store, Entries>();

export interface VersionedSnapshot {
  store: Store;
  /** `tierVersion` read in the snapshot. */
  version: string;
}

/** `read()`, or the same read made earlier under the same tier version (`what` names the query and its arguments). */
export function tierRead<T>(s: VersionedSnapshot, what: unknown, read: () => Promise<T>): Promise<T> {
  let c = caches.get(s.store);
  if (!c || c.version !== s.version) caches.set(s.store, (c = { version: s.version, reads: new Map() }));
  const key = JSON.stringify(what);
  const hit = c.reads.get(key) as Promise<T> | undefined;
  // A read that failed in another report's transaction (a dropped connection) is made again in this one.
  if (hit) return hit.catch(read);
  if (c.reads.size >= MAX_ENTRIES) c.reads.clear();
  const p = read();
  const reads = c.reads;
  reads.set(key, p);
  p.catch(() => {
    if (reads.get(key) === p) reads.delete(key);
  });
  return p;
}
