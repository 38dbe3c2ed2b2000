import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { listCadences } from '../store/cadences.repo.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import { fromXlsx } from '../govern/exchange/exchange-formats.js';
import { listObjects, presentObject } from '../govern/governance-objects.js';
import { listPolicyVersions } from '../govern/governance-policies.js';
import { getRaci } from '../govern/raci-admin.js';
import { DEFAULT_RACI } from '../govern/raci.js';
import { runCliCaptured } from '../../test/support/cli-capture.js';

/**
 * `steward init`, `steward gov import` and `steward gov export` through the real CLI entry against a real SQLite
 * store (the import and export are tested on both engines in govern/exchange/).
 */
let t: TestStore;
let dir: string;
beforeEach(async () => {
  t = await openTestStore('sqlite');
  dir = mkdtempSync(join(tmpdir(), 'steward-init-'));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.cleanup();
  process.exitCode = 0;
});

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  return runCliCaptured([...args]);
}

const store = (): string[] => ['--data-dir', t.dataDir];

describe('steward init and steward gov import/export', () => {
  it('init writes editable files; importing them gives a store holding exactly what they say', async () => {
    const gov = join(dir, 'governance');
    const init = await cli('init', gov, '--owner', 'Pilot.Owner@example.com');
    expect(init).toMatchObject({ code: 0, err: '' });
    expect(readdirSync(gov).sort()).toEqual([
      'README.md',
      'acceptable-use-policy.md',
      'cadences.yaml',
      'connectors.yaml',
      'raci.csv',
      'skills.yaml',
      'workspaces.yaml',
    ]);
    expect(init.out).toContain(`steward gov import ${gov} --dry-run`);

    const dry = await cli('gov', 'import', gov, '--dry-run', ...store());
    expect(dry.out).toMatch(/^dry run: nothing was written/);
    expect(dry.out).toContain('3 created, 5 updated, 1 unchanged (dry run)');
    expect(await listObjects(t.store)).toEqual([]);

    const imported = await cli('gov', 'import', gov, ...store());
    expect(imported).toMatchObject({ code: 0, err: '' });
    expect(imported.out).toMatch(/created\s+connector github\s+\(connectors\.yaml item 1\)/);
    expect(imported.out).toContain('ignored: README.md (no "kind: policy" frontmatter)');

    // The store holds what the files say.
    const actor = `cli:${userInfo().username}`;
    const objects = (await listObjects(t.store)).map(presentObject);
    expect(objects.map((o) => `${o.kind} ${o.name}`).sort()).toEqual([
      'connector github',
      'policy Acceptable use of Claude',
      'workspace Pilot',
    ]);
    const connectors = parseYaml(readFileSync(join(gov, 'connectors.yaml'), 'utf8')) as Record<string, unknown>[];
    const gh = objects.find((o) => o.name === 'github');
    expect(gh).toMatchObject({
      ...connectors[0],
      owner: 'pilot.owner@example.com',
      tools: [
        { name: 'get_file_contents', access: 'read', policy: 'allow' },
        { name: 'search_code', access: 'read', policy: 'allow' },
        { name: 'create_pull_request', access: 'write', policy: 'needs_approval' },
      ],
      created_by: actor,
    });
    const workspaces = parseYaml(readFileSync(join(gov, 'workspaces.yaml'), 'utf8')) as Record<string, unknown>[];
    expect(objects.find((o) => o.name === 'Pilot')).toMatchObject(workspaces[0] as object);
    const md = readFileSync(join(gov, 'acceptable-use-policy.md'), 'utf8');
    const policy = objects.find((o) => o.kind === 'policy');
    expect(policy).toMatchObject({ status: 'draft', owner: 'pilot.owner@example.com', review_cadence: 'annual' });
    expect((policy?.rules as unknown[]).length).toBe(2);
    const [version] = await listPolicyVersions(t.store, String(policy?.id));
    expect(md.endsWith(version?.body_md ?? '-')).toBe(true);
    expect(version?.body_md.startsWith('# Acceptable use of Claude')).toBe(true);
    expect((await getRaci(t.store, DEFAULT_ORG)).matrix).toEqual(DEFAULT_RACI);
    const cadences = parseYaml(readFileSync(join(gov, 'cadences.yaml'), 'utf8')) as Record<string, unknown>[];
    const stored = await listCadences(t.store.db, DEFAULT_ORG);
    for (const c of cadences) {
      expect(stored.find((s) => s.id === c.id)).toMatchObject({
        name: c.name,
        frequency: c.frequency,
        ownerRole: c.owner_role,
        attendees: { people: [], roles: c.attendee_roles },
        startsAt: Date.parse(`${String(c.starts_at)}T00:00:00Z`),
        graceDays: c.grace_days,
        active: c.active,
      });
    }

    // A second import changes nothing.
    expect((await cli('gov', 'import', gov, ...store())).out).toContain('0 created, 0 updated, 9 unchanged');
  });

  it('init refuses to overwrite existing files unless --force', async () => {
    const gov = join(dir, 'g');
    mkdirSync(gov);
    writeFileSync(join(gov, 'raci.csv'), 'mine\n');
    const refused = await cli('init', gov);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('raci.csv already exists; nothing was written (--force overwrites)');
    expect(readdirSync(gov)).toEqual(['raci.csv']);
    expect((await cli('init', gov, '--force')).code).toBe(0);
    expect(readFileSync(join(gov, 'raci.csv'), 'utf8')).toMatch(/^activity,sponsor,/);
  });

  it('import prints every problem with its sheet, row and column, exits 1 and writes nothing', async () => {
    const csv = join(dir, 'connectors.csv');
    writeFileSync(
      csv,
      'Name,Transport,URL,Risk\r\nok,http,https://x.example/mcp,low\r\nbad,http,https://x.example/mcp,extreme\r\n',
    );
    const r = await cli('gov', 'import', csv, ...store());
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'connectors.csv row 3, column "Risk": "extreme" is not one of low, medium, high, critical\n' +
        `steward: 1 problem in ${csv}; nothing was written\n`,
    );
    expect(await listObjects(t.store)).toEqual([]);
  });

  it('exports XLSX, a folder of CSV files and Markdown', async () => {
    await cli('init', join(dir, 'gov'));
    await cli('gov', 'import', join(dir, 'gov'), ...store());
    const xlsx = join(dir, 'inventory.xlsx');
    expect((await cli('gov', 'export', '--format', 'xlsx', '--out', xlsx, ...store())).out).toBe(`wrote ${xlsx}\n`);
    const sheets = await fromXlsx(readFileSync(xlsx));
    expect(sheets.map((s) => s.name)).toEqual([
      'Policies',
      'Policy rules',
      'Workspaces',
      'Connectors',
      'Skills',
      'RACI',
      'Cadences',
    ]);
    const csvDir = join(dir, 'csv');
    expect((await cli('gov', 'export', '--format', 'csv', '--out', csvDir, ...store())).code).toBe(0);
    expect(readFileSync(join(csvDir, 'connectors.csv'), 'utf8')).toMatch(/^Name,Status,Owner,Publisher,Transport,URL/);
    const md = await cli('gov', 'export', '--format', 'md', ...store());
    expect(md.out).toMatch(/^# Governance inventory\n/);
    expect(md.out).toContain('\n## Connectors\n\n| Name | Status |');
    // The export folder imports back as it is.
    expect((await cli('gov', 'import', csvDir, ...store())).out).toContain('0 created, 0 updated, 9 unchanged');
    expect(existsSync(join(csvDir, 'cadences.csv'))).toBe(true);
    expect((await cli('gov', 'export', '--format', 'pdf', '--out', 'x', ...store())).err).toContain(
      '--format must be one of xlsx, csv, md',
    );
  });
});
