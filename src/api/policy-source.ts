import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../contracts/detection.js';
import { compileOrganisationPatterns } from '../detect/organisation.js';
import { scan } from '../detect/scan.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { formatProblem, loadPolicy } from '../policy/load.js';
import { activePolicyVersion, type PolicyVersionRow } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { packageRoot } from '../version.js';

/**
 * Where policy text comes from. src/policy is pure, so reading the shipped default (policies/default.yaml) and the
 * stored versions happens here, for the API, the CLI and the enforcement points alike; and the detectors configured
 * with a policy's organisation patterns, for the callers that scan before they evaluate.
 */
export interface PolicyText {
  text: string;
  /** Recorded with every decision: `v3` for a stored version, `default:<sha256 prefix>` for the shipped default. */
  version: string;
}

export const DEFAULT_POLICY_FILE = 'policies/default.yaml';

let cachedDefault: { text: PolicyText; policy: CompiledPolicy } | null = null;

function loadDefault(): { text: PolicyText; policy: CompiledPolicy } {
  if (cachedDefault) return cachedDefault;
  const text = readFileSync(join(packageRoot(), DEFAULT_POLICY_FILE), 'utf8');
  const version = `default:${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  const loaded = loadPolicy(text, { file: DEFAULT_POLICY_FILE, version });
  if (!loaded.ok) {
    throw new Error(`the shipped default policy does not load: ${loaded.errors.map(formatProblem).join('; ')}`);
  }
  cachedDefault = { text: { text, version }, policy: loaded.policy };
  return cachedDefault;
}

/** The shipped default policy's text and version (read once). */
export function defaultPolicyText(): PolicyText {
  return loadDefault().text;
}

/** The shipped default policy, compiled (once). */
export function defaultPolicy(): CompiledPolicy {
  return loadDefault().policy;
}

export function storedVersionLabel(row: Pick<PolicyVersionRow, 'version'>): string {
  return `v${row.version}`;
}

export interface PolicyInForce {
  policy: CompiledPolicy;
  /** The stored version in force, or null while the shipped default is. */
  row: PolicyVersionRow | null;
}

const compiled = new Map<string, CompiledPolicy>();

/** The organisation's active version, or the shipped default while none is active. */
export async function policyInForce(store: Store): Promise<PolicyInForce> {
  const row = await activePolicyVersion(store.db);
  if (!row) return { policy: defaultPolicy(), row: null };
  return { policy: compileStored(row), row };
}

/** A stored version compiled (cached by id and digest); throws when the stored text no longer loads. */
export function compileStored(row: PolicyVersionRow): CompiledPolicy {
  const key = `${row.id}:${row.sha256}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const r = loadPolicy(row.yaml, { file: `policy ${storedVersionLabel(row)}`, version: storedVersionLabel(row) });
  if (!r.ok) throw new Error(r.errors.map(formatProblem).join('; '));
  if (compiled.size > 64) compiled.clear();
  compiled.set(key, r.policy);
  return r.policy;
}

/** The detectors with the policy's organisation dictionaries and patterns (checked for linear time by the loader). */
export function scannerFor(policy: CompiledPolicy): (text: string) => Finding[] {
  const compiledOrg = policy.organisation ? compileOrganisationPatterns(policy.organisation) : undefined;
  if (compiledOrg && 'error' in compiledOrg) throw new Error(`organisation: ${compiledOrg.error}`);
  const options = compiledOrg ? { organisation: compiledOrg } : {};
  return (text) => scan(text, options);
}
