import type { Command } from 'commander';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { initFiles } from '../govern/exchange/init-files.js';

/**
 * `steward init [dir]` (docs/governance.md, "Import, export and init"): writes the smallest useful acceptable-use
 * policy, workspace/connector/skill inventories, RACI and cadence calendar as editable files, for
 * `steward gov import <dir>` to read back. Existing files are never overwritten without `--force` (and then nothing
 * is written when one exists).
 */
export function registerInitCommand(program: Command): void {
  program
    .command('init [dir]')
    .description('write starter governance files (policy, inventories, RACI, cadences) to edit and import')
    .option('--force', 'overwrite files that already exist')
    .option('--owner <email>', 'the owner of every object written (default: none yet, which is a finding)')
    .action(async (dir: string | undefined, flags: { force?: boolean; owner?: string }) => {
      const target = dir ?? 'governance';
      let owner: string | undefined;
      if (flags.owner !== undefined) {
        const parsed = z.email().safeParse(flags.owner.trim());
        if (!parsed.success) throw new Error(`--owner must be an email address, got "${flags.owner}"`);
        owner = parsed.data.toLowerCase();
      }
      const files = initFiles(Date.now(), owner);
      const exists = async (p: string): Promise<boolean> =>
        access(p).then(
          () => true,
          () => false,
        );
      const taken: string[] = [];
      for (const f of files) if (await exists(join(target, f.path))) taken.push(join(target, f.path));
      if (taken.length > 0 && flags.force !== true) {
        throw new Error(
          `${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}; nothing was written (--force overwrites)`,
        );
      }
      await mkdir(target, { recursive: true });
      for (const f of files) await writeFile(join(target, f.path), f.text);
      process.stdout.write(
        `wrote ${files.length} files to ${target}/: ${files.map((f) => f.path).join(', ')}\n` +
          `edit them, then: steward gov import ${target} --dry-run   (and without --dry-run to load them)\n`,
      );
    });
}
