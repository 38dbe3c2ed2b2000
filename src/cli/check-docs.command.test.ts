import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObject, findObjectByName } from '../govern/governance-objects.js';
import { openStore } from '../store/store.js';

/**
 * `steward check docs` as a real process on folder trees built here: one finding per missing element, in text,
 * JSON and SARIF, exit 1 on errors, 0 when clean, 2 on usage errors.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const entry = join(repo, 'src/cli/entry.ts');
const tsx = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
const SECRET = 'ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5';

const GOOD_CLAUDE_MD = [
  '# Finance close workspace',
  '',
  'This workspace prepares the monthly close pack for the finance team.',
  'Source ledgers are exported from the ERP into `exports/` every morning; never edit them by hand.',
  'Reconciliations go to `recs/`, one file per account, and are reviewed by the controller before sign-off.',
].join('\n');
const GOOD_SKILL = [
  '---',
  'name: close-pack',
  'description: Builds the monthly close pack from the ledger exports.',
  'metadata:',
  '  owner: ana@example.com',
  '  intended-use: Finance close, month end only',
  '  inputs: [ledger exports]',
  '  outputs:',
  '    - close pack (xlsx)',
  '---',
  'Steps…',
].join('\n');
const TASKS = [
  '# Scheduled tasks',
  '',
  '| Name | Schedule | Owner |',
  '| --- | --- | --- |',
  '| Ledger export | daily 06:00 | IT |',
].join('\n');

let dir: string;
function write(rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}
function run(...args: string[]): { out: string; err: string; code: number | null } {
  const r = spawnSync(process.execPath, ['--import', tsx, entry, 'check', 'docs', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'steward-check-docs-'));
  // clean: everything present
  write('clean/CLAUDE.md', GOOD_CLAUDE_MD);
  write('clean/scheduled-tasks.md', TASKS);
  write('clean/.claude/skills/close-pack/SKILL.md', GOOD_SKILL);
  // bad: every element missing or wrong
  write('bad/.claude/skills/empty-skill/README.md', 'no SKILL.md here');
  write('bad/.claude/skills/thin/SKILL.md', '---\nname: thin\ndescription: does things\n---\nbody');
  write('trivial/CLAUDE.md', '# Project\n\n<!-- fill in -->\n## Notes\nTODO\n');
  write('trivial/scheduled-tasks.md', 'None.\n');
  write('secret/CLAUDE.md', `${GOOD_CLAUDE_MD}\n\nDeploy token: ${SECRET}\n`);
  write('secret/scheduled-tasks.md', TASKS);
  write(
    'inventory.json',
    JSON.stringify({
      workspaces: [
        { name: 'clean', folders: ['clean'], scheduled_tasks: [{ name: 'Ledger export' }, 'Weekly digest'] },
      ],
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('steward check docs', () => {
  it('exits 0 with no findings on a clean workspace', () => {
    const r = run('clean');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe('no findings in 1 folder\n');
  });

  it('reports each missing element as path:line in text, exit 1', () => {
    const r = run('bad', 'trivial', 'secret');
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bad\/CLAUDE\.md:1: error: no CLAUDE\.md .*\[claude-md-missing\]$/),
        expect.stringMatching(
          /^bad\/scheduled-tasks\.md:1: error: no scheduled-tasks\.md.*\[scheduled-tasks-missing\]$/,
        ),
        expect.stringMatching(/^bad\/\.claude\/skills\/empty-skill:1: error: .*has no SKILL\.md \[skill-md-missing\]$/),
        expect.stringMatching(/^bad\/\.claude\/skills\/thin\/SKILL\.md:1: error: SKILL\.md states no owner/),
        expect.stringMatching(/^bad\/\.claude\/skills\/thin\/SKILL\.md:1: error: SKILL\.md states no inputs/),
        expect.stringMatching(/^bad\/\.claude\/skills\/thin\/SKILL\.md:1: error: SKILL\.md states no outputs/),
        expect.stringMatching(/^bad\/\.claude\/skills\/thin\/SKILL\.md:1: error: SKILL\.md states no intended use/),
        expect.stringMatching(/^trivial\/CLAUDE\.md:1: error: CLAUDE\.md is trivial.*\[claude-md-trivial\]$/),
        expect.stringMatching(
          /^secret\/CLAUDE\.md:7: error: a secret \(github_token\) at line 7.*\[memory-sensitive-data\]$/,
        ),
      ]),
    );
    expect(lines).toHaveLength(10);
    expect(lines.at(-1)).toBe('9 error(s), 0 warning(s), 0 note(s) in 3 folders');
    expect(r.out).not.toContain(SECRET);
  });

  it('writes JSON with the same findings', () => {
    const r = run('bad', 'secret', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { checked: string[]; summary: object; findings: Record<string, unknown>[] };
    expect(report.checked).toEqual(['bad', 'secret']);
    expect(report.summary).toEqual({ errors: 8, warnings: 0, notes: 0 });
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual([
      'claude-md-missing',
      'memory-sensitive-data',
      'scheduled-tasks-missing',
      'skill-md-incomplete',
      'skill-md-incomplete',
      'skill-md-incomplete',
      'skill-md-incomplete',
      'skill-md-missing',
    ]);
    expect(report.findings.find((f) => f.ruleId === 'memory-sensitive-data')).toMatchObject({
      path: 'secret/CLAUDE.md',
      line: 7,
      level: 'error',
    });
    expect(r.out).not.toContain(SECRET);
  });

  it('writes SARIF 2.1.0 with the required fields', () => {
    const r = run('bad', 'trivial', '--format', 'sarif');
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.out) as {
      version: string;
      runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: Record<string, any>[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const run0 = sarif.runs[0]!;
    expect(run0.tool.driver.name).toBe('steward');
    const ruleIds = run0.tool.driver.rules.map((rule) => rule.id);
    expect(run0.results).toHaveLength(8);
    for (const result of run0.results) {
      expect(ruleIds).toContain(result.ruleId);
      expect(ruleIds[result.ruleIndex as number]).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
      expect(typeof result.message.text).toBe('string');
      const loc = result.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toMatch(/^(bad|trivial)\//);
      expect(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1).toBe(true);
    }
    expect(run0.results.map((x) => x.locations[0].physicalLocation.artifactLocation.uri)).toContain(
      'bad/.claude/skills/empty-skill',
    );
  });

  it('compares scheduled-tasks.md with the inventory', () => {
    const r = run('clean', '--inventory', 'inventory.json');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^clean\/scheduled-tasks\.md:1: error: the inventory lists scheduled task 'Weekly digest' for workspace 'clean'; scheduled-tasks\.md does not \[scheduled-tasks-mismatch\]$/m,
    );
    expect(run('secret', '--inventory', 'inventory.json').out).toMatch(/warning: no workspace in the inventory/);
  });

  it("compares scheduled-tasks.md with the store's workspace inventory (--data-dir)", async () => {
    const store = await openStore({ dataDir: join(dir, 'data') });
    try {
      await createObject(
        store,
        'workspace',
        { name: 'Finance close', folders: [join(dir, 'secret')], scheduled_tasks: ['Ledger export', 'Close pack'] },
        'test',
      );
    } finally {
      await store.close();
    }
    const r = run('secret', '--data-dir', 'data');
    expect(r.err).toBe('');
    expect(r.out).toMatch(
      /^secret\/scheduled-tasks\.md:1: error: the inventory lists scheduled task 'Close pack' for workspace 'Finance close'; scheduled-tasks\.md does not \[scheduled-tasks-mismatch\]$/m,
    );
    expect(r.out).not.toMatch(/Ledger export/);
  });

  it("--record writes what it found into the store's matching workspace, with the change in its history", async () => {
    const dataDir = join(dir, 'record-data');
    let store = await openStore({ dataDir });
    try {
      await createObject(store, 'workspace', { name: 'Clean', folders: [join(dir, 'clean')] }, 'test');
    } finally {
      await store.close();
    }
    expect(run('clean', '--data-dir', dataDir, '--record').err).toBe('');
    store = await openStore({ dataDir });
    try {
      const ws = await findObjectByName(store, 'workspace', 'Clean');
      expect(ws?.fields).toMatchObject({
        claude_md_present: true,
        scheduled_tasks_md_present: true,
        scheduled_tasks: ['Ledger export'],
      });
      const history = await store.db.selectFrom('gov_history').selectAll().where('object_id', '=', ws!.id).execute();
      expect(history.map((h) => h.actor)).toContainEqual(expect.stringMatching(/^cli:/));
    } finally {
      await store.close();
    }
    expect(run('clean', '--inventory', 'inventory.json', '--record')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--record needs the store/),
    });
  });

  it('exits 2 on a bad option value or a path that is not a folder', () => {
    expect(run('clean', '--format', 'xml')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--format must be one of/),
    });
    expect(run('missing-folder')).toMatchObject({ code: 2, err: 'steward: missing-folder is not a folder\n' });
  });

  it("exits 2 on commander's usage errors and an unreadable inventory", () => {
    expect(run('clean', '--no-such-flag').code).toBe(2);
    expect(run('clean', '--inventory', 'nope.json')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/cannot read the inventory/),
    });
  });
});
