import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { readFile } from 'node:fs/promises';
import { getRaci, putRaci } from '../govern/raci-admin.js';
import { raciMatrixSchema, raciToCsv, raciToMarkdown } from '../govern/raci.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { withAuditedStore } from './cli-audit.js';
import { addConfigOptions, withStore, type ConfigFlags } from './config-options.js';

/**
 * `steward gov raci [--validate] [--export csv|md] [--set file.json]` (docs/governance-operations.md): prints the
 * RACI matrix of the configured store (the seeded default before the first save) as a Markdown table, validates it
 * (exit 1 when an activity has not exactly one A or no R, each problem on stderr), exports it as CSV or Markdown,
 * or replaces it from a JSON file `{"roles": [...], "activities": [{"name", "cells": {"role": "R/A"}}]}`.
 */
interface RaciFlags extends ConfigFlags {
  validate?: boolean;
  export?: string;
  set?: string;
}

/** Adds `raci` to the `gov` command (created here when no other module has registered it yet). */
export function registerGovRaciCommand(program: Command): void {
  const gov =
    program.commands.find((c) => c.name() === 'gov') ??
    program.command('gov').description('governance: inventories, RACI, cadences');
  addConfigOptions(
    gov
      .command('raci')
      .description('show, validate, export or replace the RACI matrix')
      .option('--validate', 'check every activity has exactly one A and at least one R (exit 1 when not)')
      .option('--export <format>', 'print the matrix as csv or md')
      .option('--set <file>', 'replace the matrix with a JSON file (refused when invalid)'),
  ).action(async (flags: RaciFlags) => {
    if (flags.export !== undefined && flags.export !== 'csv' && flags.export !== 'md') {
      throw new Error(`--export must be csv or md, got "${flags.export}"`);
    }
    if (flags.set !== undefined) {
      const file = flags.set;
      const what = { action: 'governance.raci.update', command: 'gov raci --set' };
      await withAuditedStore(flags, what, async (store, note) => {
        note.subject = { kind: 'governance.raci', id: DEFAULT_ORG };
        const parsed = raciMatrixSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
        }
        const saved = await putRaci(store, DEFAULT_ORG, parsed.data, `cli:${userInfo().username}`);
        note.details = { version: saved.version };
        process.stdout.write(`saved RACI version ${saved.version}\n`);
      });
      return;
    }
    const show = async (store: Store): Promise<void> => {
      const state = await getRaci(store, DEFAULT_ORG);
      if (flags.validate) {
        for (const p of state.problems) process.stderr.write(`${p.field}: ${p.message}\n`);
        const n = state.matrix.activities.length;
        if (state.problems.length > 0) process.exitCode = 1;
        else process.stdout.write(`RACI is valid: ${n} activities, each with exactly one A and at least one R\n`);
        if (flags.export === undefined) return;
      }
      process.stdout.write(flags.export === 'csv' ? raciToCsv(state.matrix) : raciToMarkdown(state.matrix));
    };
    // An export hands the matrix out: audited (export.raci); showing or validating it is not.
    if (flags.export === undefined) await withStore(flags, show);
    else {
      const what = { action: 'export.raci', command: 'gov raci --export' };
      await withAuditedStore(flags, what, async (store, note) => {
        note.details = { format: flags.export };
        await show(store);
      });
    }
  });
}
