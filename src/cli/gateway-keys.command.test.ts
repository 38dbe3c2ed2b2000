import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayKeyVerifier } from '../identity/gateway-keys.js';
import { TokenVerifier } from '../identity/api-tokens.js';
import { openStore } from '../store/store.js';
import { readGatewayKey } from './gateway-key.command.js';
import { runCli } from './main.js';

/** `steward keys create --gateway …` and `steward gateway-key` (Claude Code's apiKeyHelper). */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'steward-gwkeys-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = 0;
});

async function cli(...args: string[]): Promise<{ out: string; err: string }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await runCli(['node', 'steward', ...args]);
    return {
      out: out.mock.calls.map((c) => String(c[0])).join(''),
      err: err.mock.calls.map((c) => String(c[0])).join(''),
    };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('steward keys create --gateway', () => {
  it('prints only a key bound to the person, agent or app, which opens the gateway and nothing else', async () => {
    const person = (await cli('keys', 'create', '--gateway', '--person', 'Dana@Example.com', '--data-dir', dir)).out;
    const agent = (await cli('keys', 'create', '--gateway', '--agent', 'release-bot', '--data-dir', dir)).out;
    const app = (await cli('keys', 'create', '--gateway', '--app', 'support-portal', '--data-dir', dir)).out;
    for (const key of [person, agent, app]) expect(key).toMatch(/^stw_gw_[A-Za-z0-9_-]{43}\n$/);
    const store = await openStore({ dataDir: dir });
    try {
      const keys = new GatewayKeyVerifier(store);
      expect(await keys.verify(person.trim())).toMatchObject({ kind: 'person', subject: 'dana@example.com' });
      expect(await keys.verify(agent.trim())).toMatchObject({ kind: 'agent', subject: 'release-bot' });
      expect(await keys.verify(app.trim())).toMatchObject({ kind: 'app', subject: 'support-portal' });
      // Not an API token, and only a hash is stored.
      expect(await new TokenVerifier(store).verify(person.trim())).toBeNull();
      const rows = await store.db
        .withTables<{ gateway_keys: { key_hash: string } }>()
        .selectFrom('gateway_keys')
        .select('key_hash')
        .execute();
      expect(JSON.stringify(rows)).not.toContain(person.trim());
    } finally {
      await store.close();
    }
    const listed = (await cli('keys', 'list', '--data-dir', dir)).out;
    expect(listed).toContain('person:dana@example.com');
    expect(listed).not.toContain(person.trim());
  });

  it('refuses ambiguous or invalid subjects with one clear line', async () => {
    expect((await cli('keys', 'create', '--gateway', '--data-dir', dir)).err).toMatch(/exactly one of --person/);
    expect((await cli('keys', 'create', '--gateway', '--person', 'not-an-email', '--data-dir', dir)).err).toMatch(
      /--person must be an email/,
    );
    expect((await cli('keys', 'create', '--person', 'a@b.c', '--data-dir', dir)).err).toMatch(/needs --gateway/);
    expect(process.exitCode).toBe(1);
  });

  it('revokes a gateway key by id', async () => {
    const key = (await cli('keys', 'create', '--gateway', '--agent', 'nightly', '--data-dir', dir)).out.trim();
    const id = (await cli('keys', 'list', '--data-dir', dir)).out.split('  ')[0] as string;
    expect((await cli('keys', 'revoke', id, '--data-dir', dir)).out).toBe(`revoked ${id}\n`);
    const store = await openStore({ dataDir: dir });
    try {
      expect(await new GatewayKeyVerifier(store).verify(key)).toBeNull();
    } finally {
      await store.close();
    }
  });
});

describe('steward gateway-key', () => {
  const key = 'stw_gw_' + 'A'.repeat(43);
  it('prints the key from STEWARD_GATEWAY_KEY, else from ~/.steward/gateway-key', () => {
    expect(readGatewayKey({ STEWARD_GATEWAY_KEY: ` ${key}\n` }, '~/.steward/gateway-key')).toBe(key);
    mkdirSync(join(dir, '.steward'));
    writeFileSync(join(dir, '.steward', 'gateway-key'), key + '\n');
    expect(readGatewayKey({ HOME: dir }, '~/.steward/gateway-key')).toBe(key);
  });

  it('explains what is missing instead of printing nothing', () => {
    expect(() => readGatewayKey({ HOME: dir }, '~/.steward/gateway-key')).toThrow(/STEWARD_GATEWAY_KEY is not set/);
    writeFileSync(join(dir, 'bad'), 'sk-ant-something');
    expect(() => readGatewayKey({ HOME: dir }, join(dir, 'bad'))).toThrow(/does not hold a Steward gateway key/);
  });
});
