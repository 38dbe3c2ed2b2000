import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv, envName, loadConfig } from './load.js';

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'steward-config-')), 'steward.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConfig', () => {
  it('defaults to port 4318, gRPC 4317, SQLite under ./data and redacted content', () => {
    const c = loadConfig();
    expect(c).toMatchObject({ port: 4318, grpcPort: 4317, dataDir: './data', content: { capture: 'redacted' } });
    expect(c.databaseUrl).toBeUndefined();
  });

  it('layers file < environment < flags', () => {
    const path = file({ port: 1000, dataDir: '/from-file', ingest: { maxQueueEvents: 10 } });
    const c = loadConfig({
      file: path,
      env: { STEWARD_PORT: '2000', STEWARD_INGEST_MAX_QUEUE_EVENTS: '20', STEWARD_DATA_DIR: '/from-env' },
      flags: { port: 3000 },
    });
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('/from-env');
    expect(c.ingest.maxQueueEvents).toBe(20);
  });

  it('is frozen', () => {
    const c = loadConfig();
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.ingest)).toBe(true);
  });

  it('rejects unknown keys naming their path', () => {
    expect(() => loadConfig({ file: file({ ingest: { maxQueue: 1 } }) })).toThrow(/ingest: unknown key\(s\) maxQueue/);
    expect(() => loadConfig({ file: file({ prot: 1 }) })).toThrow(/unknown key\(s\) prot/);
  });

  it('rejects unknown STEWARD_* variables and non-numeric numbers with the variable named', () => {
    expect(() => configFromEnv({ STEWARD_PORTT: '1' })).toThrow(/STEWARD_PORTT/);
    expect(() => loadConfig({ env: { STEWARD_PORT: 'abc' } })).toThrow(/STEWARD_PORT must be a number/);
  });

  it('names the key of an invalid value', () => {
    expect(() => loadConfig({ flags: { port: 70000 } })).toThrow(/port:/);
    expect(() => loadConfig({ flags: { databaseUrl: 'mysql://x' } })).toThrow(/databaseUrl: must be a postgres/);
    expect(() => loadConfig({ env: { STEWARD_CONTENT_CAPTURE: 'sometimes' } })).toThrow(/content.capture/);
  });

  it('reports an unreadable or non-JSON file clearly', () => {
    expect(() => loadConfig({ file: '/nonexistent/steward.json' })).toThrow(/cannot read config file/);
    expect(() => loadConfig({ file: file('{nope') })).toThrow(/not valid JSON/);
  });

  it('maps nested camelCase keys to STEWARD_ names', () => {
    expect(envName(['ingest', 'maxDecompressedBytes'])).toBe('STEWARD_INGEST_MAX_DECOMPRESSED_BYTES');
    expect(envName(['databaseUrl'])).toBe('STEWARD_DATABASE_URL');
  });
});
