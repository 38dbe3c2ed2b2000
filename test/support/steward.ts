import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createApiToken } from '../../src/identity/api-tokens.js';
import { startSteward, type Steward } from '../../src/main.js';
import type { Dialect } from '../../src/store/store.js';
import { dropSchema, PG_URL, uniqueSchema } from './engines.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';

/**
 * A real Steward for tests: real HTTP and gRPC listeners on port 0, a real store (SQLite in a temp dir, or
 * PostgreSQL in a throwaway schema), and one token per role.
 */
export interface TestSteward {
  steward: Steward;
  url: string;
  grpcUrl: string;
  grpcPort: number;
  tokens: { admin: string; analyst: string; ingest: string };
  /** fetch against the server with a role's token (or none). */
  api(path: string, init?: RequestInit & { role?: 'admin' | 'analyst' | 'ingest' | null }): Promise<Response>;
  /** GET as an analyst, failing (with the body) unless 200. */
  getJson<T>(path: string): Promise<T>;
  /** POST an OTLP/HTTP body with the ingest token; objects are sent as OTLP/JSON, bytes as protobuf. */
  postOtlp(signal: 'logs' | 'metrics' | 'traces', body: unknown): Promise<Response>;
  /** Sends the real Claude Code captures (JSON and protobuf, all three signals), failing unless each is accepted. */
  sendCaptures(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestSteward(
  opts: {
    dialect?: Dialect;
    config?: Partial<ConfigInput>;
    /** PostgreSQL schema shared with other replicas; the caller creates and drops it (see `dropSchema`). */
    sharedPgSchema?: string;
  } = {},
): Promise<TestSteward> {
  const dialect = opts.dialect ?? 'sqlite';
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-e2e-'));
  const ownSchema = dialect === 'postgres' && opts.sharedPgSchema === undefined;
  const pgSchema = dialect === 'postgres' ? (opts.sharedPgSchema ?? uniqueSchema()) : undefined;
  const config = loadConfig({
    flags: {
      host: '127.0.0.1',
      port: 0,
      grpcPort: 0,
      dataDir,
      logLevel: 'silent',
      ...(dialect === 'postgres' ? { databaseUrl: PG_URL } : {}),
      ...opts.config,
    },
  });
  let steward: Steward;
  try {
    steward = await startSteward(config, {
      logger: pino({ level: 'silent' }),
      ...(pgSchema ? { pgSchema } : {}),
    });
  } catch (err) {
    if (pgSchema && ownSchema) await dropSchema(pgSchema);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const tokens = {
    admin: steward.bootstrap?.admin.token ?? (await createApiToken(steward.store, 'admin', 'test admin')).token,
    analyst: (await createApiToken(steward.store, 'analyst', 'test analyst')).token,
    ingest: steward.bootstrap?.ingest.token ?? (await createApiToken(steward.store, 'ingest', 'test ingest')).token,
  };
  const url = steward.httpUrl;
  const api: TestSteward['api'] = (path, init = {}) => {
    const { role = 'admin', ...rest } = init;
    const headers = new Headers(rest.headers);
    if (role) headers.set('authorization', `Bearer ${tokens[role]}`);
    return fetch(url + path, { ...rest, headers });
  };
  const postOtlp: TestSteward['postOtlp'] = (signal, body) => {
    const bytes = body instanceof Uint8Array;
    return api(`/v1/${signal}`, {
      method: 'POST',
      role: 'ingest',
      body: bytes ? body : typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': bytes ? 'application/x-protobuf' : 'application/json' },
    });
  };
  return {
    steward,
    url,
    grpcUrl: steward.grpcUrl,
    grpcPort: steward.grpcPort,
    tokens,
    api,
    async getJson<T>(path: string): Promise<T> {
      const res = await api(path, { role: 'analyst' });
      if (res.status !== 200) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    },
    postOtlp,
    async sendCaptures() {
      for (const signal of ['logs', 'metrics', 'traces'] as const) {
        for (const body of [
          fixtureJson(`otlp/http-json/${signal}.json`),
          fixtureBytes(`otlp/http-protobuf/${signal}.bin`),
        ]) {
          const res = await postOtlp(signal, body);
          if (res.status !== 200) throw new Error(`capture ${signal} → ${res.status}: ${await res.text()}`);
        }
      }
    },
    async stop() {
      await steward.stop();
      if (pgSchema && ownSchema) await dropSchema(pgSchema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a truthy value (telemetry is asynchronous by nature: exporters flush on their own). */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
