import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../test/support/cli-capture.js';
import { openAuditService } from '../audit/audit-service.js';
import { loadConfig } from '../config/load.js';
import { openStore } from '../store/store.js';

/** `steward audit …` against a store on disk, as an operator runs it (issue 7 interface names). */
describe('steward audit', () => {
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-audit-cli-'));
    const config = loadConfig({ flags: { dataDir: dir } });
    const store = await openStore({ dataDir: dir });
    const audit = await openAuditService(store, config, (err) => {
      throw err;
    });
    for (let i = 0; i < 50; i++) {
      audit.record({
        time: Date.parse('2026-11-01T00:00:00Z') + i * 60_000,
        actor: { kind: 'token', id: `tok${i % 4}`, name: 'ops' },
        action: 'keys.create',
        subject: { kind: 'key', id: `k${i}` },
      });
    }
    await audit.close();
    await store.close();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a bundle that verifies offline with the published key, and names the first bad index once altered', async () => {
    const keys = await runCliCaptured(['audit', 'pubkey', '--data-dir', dir]);
    expect(keys.code).toBe(0);
    const keyFile = join(dir, 'audit.pub');
    writeFileSync(keyFile, keys.out);

    const bundle = join(dir, 'window.bundle');
    const exported = await runCliCaptured([
      'audit',
      'export',
      '--data-dir',
      dir,
      '--from',
      '2026-11-01T00:10:00Z',
      '--to',
      '2026-11-01T00:30:00Z',
      '--out',
      bundle,
    ]);
    expect(exported.err).toBe('');
    expect(exported.out).toMatch(/entries 10\.\.29 \(20\)/);

    const ok = await runCliCaptured(['audit', 'verify', bundle, '--key', keyFile]);
    expect(ok).toMatchObject({ code: 0, err: '' });
    expect(ok.out).toMatch(/^ok: 20 entries/);

    const lines = readFileSync(bundle, 'utf8').split('\n');
    lines[6] = (lines[6] as string).replace('"k15"', '"k99"'); // line 2 is index 10
    writeFileSync(bundle, lines.join('\n'));
    const bad = await runCliCaptured(['audit', 'verify', bundle, '--key', keyFile]);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/first bad index 15/);

    // A key of another log verifies nothing.
    const other = mkdtempSync(join(tmpdir(), 'steward-audit-other-'));
    try {
      const otherKey = await runCliCaptured(['audit', 'pubkey', '--data-dir', other]);
      const wrongKey = await runCliCaptured(['audit', 'verify', bundle, '--key', otherKey.out.trim()]);
      expect(wrongKey.code).toBe(3);
      expect(wrongKey.err).toMatch(/signature|trusted key/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('signs checkpoints, serves proofs, checks the store, rotates the key and keeps old checkpoints verifiable', async () => {
    const cp = await runCliCaptured(['audit', 'checkpoint', '--data-dir', dir]);
    expect(cp.code).toBe(0);
    expect(cp.out).toMatch(/^steward\/[0-9a-f]{16}\n50\n[A-Za-z0-9+/]{43}=\n\n— steward\//);
    const proof = await runCliCaptured(['audit', 'proof', '--index', '7', '--data-dir', dir]);
    expect(JSON.parse(proof.out)).toMatchObject({ index: 7, size: 50, proof: expect.any(Array) });
    const rotated = await runCliCaptured(['audit', 'rotate-key', '--algorithm', 'ecdsa-p256', '--data-dir', dir]);
    expect(rotated.code).toBe(0);
    const keys = (await runCliCaptured(['audit', 'pubkey', '--data-dir', dir])).out.trim().split('\n');
    expect(keys).toHaveLength(2);
    const check = await runCliCaptured(['audit', 'check', '--data-dir', dir]);
    expect(check).toMatchObject({ code: 0, err: '' });
    expect(check.out).toMatch(/^ok: 50 entries/);
  });

  it('names bad input', async () => {
    expect(
      (await runCliCaptured(['audit', 'export', '--data-dir', dir, '--out', join(dir, 'x'), '--from', 'yesterday']))
        .err,
    ).toMatch(/--from must be an ISO 8601 time/);
    expect((await runCliCaptured(['audit', 'verify', join(dir, 'missing.bundle'), '--key', 'nope'])).code).not.toBe(0);
    expect((await runCliCaptured(['audit', 'rotate-key', '--algorithm', 'rsa', '--data-dir', dir])).err).toMatch(
      /ed25519 or ecdsa-p256/,
    );
  });
});
