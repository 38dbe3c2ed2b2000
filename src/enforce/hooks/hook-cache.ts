import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { decidedEvents, type DecidedEvent } from './hook-events.js';

/**
 * The command hook's copy of the active policy, so `steward hook` still decides when the server cannot be reached
 * (a laptop offline, Steward restarting). Written atomically (temp file + rename) with owner-only permissions: a
 * policy can name customers and code names. The file belongs to one server URL; a copy fetched from another server is
 * ignored. Read with JSON.parse only: this module is on the hook's fast path, which loads nothing heavy.
 */
export interface HookPolicySnapshot {
  /** Policy version as the server names it (`x-steward-policy-version`). */
  version: string;
  /** The policy's stance per event when nothing can decide; `unreadable` = input whose event cannot be read. */
  failure: Record<DecidedEvent | 'unreadable', 'open' | 'closed'>;
  /** The policy document (as stored: YAML or JSON text), compiled locally only when needed. */
  source: string;
  /** The server's enforcement settings that shape answers (enforce.*). */
  settings: { mode: 'enforce' | 'shadow'; promptRedact: 'warn' | 'deny'; preToolUseAllow: 'defer' | 'grant' };
}

export interface HookCacheFile {
  format: 1;
  server: string;
  fetchedAt: number;
  policy: HookPolicySnapshot;
}

/** `STEWARD_HOOK_CACHE`, else `$XDG_CACHE_HOME/steward/hook-policy.json`, else `~/.cache/steward/hook-policy.json`. */
export function defaultCachePath(env: NodeJS.ProcessEnv): string {
  if (env.STEWARD_HOOK_CACHE) return env.STEWARD_HOOK_CACHE;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'steward', 'hook-policy.json');
}

export function readHookCache(path: string, server: string | null): HookCacheFile | null {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null; // missing or unreadable: as if there were none
  }
  if (!isCacheFile(value)) return null;
  if (server !== null && value.server !== normaliseServer(server)) return null;
  return value;
}

export function writeHookCache(path: string, server: string, policy: HookPolicySnapshot, now = Date.now()): void {
  const file: HookCacheFile = { format: 1, server: normaliseServer(server), fetchedAt: now, policy };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file), { mode: 0o600 });
  renameSync(tmp, path);
}

export function normaliseServer(server: string): string {
  return server.replace(/\/+$/, '');
}

export function isPolicySnapshot(v: unknown): v is HookPolicySnapshot {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  const s = p.settings as Record<string, unknown> | undefined;
  const f = p.failure as Record<string, unknown> | undefined;
  const stance = (v: unknown) => v === 'open' || v === 'closed';
  return (
    typeof p.version === 'string' &&
    typeof f === 'object' &&
    f !== null &&
    [...decidedEvents, 'unreadable'].every((e) => stance(f[e])) &&
    typeof p.source === 'string' &&
    typeof s === 'object' &&
    s !== null &&
    (s.mode === 'enforce' || s.mode === 'shadow') &&
    (s.promptRedact === 'warn' || s.promptRedact === 'deny') &&
    (s.preToolUseAllow === 'defer' || s.preToolUseAllow === 'grant')
  );
}

function isCacheFile(v: unknown): v is HookCacheFile {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return (
    f.format === 1 && typeof f.server === 'string' && typeof f.fetchedAt === 'number' && isPolicySnapshot(f.policy)
  );
}
