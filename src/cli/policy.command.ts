import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { findVersion } from '../api/policy.routes.js';
import { auditPolicyWrites } from '../audit/policy-audit.js';
import { compileStored, defaultPolicy, policyInForce, scannerFor, storedVersionLabel } from '../api/policy-source.js';
import { BacktestTally, type BacktestSummary, type ReplayEvent } from '../policy/backtest.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { diffLines } from '../policy/diff.js';
import { formatProblem, loadPolicy, type LoadResult } from '../policy/load.js';
import { policyJsonSchema } from '../policy/schema.js';
import { parseTestFile, runCase } from '../policy/test-cases.js';
import {
  activatePolicyVersion,
  insertPolicyVersion,
  listPolicyVersions,
  readBacktestEvents,
  type BacktestEventRow,
} from '../store/policies.repo.js';
import { openStore, type Store } from '../store/store.js';
import { cliActor, withAuditedStore } from './cli-audit.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';
import { registerPolicyCompileCommand } from './policy-compile.command.js';

/**
 * `steward policy …` (docs/policy.md): validate, test, backtest, push, activate, list, diff, schema, and compile
 * (policy-compile.command.ts, docs/managed-settings.md). Commands that
 * read or write stored versions open the configured store directly, like `steward keys`. Problems are printed as
 * `file:line:column: rule "id": path: message`, one per line, and the exit code is 1 — the form CI annotates.
 */
const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const err = (s: string): void => void process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Loads a policy file, printing every problem; null (exit code 1 set) when it does not load. */
function loadFile(file: string): (LoadResult & { ok: true }) | null {
  const r = loadPolicy(readText(file), { file });
  for (const w of r.warnings) err(formatProblem(w));
  if (!r.ok) {
    for (const e of r.errors) err(formatProblem(e));
    process.exitCode = 1;
    return null;
  }
  return r;
}

