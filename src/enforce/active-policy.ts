import { activePolicyVersion } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { engineFromText, type PolicyEngine } from './policy-engine.js';

/**
 * The policy enforcement points decide with: the organisation's active stored version, or Steward's default policy
 * while none is active. Re-read at most every `refreshMs`, in the background (a verdict never waits for the store once
 * a policy is loaded), and compiled only when the version changes. A store that cannot be read, or a stored text that
 * no longer compiles, leaves the last good policy in force: enforcement never drops to "no policy".
 */
export interface LoadedPolicy {
  engine: PolicyEngine;
  /** The policy text as stored (served to command hooks for their local copy). */
  text: string;
  version: string;
}

export interface PolicyText {
  text: string;
  version: string;
}

export class ActivePolicy {
  private loaded: (LoadedPolicy & { key: string }) | null = null;
  private checkedAt = 0;
  private pending: Promise<LoadedPolicy> | null = null;

  constructor(
    private readonly store: Store,
    private readonly refreshMs: number,
    private readonly fallback: () => PolicyText,
    private readonly onError: (err: unknown) => void,
  ) {}

  async get(now = Date.now()): Promise<LoadedPolicy> {
    const current = this.loaded;
    if (current && now - this.checkedAt < this.refreshMs) return current;
    this.pending ??= this.reload(now).finally(() => (this.pending = null));
    return current ?? this.pending;
  }

  /** Reads the store now (tests, and right after an activation through the API). */
  async refresh(now = Date.now()): Promise<LoadedPolicy> {
    await this.pending;
    return this.reload(now);
  }

  private async reload(now: number): Promise<LoadedPolicy> {
    let source: PolicyText & { key: string };
    try {
      const row = await activePolicyVersion(this.store.db);
      source = row
        ? { text: row.yaml, version: `v${row.version}`, key: `${row.id}:${row.sha256}` }
        : { ...this.fallback(), key: 'default' };
    } catch (err) {
      this.onError(err);
      if (this.loaded) return this.loaded;
      source = { ...this.fallback(), key: 'default' };
    }
    this.checkedAt = now;
    if (this.loaded?.key === source.key) return this.loaded;
    try {
      const engine = engineFromText(source.text, source.version);
      this.loaded = { engine, text: source.text, version: source.version, key: source.key };
    } catch (err) {
      this.onError(err);
      if (!this.loaded) {
        const d = this.fallback();
        this.loaded = { engine: engineFromText(d.text, d.version), ...d, key: 'default' };
      }
    }
    return this.loaded;
  }
}
