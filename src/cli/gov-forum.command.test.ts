import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { createObject, findObjectByName, objectHistory } from '../govern/governance-objects.js';
import { runCliCaptured } from '../../test/support/cli-capture.js';

/**
 * `steward gov forum …` and `steward gov scorecard` through the real CLI entry against a real SQLite store (the
 * domain is tested on both engines in govern/, the REST surface in api/).
 */
let t: TestStore;
let dir: string;
beforeEach(async () => {
  t = await openTestStore('sqlite');
  dir = mkdtempSync(join(tmpdir(), 'steward-forum-'));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.cleanup();
  process.exitCode = 0;
});

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  return runCliCaptured(['gov', ...args, '--data-dir', t.dataDir]);
}

describe('steward gov forum', () => {
  it('records a meeting whose decision approves a connector, and prints the agenda', async () => {
    await createObject(
      t.store,
      'connector',
      { name: 'github', transport: 'app' },
      'seed',
      Date.parse('2026-01-02T00:00:00Z'),
    );
    await createObject(
      t.store,
      'connector',
      { name: 'linear', transport: 'app' },
      'seed',
      Date.parse('2026-01-02T00:00:00Z'),
    );
    const agenda = await cli('forum', 'agenda', '--date', '2026-01-20');
    expect(agenda).toMatchObject({ code: 0, err: '' });
    expect(agenda.out).toMatch(/^# Governance forum 2026-01-20 — agenda/);
    expect(agenda.out).toMatch(/\| github \| — \| — \| 2026-01-02 \|\n\| linear \|/);
    expect(agenda.out).toContain('## 6. Retention posture\n\nSteward has no source');

    const add = await cli(
      'forum',
      'add',
      '--date',
      '2026-01-20',
      '--attendee',
      'ciso@example.com',
      '--attendee',
      'it@example.com',
      '--decision',
      'approve connector github with scopes repo:read',
      '--decision',
      'Review Linear next month',
    );
    expect(add).toMatchObject({ code: 0, err: '' });
    expect(add.out).toContain(
      '1. approve connector github with scopes repo:read  [connector github: requested → approved]',
    );
    expect(add.out).toContain('2. Review Linear next month\n');
    const id = /recorded meeting ([0-9a-f-]{36})/.exec(add.out)?.[1] as string;
    const github = await findObjectByName(t.store, 'connector', 'github');
    expect(github).toMatchObject({ status: 'approved', fields: { oauth_scopes: ['repo:read'] } });
    const history = await objectHistory(t.store, 'connector', github!.id);
    expect(history.at(-1)).toMatchObject({
      action: 'decision',
      actor: `cli:${userInfo().username}`,
      after: { decision: { reference: `forum meeting 2026-01-20 (${id})` } },
    });

    const decide = await cli('forum', 'decide', id, 'deny', 'connector', 'linear');
    expect(decide.out).toBe(`recorded decision 3: deny connector linear\nconnector linear: requested → denied\n`);
    const refused = await cli('forum', 'decide', id, 'approve connector linear');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^steward: invalid_transition: a connector cannot go from denied to approved/);
    expect((await cli('forum', 'list')).out).toContain(`2026-01-20  ${id}  Governance forum 2026-01-20  (3 decisions)`);
  });

  it('writes the scorecard as Markdown and PDF, and refuses another format', async () => {
    const md = await cli('scorecard', '--quarter', '2026-Q1');
    expect(md).toMatchObject({ code: 0, err: '' });
    expect(md.out).toMatch(/^# Governance scorecard 2026-Q1\n/);
    expect(md.out).toContain('2025-Q4 (last quarter)');
    const path = join(dir, 'scorecard.pdf');
    const pdf = await cli('scorecard', '--quarter', '2026-Q1', '--format', 'pdf', '--out', path);
    expect(pdf).toMatchObject({ code: 0, out: `wrote ${path}\n` });
    expect(readFileSync(path).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const bad = await cli('scorecard', '--format', 'xlsx');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--format must be md or pdf');
  });
});