async function withStore<T>(flags: ConfigFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const config = configFromFlags(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const DURATION = /^(\d+)\s*([mhdw])$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30d`, `12h`, `2w`, `90m` before now, or an ISO 8601 time. */
export function parseSince(value: string, now: number): number {
  const d = DURATION.exec(value.trim());
  if (d) return now - Number(d[1]) * (UNIT_MS[d[2] as string] as number);
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new Error(`"${value}" is neither a duration (30d, 12h, 2w) nor an ISO 8601 time`);
  return t;
}

export function registerPolicyCommand(program: Command): void {
  const policy = program.command('policy').description('policy as code: validate, test, backtest, version, compile');
  registerPolicyCompileCommand(policy);

  policy
    .command('validate')
    .description('check a policy file; prints file:line:column: rule: problem and exits 1 on errors')
    .argument('<file>')
    .action((file: string) => {
      const r = loadFile(file);
      if (r) out(`${file}: ok — "${r.policy.name}", ${r.policy.rules.length} rules`);
    });

  policy
    .command('schema')
    .description('print the JSON Schema of the policy language (for editor validation)')
    .action(() => out(JSON.stringify(policyJsonSchema(), null, 2)));

  policy
    .command('test')
    .description('run YAML test cases (input → expected action/rule) against a policy; exit 1 on a failure')
    .argument('<cases>', 'cases file (docs/policy.md)')
    .option('--policy <file>', "policy to test (default: the cases file's `policy:`, else the shipped default)")
    .action((casesFile: string, flags: { policy?: string }) => {
      const parsed = parseTestFile(readText(casesFile));
      if (!parsed.ok) throw new Error(`${casesFile}: ${parsed.error}`);
      const policyFile =
        flags.policy ?? (parsed.file.policy ? resolve(dirname(casesFile), parsed.file.policy) : undefined);
      let compiled: CompiledPolicy;
      if (policyFile === undefined) compiled = defaultPolicy();
      else {
        const r = loadFile(policyFile);
        if (!r) return;
        compiled = r.policy;
      }
      const scanText = scannerFor(compiled);
      let failed = 0;
      for (const c of parsed.file.cases) {
        const res = runCase(compiled, c, scanText);
        if (res.passed) out(`✓ ${res.name}`);
        else {
          failed++;
          out(`✗ ${res.name}\n    ${res.problems.join('\n    ')}`);
        }
      }
      const total = parsed.file.cases.length;
      out(`${total - failed} passed, ${failed} failed (policy "${compiled.name}", ${compiled.version})`);
      if (failed > 0) process.exitCode = 1;
    });

  addConfigOptions(
    policy
      .command('backtest')
      .description('replay stored prompts, tool calls and model requests against a policy: what it would have done')
      .requiredOption('--since <when>', 'window start: a duration before now (30d, 12h, 2w) or an ISO 8601 time')
      .option('--until <when>', 'window end (default now)')
      .option('--policy <file>', 'the draft to replay (default: the policy in force)')
      .option('--examples <n>', 'examples per rule', '3')
      .option('--json', 'print the summary as JSON'),
  ).action(
    async (
      flags: ConfigFlags & { since: string; until?: string; policy?: string; examples: string; json?: boolean },
    ) => {
      const now = Date.now();
      const from = parseSince(flags.since, now);
      const to = flags.until === undefined ? now : parseSince(flags.until, now);
      if (to <= from) throw new Error('--until must be after --since');
      const examples = Number(flags.examples);
      if (!Number.isInteger(examples) || examples < 0) throw new Error('--examples must be a whole number');
      let draft: CompiledPolicy | null = null;
      if (flags.policy !== undefined) {
        const r = loadFile(flags.policy);
        if (!r) return;
        draft = r.policy;
      }
      await withStore(flags, async (store) => {
        const compiled = draft ?? (await policyInForce(store)).policy;
        const tally = new BacktestTally(compiled, scannerFor(compiled), examples);
        let withText = 0;
        let after: { time: number; id: number } | undefined;
        for (;;) {
          const page = await readBacktestEvents(store.db, { from, to, after, limit: 2000 });
          for (const e of page) {
            if (e.content) withText++;
            tally.add(replayOf(e));
          }
          const last = page[page.length - 1];
          if (page.length < 2000 || !last) break;
          after = { time: last.time, id: last.id };
        }
        const summary = tally.summary();
        if (flags.json)
          out(
            JSON.stringify(
              { from: iso(from), to: iso(to), policy: compiled.name, eventsWithText: withText, ...summary },
              null,
              2,
            ),
          );
        else out(renderBacktest(summary, compiled.name, from, to, withText));
      });
    },
  );

  addConfigOptions(
    policy
      .command('push')
      .description('store a policy file as a new version (validated first)')
      .argument('<file>')
      .option('--activate', 'make it the active version')
      .option('--comment <text>', 'why this version')
      .option('--author <name>', 'who pushes it (default: the OS user)'),
  ).action(async (file: string, flags: ConfigFlags & { activate?: boolean; comment?: string; author?: string }) => {
    const r = loadFile(file);
    if (!r) return;
    await withAuditedStore(flags, { action: 'policy.versions.create', command: 'policy push' }, async (store, note) => {
      const row = await insertPolicyVersion(store, {
        name: r.document.name,
        yaml: readText(file),
        sha256: r.digest,
        author: flags.author ?? `${userInfo().username} (cli)`,
        comment: flags.comment ?? null,
        activate: flags.activate === true,
        onWrite: auditPolicyWrites(store, cliActor()),
      });
      note.subject = { kind: 'policy.versions', id: row.id };
      note.after = { version: row.version, name: row.name, sha256: row.sha256, status: row.status };
      out(`pushed ${storedVersionLabel(row)} (${row.id}) "${row.name}": ${row.status}`);
    });
  });

  addConfigOptions(
    policy
      .command('activate')
      .description('make a stored version the active policy')
      .argument('<version>', 'number, vN or id'),
  ).action(async (ref: string, flags: ConfigFlags) => {
    const what = { action: 'policy.versions.activate', command: 'policy activate' };
    await withAuditedStore(flags, what, async (store, note) => {
      note.subject = { kind: 'policy.versions', id: ref };
      const row = await findVersion(store, ref);
      note.subject = { kind: 'policy.versions', id: row.id };
      compileStored(row);
      await activatePolicyVersion(store, row.id, `${userInfo().username} (cli)`, {
        onWrite: auditPolicyWrites(store, cliActor()),
      });
      out(`activated ${storedVersionLabel(row)} "${row.name}"`);
    });
  });

  addConfigOptions(policy.command('list').description('stored policy versions, newest first')).action(
    async (flags: ConfigFlags) => {
      await withStore(flags, async (store) => {
        const rows = await listPolicyVersions(store.db, { limit: 500 });
        if (rows.length === 0) out('no stored versions: the shipped default policy is in force');
        for (const v of rows) {
          const label = storedVersionLabel(v).padEnd(5);
          const comment = v.comment ? `  ${v.comment}` : '';
          out(`${label} ${v.status.padEnd(7)} ${iso(v.created_at)}  ${v.author}  "${v.name}"${comment}`);
        }
      });
    },
  );

  addConfigOptions(
    policy
      .command('diff')
      .description('line diff between two versions (number, vN or id) or files')
      .argument('<a>')
      .argument('<b>'),
  ).action(async (a: string, b: string, flags: ConfigFlags) => {
    const isFile = (ref: string): boolean => existsSync(ref) && !/^v?\d+$/.test(ref);
    const needStore = !isFile(a) || !isFile(b);
    const read = async (store: Store | null, ref: string): Promise<{ label: string; text: string }> => {
      if (isFile(ref)) return { label: ref, text: readText(ref) };
      const row = await findVersion(store as Store, ref);
      return { label: storedVersionLabel(row), text: row.yaml };
    };
    const run = async (store: Store | null): Promise<void> => {
      const [x, y] = [await read(store, a), await read(store, b)];
      const d = diffLines(x.text, y.text, { old: x.label, new: y.label });
      out(d.unified === '' ? `${x.label} and ${y.label} are identical` : d.unified);
    };
    if (needStore) await withStore(flags, run);
    else await run(null);
  });
}

function replayOf(e: BacktestEventRow): ReplayEvent {
  return {
    id: e.id,
    time: e.time,
    kind: e.kind,
    surface: e.surface,
    personId: e.person_id,
    email: e.email,
    department: e.department,
    team: e.team,
    sessionId: e.session_id,
    promptId: e.prompt_id,
    tool: e.tool,
    toolUseId: e.tool_use_id,
    mcpServer: e.mcp_server,
    mcpTool: e.mcp_tool,
    model: e.model,
    decision: e.decision,
    content: e.content,
    attrs: parseAttrs(e.attrs),
  };
}

function parseAttrs(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function renderBacktest(s: BacktestSummary, name: string, from: number, to: number, withText: number): string {
  const lines = [
    `Backtest of "${name}" (${s.policyVersion}) from ${iso(from)} to ${iso(to)}`,
    `${s.events} events read, ${s.evaluated} decisions replayed, ${withText} with stored text`,
    `would deny ${s.byAction.deny}, ask ${s.byAction.ask}, redact ${s.byAction.redact}, warn ${s.byAction.warn}, allow ${s.byAction.allow}`,
  ];
  if (withText === 0 && s.evaluated > 0) {
    lines.push(
      'note: no prompt text or tool input was stored in this window (content.capture off), so rules on content ' +
        'could only be replayed on what telemetry kept',
    );
  }
  if (s.byRule.length > 0) lines.push('', 'By rule:');
  for (const r of s.byRule) {
    lines.push(`  ${r.ruleId}  ${r.action}  ${r.count} (${r.people} ${r.people === 1 ? 'person' : 'people'})`);
    for (const e of r.examples) lines.push(`    ${iso(e.time)}  ${e.person ?? '(unknown)'}  ${e.summary}`);
  }
  if (s.byPerson.length > 0) lines.push('', 'By person:');
  for (const p of s.byPerson) {
    const parts = (['deny', 'ask', 'redact', 'warn'] as const)
      .filter((a) => p.counts[a] > 0)
      .map((a) => `${a} ${p.counts[a]}`);
    lines.push(`  ${p.person}  ${parts.join(', ')}`);
  }
  return lines.join('\n');
}
