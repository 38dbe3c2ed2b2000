import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { addPeople } from '../../test/support/people.js';
import { findObjectByName } from '../govern/governance-objects.js';
import { acknowledgePolicy, addPolicyVersion } from '../govern/governance-policies.js';
import { runCliCaptured } from '../../test/support/cli-capture.js';

/**
 * `steward gov …` through the real CLI entry against a real SQLite store (the domain and the store are tested on
 * both engines in govern/ and over HTTP in api/).
 */
let t: TestStore;
let dir: string;
beforeEach(async () => {
  t = await openTestStore('sqlite');
  dir = mkdtempSync(join(tmpdir(), 'steward-gov-'));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.cleanup();
  process.exitCode = 0;
});

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  return runCliCaptured(['gov', ...args, '--data-dir', t.dataDir]);
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('steward gov', () => {
  it('adds an object from a JSON file, lists it, shows it with its history, and marks it reviewed', async () => {
    const add = await cli(
      'add',
      'connectors',
      '--file',
      file('c.json', { name: 'github', transport: 'stdio', command: 'github-mcp', owner: 'it@example.com' }),
    );
    expect(add).toMatchObject({ code: 0, err: '' });
    expect(add.out).toMatch(/^created connector [0-9a-f-]{36}: github \(next review \d{4}-\d\d-\d\d\)\n$/);

    const list = await cli('list', 'connector');
    expect(list.out).toMatch(/^NAME\s+STATUS\s+OWNER\s+CADENCE\s+REVIEWED\s+NEXT REVIEW\s+ID\n/);
    expect(list.out).toMatch(/github\s+requested\s+it@example\.com\s+quarterly\s+-\s+\d{4}/);

    const reviewed = await cli('review', 'connector', 'github');
    expect(reviewed.out).toMatch(/^reviewed connector github: next review due \d{4}-\d\d-\d\d\n$/);

    const shown = JSON.parse((await cli('show', 'connector', 'github')).out) as {
      name: string;
      history: { action: string; actor: string }[];
    };
    expect(shown.name).toBe('github');
    const actor = `cli:${userInfo().username}`;
    expect(shown.history).toMatchObject([
      { action: 'create', actor },
      { action: 'review', actor },
    ]);
  });

  it('imports a SKILL.md and reports findings as a table or JSON', async () => {
    const md = file('SKILL.md', '---\nname: triage\ndescription: Triage tickets\n---\nSteps.\n');
    const added = await cli('add', 'skill', '--skill-md', md);
    expect(added.out).toMatch(/^created skill [0-9a-f-]{36}: triage\n$/);
    const text = await cli('findings');
    expect(text.out).toMatch(/^KIND\s+OBJECT\s+SUBJECT\s+SINCE\s+DETAIL\n/);
    expect(text.out).toMatch(/ownerless\s+skill\s+triage/);
    const later = await cli('findings', '--json', '--at', '2099-01-01T00:00:00Z');
    const kinds = (JSON.parse(later.out) as { kind: string; subject: string }[]).map((f) => `${f.kind} ${f.subject}`);
    expect(kinds).toEqual(['retirement_candidate triage', 'ownerless triage', 'review_overdue triage']);
  });

  it('lists who has not acknowledged the current policy version', async () => {
    await cli('add', 'policy', '--file', file('p.json', { name: 'AUP', owner: 'ciso@example.com' }));
    expect((await cli('reminders', 'AUP')).out).toBe('policy AUP has no published version yet\n');
    await addPeople(t.store, [
      { id: 'a', name: 'Ann', email: 'ann@example.com' },
      { id: 'b', name: 'Bob', email: 'bob@example.com' },
    ]);
    const policy = (await findObjectByName(t.store, 'policy', 'AUP'))!;
    await addPolicyVersion(t.store, policy.id, { body_md: '# AUP', effective_date: '2026-12-01' }, 'test');
    await acknowledgePolicy(t.store, policy.id, { person: 'bob@example.com' }, 'test');
    const text = await cli('reminders', 'AUP');
    expect(text.out).toMatch(
      /^1 person has not acknowledged version 1 of AUP:\nEMAIL\s+NAME\nann@example\.com\s+Ann\n$/,
    );
    const json = JSON.parse((await cli('reminders', policy.id, '--json')).out) as { people: { email: string }[] };
    expect(json.people.map((p) => p.email)).toEqual(['ann@example.com']);
    expect(JSON.parse((await cli('show', 'policies', 'AUP', '--no-history')).out)).toMatchObject({
      current_version: 1,
    });
  });

  it('says which field of the file is wrong, and which kinds exist', async () => {
    const bad = await cli('add', 'workspace', '--file', file('w.json', { name: 'W', classification: 'secret' }));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^steward: bad_request: classification: /);
    const kind = await cli('list', 'gadgets');
    expect(kind.err).toContain('unknown kind "gadgets"');
    const both = await cli('add', 'skill');
    expect(both.err).toContain('give --file or --skill-md');
  });
});
