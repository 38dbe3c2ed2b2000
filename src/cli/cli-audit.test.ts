import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../test/support/cli-capture.js';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { defaultPolicyText } from '../api/policy-source.js';
import type { AuditEntry } from '../contracts/audit.js';

/**
 * Commands that change the store directly are audited (issue 7): each writes one entry as the CLI actor with the OS
 * user's name, and the changes with a domain entry (policy versions, governance) append that too. Through the real
 * CLI entry against a real SQLite store (the vault's append runs on both engines in audit/ and over REST in test/e2e).
 */
let t: TestStore;
let dir: string;
beforeEach(async () => {
  t = await openTestStore('sqlite');
  dir = mkdtempSync(join(tmpdir(), 'steward-cli-audit-'));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.cleanup();
  process.exitCode = 0;
});

const cli = (...args: string[]) => runCliCaptured([...args, '--data-dir', t.dataDir]);
const actor = { kind: 'system', id: 'cli', name: userInfo().username };

async function vault(): Promise<{ entries: AuditEntry[]; leaves: string }> {
  const rows = await t.store.db.selectFrom('audit_entries').select('leaf').orderBy('idx').execute();
  const leaves = rows.map((r) => r.leaf ?? '');
  return { entries: leaves.map((l) => JSON.parse(l) as AuditEntry), leaves: leaves.join('\n') };
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('audited commands', () => {
  it('keys create and revoke name the token by id, never the token', async () => {
    const created = await cli('keys', 'create', '--role', 'analyst', '--name', 'ci');
    expect(created.code).toBe(0);
    const token = created.out.trim();
    const { entries } = await vault();
    const create = entries.find((e) => e.action === 'keys.create');
    expect(create).toMatchObject({
      actor,
      subject: { kind: 'keys', id: expect.any(String) },
      outcome: 'success',
      after: { role: 'analyst', name: 'ci' },
      details: { command: 'steward keys create' },
    });
    const id = create?.subject?.id as string;
    expect((await cli('keys', 'revoke', id)).code).toBe(0);
    const gateway = await cli('keys', 'create', '--gateway', '--agent', 'release-bot');
    expect(gateway.code).toBe(0);
    const missing = await cli('keys', 'revoke', 'no-such-id');
    expect(missing.code).toBe(1);

    const after = await vault();
    expect(after.entries.find((e) => e.action === 'keys.delete' && e.outcome === 'success')?.subject).toEqual({
      kind: 'keys',
      id,
    });
    expect(after.entries.find((e) => e.action === 'gateway_keys.create')).toMatchObject({
      after: { kind: 'agent', subject: 'release-bot' },
    });
    expect(after.entries.find((e) => e.outcome === 'failure')).toMatchObject({
      action: 'keys.delete',
      details: { error: 'error', message: 'no active token or gateway key with id no-such-id' },
    });
    expect(after.leaves).not.toContain(token);
    expect(after.leaves).not.toContain(gateway.out.trim());
  });

  it('policy push --activate appends the command and the version it published and activated', async () => {
    const p = file('p.yaml', defaultPolicyText().text);
    expect((await cli('policy', 'push', p, '--activate', '--comment', 'cli')).code).toBe(0);
    const actions = (await vault()).entries.map((e) => [e.action, e.actor.name]);
    expect(actions).toEqual([
      ['policy.version.publish', actor.name],
      ['policy.version.activate', actor.name],
      ['policy.versions.create', actor.name],
    ]);
  });

  it('governance, RACI, budgets, exports and re-queued dead letters from the command line', async () => {
    const c = file('c.json', { name: 'github', transport: 'stdio', command: 'github-mcp' });
    expect((await cli('gov', 'add', 'connectors', '--file', c)).code).toBe(0);
    expect((await cli('gov', 'review', 'connector', 'github')).code).toBe(0);
    const raci = file('raci.json', {
      roles: ['IT', 'security'],
      activities: [{ name: 'connector approval', cells: { IT: 'R', security: 'A' } }],
    });
    expect((await cli('gov', 'raci', '--set', raci)).code).toBe(0);
    expect(
      (await cli('budgets', 'set', '--scope', 'org', '--window', 'daily', '--limit-usd', '5', '--action', 'warn')).code,
    ).toBe(0);
    expect((await cli('gov', 'export', '--format', 'md')).code).toBe(0);
    expect((await cli('export', 'dead-letters', '--requeue')).code).toBe(0);
    const { entries } = await vault();
    const byAction = new Map(entries.map((e) => [e.action, e]));
    expect([...byAction.keys()].sort()).toEqual(
      [
        'budgets.create',
        'export.governance',
        'exports.sinks.requeue',
        'governance.connectors.create',
        'governance.connectors.review',
        'governance.object.create',
        'governance.object.review',
        'governance.raci.update',
      ].sort(),
    );
    for (const e of entries) expect(e.actor).toEqual(actor);
    const object = byAction.get('governance.object.create');
    expect(byAction.get('governance.connectors.create')?.subject).toEqual({
      kind: 'governance.connectors',
      id: object?.subject?.id,
    });
    expect(entries.filter((e) => e.action === 'governance.raci.update').map((e) => e.subject?.kind)).toEqual([
      'raci',
      'governance.raci',
    ]);
    expect(byAction.get('export.governance')?.details).toMatchObject({ command: 'steward gov export', format: 'md' });
  });
});
