import { stringify } from 'yaml';
import { compileAup, type AupSource } from '../govern/aup-rules.js';
import type { MachineRule } from '../govern/governance-schemas.js';
import { listObjects } from '../govern/governance-objects.js';
import { loadPolicy } from '../policy/load.js';
import { activePolicyVersion } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { engineFromText, type PolicyEngine } from './policy-engine.js';

/**
 * The policy enforcement points decide with: the organisation's active stored version, or Steward's default policy
 * while none is active. Re-read at most every `refreshMs`, in the background (a verdict never waits for the store once
 * a policy is loaded), and compiled only when the version changes. A store that cannot be read, or a stored text that
 * no longer compiles, leaves the last good policy in force: enforcement never drops to "no policy".
 *
 * The machine rules of the active acceptable-use policies (governance inventory, govern/aup-rules.ts) are appended
 * to the policy's rules; the served text and the version (`v3+aup.<digest>`) include them, so command hooks' local
 * copies and every recorded decision agree with what the server enforces.
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
      source = withAup(source, await activeAup(this.store));
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

async function activeAup(store: Store): Promise<AupSource[]> {
  const policies = await listObjects(store, 'policy', 'active');
  return policies
    .map((p) => ({ id: p.id, name: p.name, rules: (p.fields.rules ?? []) as MachineRule[] }))
    .filter((p) => p.rules.length > 0);
}

/** The policy text with the acceptable-use rules appended (unchanged when there are none or it does not load). */
function withAup(source: PolicyText & { key: string }, aup: AupSource[]): PolicyText & { key: string } {
  if (aup.length === 0) return source;
  const compiled = compileAup(aup);
  if (compiled.rules.length === 0) return source;
  const loaded = loadPolicy(source.text, { version: source.version });
  if (!loaded.ok) return source; // reported when the engine is built from the text itself
  const document = { ...loaded.document, rules: [...(loaded.document.rules ?? []), ...compiled.rules] };
  return {
    text: stringify(document),
    version: `${source.version}+aup.${compiled.digest}`,
    key: `${source.key}|aup:${compiled.digest}`,
  };
}
