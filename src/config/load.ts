import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { configSchema, type Config } from './schema.js';

/**
 * Loads the configuration: file < environment (STEWARD_*) < flags. Only `main.ts` and the CLI call this;
 * every other module receives the frozen result.
 */
export interface ConfigSources {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  flags?: Record<string, unknown>;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const fromFile = sources.file ? readConfigFile(sources.file) : {};
  const fromEnv = configFromEnv(sources.env ?? {});
  const merged = deepMerge(deepMerge(fromFile, fromEnv), dropUndefined(sources.flags ?? {}));
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw configError(parsed.error);
  return deepFreeze(parsed.data);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('config_invalid', `cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error('top level must be a JSON object');
    }
    return value as Record<string, unknown>;
  } catch (err) {
    throw new AppError('config_invalid', `config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Maps `STEWARD_INGEST_MAX_QUEUE_EVENTS` → `ingest.maxQueueEvents`, guided by the schema's own keys. */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const index = envIndex();
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('STEWARD_') || raw === undefined) continue;
    // STEWARD_HOOK_* configure the `steward hook` client (server URL, token, cache), not the server; Claude Code
    // passes its environment to hooks, so a person's shell may well carry them.
    if (name.startsWith('STEWARD_HOOK_')) continue;
    // STEWARD_GATEWAY_KEY is a person's gateway key for `steward gateway-key` (Claude Code's apiKeyHelper).
    if (name === 'STEWARD_GATEWAY_KEY') continue;
    const target = index.get(name);
    if (!target) {
      throw new AppError('config_invalid', `unknown environment variable ${name} (no such configuration key)`);
    }
    setPath(out, target.path, target.numeric ? coerceNumber(name, raw) : target.json ? parseJsonEnv(name, raw) : raw);
  }
  return out;
}

interface EnvTarget {
  path: string[];
  numeric: boolean;
  /** Booleans, lists and maps (e.g. gateway.prices) are given as JSON text in the environment (`false`, `[…]`). */
  json: boolean;
}

let cachedIndex: Map<string, EnvTarget> | undefined;
function envIndex(): Map<string, EnvTarget> {
  if (cachedIndex) return cachedIndex;
  const index = new Map<string, EnvTarget>();
  for (const leaf of configLeaves()) {
    index.set(envName(leaf.path), {
      path: leaf.path,
      numeric: leaf.type === 'number',
      json: leaf.type === 'boolean' || leaf.type === 'array' || leaf.type === 'object',
    });
  }
  cachedIndex = index;
  return index;
}

export interface ConfigLeaf {
  path: string[];
  type: string;
  description: string;
  defaultValue: unknown;
}

/** Walks the schema (used for env mapping and for the generated docs). */
export function configLeaves(): ConfigLeaf[] {
  const leaves: ConfigLeaf[] = [];
  const json = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchemaNode;
  walk(json, [], leaves);
  return leaves;
}

interface JsonSchemaNode {
  type?: string;
  properties?: Record<string, JsonSchemaNode>;
  description?: string;
  default?: unknown;
  enum?: unknown[];
}

function walk(node: JsonSchemaNode, path: string[], leaves: ConfigLeaf[]): void {
  if (node.type === 'object' && node.properties) {
    for (const [key, child] of Object.entries(node.properties)) walk(child, [...path, key], leaves);
    return;
  }
  const type = node.enum ? node.enum.map((v) => JSON.stringify(v)).join(' | ') : (node.type ?? 'string');
  leaves.push({
    path,
    type: node.type === 'integer' ? 'number' : type,
    description: node.description ?? '',
    defaultValue: node.default,
  });
}

export function envName(path: string[]): string {
  return 'STEWARD_' + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

function parseJsonEnv(name: string, raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new AppError('config_invalid', `${name} must be JSON: ${(err as Error).message}`);
  }
}

function coerceNumber(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) {
    throw new AppError('config_invalid', `${name} must be a number, got "${raw}"`);
  }
  return n;
}

function configError(error: z.ZodError): AppError {
  const issues = error.issues.map((i) => {
    const where = i.path.length ? i.path.join('.') : '(root)';
    if (i.code === 'unrecognized_keys') return `${where}: unknown key(s) ${i.keys.join(', ')}`;
    return `${where}: ${i.message}`;
  });
  return new AppError('config_invalid', `invalid configuration: ${issues.join('; ')}`, { issues });
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = (node[key] ??= {}) as Record<string, unknown>;
    node = next;
  }
  node[path[path.length - 1] as string] = value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function deepFreeze<T>(value: T): T {
  if (isPlainObject(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
