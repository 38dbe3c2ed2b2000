import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import {
  findApiTokenByHash,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
  touchApiToken,
} from '../store/api-tokens.repo.js';
import type { Role } from './roles.js';

/**
 * API tokens: `stw_<role>_<32 random bytes, base64url>`. Only a SHA-256 hash is stored (a high-entropy random
 * token needs no slow KDF), the plaintext is shown once at creation, and the 12-character prefix identifies it
 * in listings. Verification results are cached for a few seconds so OTLP ingest at thousands of requests/s does
 * not hit the database per request; revocation therefore takes effect within CACHE_TTL_MS.
 */
const CACHE_TTL_MS = 5_000;
const TOKEN_RE = /^stw_(admin|analyst|ingest)_[A-Za-z0-9_-]{43}$/;

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface CreatedToken {
  id: string;
  token: string;
  role: Role;
  name: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createApiToken(store: Store, role: Role, name: string, now = Date.now()): Promise<CreatedToken> {
  const token = `stw_${role}_${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  await insertApiToken(store.db, {
    id,
    name,
    role,
    token_hash: hashToken(token),
    prefix: token.slice(0, 4 + role.length + 1 + 6),
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  });
  return { id, token, role, name };
}

export async function listTokens(store: Store): Promise<TokenInfo[]> {
  const rows = await listApiTokens(store.db);
  return rows.map(({ token_hash: _hash, ...rest }) => ({ ...rest, role: rest.role as Role }));
}

export async function revokeToken(store: Store, id: string, verifier?: TokenVerifier): Promise<boolean> {
  const done = await revokeApiToken(store.db, id, Date.now());
  verifier?.clear();
  return done;
}

export interface VerifiedToken {
  id: string;
  role: Role;
  name: string;
}

export class TokenVerifier {
  private readonly cache = new Map<string, { at: number; value: VerifiedToken | null }>();
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly store: Store) {}

  async verify(token: string): Promise<VerifiedToken | null> {
    if (!TOKEN_RE.test(token)) return null;
    const hash = hashToken(token);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.value;
    const row = await findApiTokenByHash(this.store.db, hash);
    const value = row && row.revoked_at === null ? { id: row.id, role: row.role as Role, name: row.name } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { at: now, value });
    if (value && now - (this.lastTouched.get(value.id) ?? 0) > 60_000) {
      this.lastTouched.set(value.id, now);
      await touchApiToken(this.store.db, value.id, now);
    }
    return value;
  }

  clear(): void {
    this.cache.clear();
  }
}
