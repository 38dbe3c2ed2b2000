import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { runCliCaptured } from '../../test/support/cli-capture.js';

/** `steward gov raci` through the real CLI entry against a real SQLite store (the repository runs on both engines). */
let t: TestStore;
beforeEach(async () => {
  t = await openTestStore('sqlite');
});
afterEach(async () => {
  await t.cleanup();
  process.exitCode = 0;
});

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  return runCliCaptured(['gov', 'raci', ...args, '--data-dir', t.dataDir]);
}

describe('steward gov raci', () => {
  it('prints, validates and exports the seeded matrix', async () => {
    const md = await cli();
    expect(md.out.split('\n')[0]).toBe('| Activity | sponsor | pilot owner | IT | security | outside partner |');
    expect(md.out).toContain('| connector approval | I | C | R | A | C |');
    expect(await cli('--validate')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^RACI is valid: 5 activities/),
    });
    expect((await cli('--export', 'csv')).out.split('\r\n')[0]).toBe(
      'activity,sponsor,pilot owner,IT,security,outside partner',
    );
  });

  it('refuses to save a matrix with two As, naming the activity, and saves a valid one', async () => {
    const file = join(t.dataDir, 'raci.json');
    writeFileSync(
      file,
      JSON.stringify({
        roles: ['IT', 'security'],
        activities: [{ name: 'connector approval', cells: { IT: 'A', security: 'A/R' } }],
      }),
    );
    const refused = await cli('--set', file);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      "activity 'connector approval' has 2 accountable roles (IT, security); exactly one is required",
    );
    writeFileSync(
      file,
      JSON.stringify({
        roles: ['IT', 'security'],
        activities: [{ name: 'connector approval', cells: { IT: 'R', security: 'A' } }],
      }),
    );
    expect(await cli('--set', file)).toMatchObject({ code: 0, out: 'saved RACI version 1\n' });
    expect((await cli('--export', 'csv')).out).toBe('activity,IT,security\r\nconnector approval,R,A\r\n');
    expect((await cli('--export', 'xlsx')).err).toMatch(/--export must be csv or md/);
  });
});
