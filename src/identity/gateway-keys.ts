import { randomBytes, randomUUID } from 'node:crypto';
import {
  findGatewayKeyByHash,
  insertGatewayKey,
  listGatewayKeys,
  revokeGatewayKey,
  touchGatewayKey,
} from '../store/gateway-keys.repo.js';
import type { Store } from '../store/store.js';
import { hashToken } from './api-tokens.js';

/**
 * Gateway keys (issue 5 "Identity"): what Claude Code, SDKs and internal apps present to `/gateway/anthropic` in
 * place of an Anthropic key (`x-api-key` or `Authorization: Bearer`; apiKeyHelper sends both). Each binds to one
 * person (by email), agent or application, so every request is metered and budgeted to its subject.
 *
 * `stw_gw_<32 random bytes, base64url>`; only a SHA-256 is stored, as with API tokens (identity/api-tokens.ts).
 * The two kinds never stand in for each other: a gateway key opens only the gateway (the REST token check's pattern
 * does not accept it) and an admin/ingest token is not a gateway key (this pattern does not accept it), so leaking
 * an agent's gateway key cannot read the organisation's data, and a telemetry token cannot spend model budget.
 */
export const gatewayKeyKinds = ['person', 'agent', 'app'] as const;
export type GatewayKeyKind = (typeof gatewayKeyKinds)[number];

const KEY_RE = /^stw_gw_[A-Za-z0-9_-]{43}$/;
const CACHE_TTL_MS = 5_000;
const ORG = 'default';

export interface GatewayPrincipal {
  id: string;
  kind: GatewayKeyKind;
  /** Email (lower-case) for a person, the agent or application name otherwise. */
  subject: string;
  name: string;
}

export interface GatewayKeyInfo extends GatewayPrincipal {
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Emails are lower-cased, as identity resolution stores them (ARCHITECTURE "Identity"). */
export function gatewaySubject(kind: GatewayKeyKind, value: string): string {
  const v = value.trim();
  if (v === '') throw new Error(`a ${kind} gateway key needs a non-empty ${kind === 'person' ? 'email' : 'name'}`);
  if (kind === 'person') {
    if (!/^[^\s@]+@[^\s@]+$/.test(v)) throw new Error(`--person must be an email address, got "${value}"`);
    return v.toLowerCase();
  }
  if (v.length > 200) throw new Error(`a ${kind} name must be at most 200 characters`);
  return v;
}

export async function createGatewayKey(
  store: Store,
  kind: GatewayKeyKind,
  subject: string,
  name?: string,
  now = Date.now(),
): Promise<{ id: string; key: string; principal: GatewayPrincipal }> {
  const normalised = gatewaySubject(kind, subject);
  const key = `stw_gw_${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  const label = name ?? `${kind} ${normalised}`;
  await insertGatewayKey(store.db, {
    id,
    org_id: ORG,
    kind,
    subject: normalised,
    name: label,
    key_hash: hashToken(key),
    prefix: key.slice(0, 13),
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  });
  return { id, key, principal: { id, kind, subject: normalised, name: label } };
}

export async function listGatewayKeyInfo(store: Store): Promise<GatewayKeyInfo[]> {
  return (await listGatewayKeys(store.db)).map((r) => ({
    id: r.id,
    kind: r.kind as GatewayKeyKind,
    subject: r.subject,
    name: r.name,
    prefix: r.prefix,
    created_at: r.created_at,
    last_used_at: r.last_used_at,
    revoked_at: r.revoked_at,
  }));
}

export async function revokeGatewayKeyById(store: Store, id: string): Promise<boolean> {
  return revokeGatewayKey(store.db, id, Date.now());
}

/**
 * Verifies presented keys, cached for a few seconds (the gateway sees a request per model turn; a revocation takes
 * effect within CACHE_TTL_MS, as for API tokens). Unknown keys are cached too, so a client retrying with a bad key
 * costs no query per attempt.
 */
export class GatewayKeyVerifier {
  private readonly cache = new Map<string, { at: number; value: GatewayPrincipal | null }>();
  private readonly lastTouched = new Map<string, number>();
  private readonly hourOfUse = new Map<string, number>();

  /**
   * `onFirstUseInHour`: told of each key's first accepted request in each UTC hour (the audit vault's
   * `gateway_key.use`, issue 7 "token use"); one Map lookup per request.
   */
  constructor(
    private readonly store: Store,
    private readonly onFirstUseInHour?: (principal: GatewayPrincipal, now: number) => void,
  ) {}

  async verify(key: string, now = Date.now()): Promise<GatewayPrincipal | null> {
    // Cached by the presented key itself (in memory only, like the request that carried it), so a hit costs no hash.
    const hit = this.cache.get(key);
    if (hit && now - hit.at < CACHE_TTL_MS) {
      if (hit.value) this.used(hit.value, now);
      return hit.value;
    }
    if (!KEY_RE.test(key)) return null;
    const row = await findGatewayKeyByHash(this.store.db, hashToken(key));
    const value: GatewayPrincipal | null =
      row && row.revoked_at === null
        ? { id: row.id, kind: row.kind as GatewayKeyKind, subject: row.subject, name: row.name }
        : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { at: now, value });
    if (value && now - (this.lastTouched.get(value.id) ?? 0) > 60_000) {
      this.lastTouched.set(value.id, now);
      // Bookkeeping only: a failed touch must not fail the request.
      touchGatewayKey(this.store.db, value.id, now).catch(() => undefined);
    }
    if (value) this.used(value, now);
    return value;
  }

  private used(principal: GatewayPrincipal, now: number): void {
    if (!this.onFirstUseInHour) return;
    const hour = Math.floor(now / 3_600_000);
    if (this.hourOfUse.get(principal.id) === hour) return;
    if (this.hourOfUse.size > 10_000) this.hourOfUse.clear();
    this.hourOfUse.set(principal.id, hour);
    this.onFirstUseInHour(principal, now);
  }

  clear(): void {
    this.cache.clear();
  }
}
