import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { governanceFindings, type Finding } from '../govern/governance-findings.js';
import {
  createObject,
  findObjectByName,
  getObject,
  listObjects,
  objectHistory,
  parseGov,
  presentObject,
  reviewObject,
  type GovObject,
} from '../govern/governance-objects.js';
import {
  createSchemas,
  govKinds,
  kindFromWord,
  kindPaths,
  statuses,
  type GovKind,
} from '../govern/governance-schemas.js';
import { currentVersions, policyReminders } from '../govern/governance-policies.js';
import { importSkillMd } from '../govern/governance-skills.js';
import { isAppError } from '../errors/app-error.js';
import { openStore, type Store } from '../store/store.js';
import { withAuditedStore } from './cli-audit.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * `steward gov list|show|add|review|findings` (docs/governance.md): the four inventories from the command line.
 * Like `steward keys` and `steward budgets`, they open the configured store directly; changes are recorded in each
 * object's history as `cli:<os user>`.
 */
const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const who = (): string => `cli:${userInfo().username}`;
const KINDS = govKinds.map((k) => `${k} (${kindPaths[k]})`).join(', ');

async function withStore<T>(flags: ConfigFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const config = configFromFlags(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function kindArg(word: string): GovKind {
  const kind = kindFromWord(word);
  if (!kind) throw new Error(`unknown kind "${word}": one of ${KINDS}`);
  return kind;
}

/** By id, else by name. */
async function find(store: Store, kind: GovKind, ref: string): Promise<GovObject> {
  try {
    return await getObject(store, kind, ref);
  } catch (err) {
    if (!isAppError(err) || err.code !== 'not_found') throw err;
    const byName = await findObjectByName(store, kind, ref);
    if (!byName) throw new Error(`no ${kind} with id or name "${ref}"`);
    return byName;
  }
}

/** Rows padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const day = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));

export function objectTable(objects: readonly GovObject[]): string {
  return table(
    ['NAME', 'STATUS', 'OWNER', 'CADENCE', 'REVIEWED', 'NEXT REVIEW', 'ID'],
    objects.map((o) => [
      o.name,
      o.status,
      o.owner ?? '(none)',
      o.review_cadence,
      day(o.last_reviewed_at),
      day(o.next_review_due),
      o.id,
    ]),
  );
}

export function findingTable(findings: readonly Finding[]): string {
  return table(
    ['KIND', 'OBJECT', 'SUBJECT', 'SINCE', 'DETAIL'],
    findings.map((f) => [f.kind, f.object_kind, f.subject, f.since.slice(0, 10), f.detail]),
  );
}

interface ListFlags extends ConfigFlags {
  status?: string;
  json?: boolean;
}
interface AddFlags extends ConfigFlags {
  file?: string;
  skillMd?: string;
}
interface FindingFlags extends ConfigFlags {
  json?: boolean;
  at?: string;
}

export function registerGovCommand(program: Command): void {
  const gov =
    program.commands.find((c) => c.name() === 'gov') ??
    program.command('gov').description('governance: inventories, RACI, cadences');

  addConfigOptions(
    gov
      .command('list <kind>')
      .description(`the inventory of one kind: ${KINDS}`)
      .option('--status <status>', 'only objects of this status')
      .option('--json', 'print JSON'),
  ).action(async (word: string, flags: ListFlags) => {
    const kind = kindArg(word);
    if (flags.status !== undefined && !statuses[kind].includes(flags.status)) {
      throw new Error(`--status must be one of ${statuses[kind].join(', ')}, got "${flags.status}"`);
    }
    await withStore(flags, async (store) => {
      const objects = await listObjects(store, kind, flags.status);
      if (flags.json) out(JSON.stringify(objects.map(presentObject), null, 2));
      else out(objects.length === 0 ? `no ${kindPaths[kind]}` : objectTable(objects));
    });
  });

  addConfigOptions(
    gov
      .command('show <kind> <id-or-name>')
      .description('one object as JSON, with its history of changes')
      .option('--no-history', 'leave the history out'),
  ).action(async (word: string, ref: string, flags: ConfigFlags & { history: boolean }) => {
    const kind = kindArg(word);
    await withStore(flags, async (store) => {
      const o = await find(store, kind, ref);
      const version = kind === 'policy' ? { current_version: (await currentVersions(store)).get(o.id) ?? null } : {};
      const history = flags.history ? { history: await objectHistory(store, kind, o.id) } : {};
      out(JSON.stringify({ ...presentObject(o), ...version, ...history }, null, 2));
    });
  });

  addConfigOptions(
    gov
      .command('add <kind>')
      .description('add an object from a JSON file (the API body), or a skill from its SKILL.md')
      .option('--file <file>', 'JSON object with the fields of the kind (see docs/governance.md)')
      .option('--skill-md <file>', 'skills: import this SKILL.md (updates the skill of the same name)'),
  ).action(async (word: string, flags: AddFlags) => {
    const kind = kindArg(word);
    if ((flags.file === undefined) === (flags.skillMd === undefined)) throw new Error('give --file or --skill-md');
    const what =
      flags.skillMd !== undefined
        ? { action: 'governance.skills.import', command: 'gov add --skill-md' }
        : { action: `governance.${kindPaths[kind]}.create`, command: 'gov add' };
    await withAuditedStore(flags, what, async (store, note) => {
      if (flags.skillMd !== undefined) {
        if (kind !== 'skill') throw new Error('--skill-md adds skills only');
        const { skill, created } = await importSkillMd(store, await readFile(flags.skillMd, 'utf8'), {}, who());
        note.subject = { kind: 'governance.skills', id: skill.id };
        note.details = { name: skill.name, created };
        out(`${created ? 'created' : 'updated'} skill ${skill.id}: ${skill.name}`);
        return;
      }
      const text = await readFile(flags.file as string, 'utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new Error(`${flags.file}: not JSON (${(err as Error).message})`);
      }
      const o = await createObject(store, kind, parseGov(createSchemas[kind], json), who());
      note.subject = { kind: `governance.${kindPaths[kind]}`, id: o.id };
      note.details = { name: o.name };
      out(`created ${kind} ${o.id}: ${o.name} (next review ${day(o.next_review_due)})`);
    });
  });

  addConfigOptions(gov.command('review <kind> <id-or-name>').description('mark an object reviewed now')).action(
    async (word: string, ref: string, flags: ConfigFlags) => {
      const kind = kindArg(word);
      const what = { action: `governance.${kindPaths[kind]}.review`, command: 'gov review' };
      await withAuditedStore(flags, what, async (store, note) => {
        const o = await reviewObject(store, kind, (await find(store, kind, ref)).id, who());
        note.subject = { kind: `governance.${kindPaths[kind]}`, id: o.id };
        note.details = { name: o.name };
        out(`reviewed ${kind} ${o.name}: next review due ${day(o.next_review_due)}`);
      });
    },
  );

  addConfigOptions(
    gov
      .command('reminders <policy>')
      .description('people who have not acknowledged the current version of an acceptable-use policy')
      .option('--json', 'print JSON'),
  ).action(async (ref: string, flags: ConfigFlags & { json?: boolean }) => {
    await withStore(flags, async (store) => {
      const policy = await find(store, 'policy', ref);
      const r = await policyReminders(store, policy.id);
      if (flags.json) out(JSON.stringify(r, null, 2));
      else if (r.version === null) out(`policy ${policy.name} has no published version yet`);
      else if (r.people.length === 0) out(`everyone has acknowledged version ${r.version} of ${policy.name}`);
      else
        out(
          `${r.people.length} ${r.people.length === 1 ? 'person has' : 'people have'} not acknowledged version ` +
            `${r.version} of ${policy.name}:\n` +
            table(
              ['EMAIL', 'NAME'],
              r.people.map((p) => [p.email, p.display_name]),
            ),
        );
    });
  });

  addConfigOptions(
    gov
      .command('findings')
      .description(
        'declared vs observed (undeclared, retirement candidates, ownerless, overdue reviews) and failure modes',
      )
      .option('--json', 'print JSON')
      .option('--at <time>', 'evaluate as of this ISO 8601 time (default now)'),
  ).action(async (flags: FindingFlags) => {
    const at = flags.at === undefined ? Date.now() : Date.parse(flags.at);
    if (!Number.isFinite(at)) throw new Error(`--at must be an ISO 8601 time, got "${flags.at}"`);
    await withStore(flags, async (store) => {
      const findings = await governanceFindings(store, at);
      if (flags.json) out(JSON.stringify(findings, null, 2));
      else out(findings.length === 0 ? 'no findings' : findingTable(findings));
    });
  });
}
