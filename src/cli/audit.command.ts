import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { openAuditService, type AuditService } from '../audit/audit-service.js';
import { verifyBundle } from '../audit/bundle-verify.js';
import { exportBundle } from '../audit/vault-export.js';
import { createHold, listAuditHolds, pruneExpired, releaseAuditHold } from '../audit/vault-retention.js';
import { consistencyProof, inclusionProof } from '../audit/vault-proofs.js';
import { checkStore } from '../audit/vault-verify.js';
import type { Config } from '../config/schema.js';
import { openStore } from '../store/store.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * `steward audit …` (issue 7; names fixed by the issue): export a bundle, verify one offline, sign a checkpoint,
 * print the public key, serve proofs, check the stored log and sealed activity, rotate the key, legal holds and
 * retention. Everything but `verify` works directly on the configured store and key file (no server needed).
 *
 * Exit status: 0 when everything holds; 3 when verification found a bad entry, proof or signature (the first bad
 * index is named on stderr); 1 for usage and I/O errors.
 */
const VERIFY_FAILED = 3;

async function withAudit<T>(flags: ConfigFlags, fn: (a: AuditService, config: Config) => Promise<T>): Promise<T> {
  const config = configFromFlags(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const audit = await openAuditService(store, config, (err) => {
      throw err;
    });
    try {
      return await fn(audit, config);
    } finally {
      await audit.close();
    }
  } finally {
    await store.close();
  }
}

function out(line: string): void {
  process.stdout.write(line + '\n');
}

/** ISO 8601 or epoch ms. */
function time(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be an ISO 8601 time or epoch milliseconds, got "${v}"`);
  return n;
}

function whole(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a whole number, got "${v}"`);
  return Number(v);
}

/** `--key` is a verifier key string or a file of them (one per line, as `steward audit pubkey` prints). */
function verifierKeys(key: string): string[] {
  const text = existsSync(key) ? readFileSync(key, 'utf8') : key;
  const keys = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (keys.length === 0) throw new Error(`--key ${key}: no verifier key found`);
  return keys;
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit vault: export, verify, proofs, keys');

  addConfigOptions(
    audit
      .command('export')
      .description('write a bundle (entries, signed checkpoint, proofs) that `steward audit verify` checks offline')
      .requiredOption('--out <file>', 'bundle file to write')
      .option('--from <time>', 'first entry time (ISO 8601 or epoch ms); default: the beginning')
      .option('--to <time>', 'end of the window, exclusive; default: now')
      .option('--from-index <n>', 'first entry index (instead of --from)')
      .option('--to-index <n>', 'end index, exclusive (instead of --to)'),
  ).action(
    async (flags: ConfigFlags & { out: string; from?: string; to?: string; fromIndex?: string; toIndex?: string }) => {
      await withAudit(flags, async (a) => {
        const written = await exportBundle(a, createWriteStream(flags.out), {
          from: time('from', flags.from),
          to: time('to', flags.to),
          fromIndex: whole('from-index', flags.fromIndex),
          toIndex: whole('to-index', flags.toIndex),
        });
        out(
          `wrote ${flags.out}: entries ${written.from}..${written.to - 1} (${written.to - written.from}) ` +
            `against checkpoint size ${written.size}`,
        );
      });
    },
  );

  audit
    .command('verify <bundle>')
    .description('verify a bundle offline: every entry, proof and signature (exit 0 only if all hold)')
    .requiredOption('--key <key>', 'verifier key string, or a file of them (steward audit pubkey)')
    .action(async (bundle: string, flags: { key: string }) => {
      const keys = verifierKeys(flags.key);
      const lines = createInterface({ input: createReadStream(bundle), crlfDelay: Infinity });
      const result = await verifyBundle(lines, keys);
      if (result.ok) {
        out(`ok: ${result.entries} entries verified against a signed checkpoint of size ${result.size}`);
        return;
      }
      const where = result.firstBadIndex === null ? '' : `first bad index ${result.firstBadIndex}: `;
      process.stderr.write(`steward: verification failed: ${where}${result.reason}\n`);
      process.exitCode = VERIFY_FAILED;
    });

  addConfigOptions(audit.command('checkpoint').description('sign a checkpoint of the log now and print it')).action(
    async (flags: ConfigFlags) => {
      await withAudit(flags, async (a) => {
        const cp = await a.checkpoint(true);
        if (cp) process.stdout.write(cp.note);
      });
    },
  );

  addConfigOptions(audit.command('pubkey').description('print the verifier keys (active first), one per line')).action(
    async (flags: ConfigFlags) => {
      await withAudit(flags, async (a) => {
        for (const k of a.verifierKeys()) out(k);
      });
    },
  );

  addConfigOptions(
    audit
      .command('rotate-key')
      .description('generate a new signing key; the old one is retired but still published')
      .option('--algorithm <alg>', 'ed25519 | ecdsa-p256 (default: config audit.algorithm)'),
  ).action(async (flags: ConfigFlags & { algorithm?: string }) => {
    const alg = flags.algorithm;
    if (alg !== undefined && alg !== 'ed25519' && alg !== 'ecdsa-p256') {
      throw new Error(`--algorithm must be ed25519 or ecdsa-p256, got "${alg}"`);
    }
    await withAudit(flags, async (a) => {
      out(a.rotate(alg));
      const cp = await a.checkpoint(true); // the first checkpoint under the new key
      if (cp) process.stdout.write(cp.note);
    });
  });

  addConfigOptions(
    audit
      .command('proof')
      .description('an inclusion proof (--index [--size]) or a consistency proof (--from-size --to-size), as JSON')
      .option('--index <n>', 'entry index')
      .option('--size <n>', 'tree size (default: the whole log)')
      .option('--from-size <n>', 'older tree size')
      .option('--to-size <n>', 'newer tree size'),
  ).action(async (flags: ConfigFlags & { index?: string; size?: string; fromSize?: string; toSize?: string }) => {
    await withAudit(flags, async (a) => {
      const b64 = (b: Buffer) => b.toString('base64');
      if (flags.index !== undefined) {
        const p = await inclusionProof(a.store, whole('index', flags.index) as number, whole('size', flags.size));
        out(
          JSON.stringify({
            index: p.index,
            size: p.size,
            leaf_hash: b64(p.leafHash),
            proof: p.proof.map(b64),
            root: b64(p.root),
          }),
        );
        return;
      }
      if (flags.fromSize === undefined || flags.toSize === undefined) {
        throw new Error('give --index N, or --from-size M --to-size N');
      }
      const p = await consistencyProof(
        a.store,
        whole('from-size', flags.fromSize) as number,
        whole('to-size', flags.toSize) as number,
      );
      out(
        JSON.stringify({
          from: p.from,
          to: p.to,
          proof: p.proof.map(b64),
          from_root: b64(p.fromRoot),
          to_root: b64(p.toRoot),
        }),
      );
    });
  });

  addConfigOptions(
    audit
      .command('check')
      .description('verify the stored log and the sealed activity rows against the signed checkpoints'),
  ).action(async (flags: ConfigFlags) => {
    await withAudit(flags, async (a) => {
      const report = await checkStore(a.store, a.verifierKeys(), { location: a.location });
      if (report.ok) {
        out(
          `ok: ${report.entries} entries, ${report.seals} activity seals over ${report.sealedEvents} events; ` +
            `latest signed checkpoint size ${report.checkpointSize}`,
        );
        return;
      }
      const where = report.firstBadIndex === null ? '' : `first bad index ${report.firstBadIndex}: `;
      process.stderr.write(`steward: audit check failed: ${where}${report.reason}\n`);
      process.exitCode = VERIFY_FAILED;
    });
  });

  const hold = audit.command('hold').description('legal holds: entries a hold matches are never pruned');
  addConfigOptions(
    hold
      .command('add')
      .description('place a hold (every given criterion must match; none = the whole log)')
      .requiredOption('--name <name>', 'a name for the hold (matter, case number)')
      .requiredOption('--reason <text>', 'why')
      .option('--from <time>', 'entries from this time')
      .option('--to <time>', 'entries before this time')
      .option('--actor <id>', 'entries by this actor id')
      .option('--action <action>', 'entries with this action')
      .option('--subject <id>', 'entries about this subject id'),
  ).action(
    async (
      flags: ConfigFlags & {
        name: string;
        reason: string;
        from?: string;
        to?: string;
        actor?: string;
        action?: string;
        subject?: string;
      },
    ) => {
      await withAudit(flags, async (a) => {
        const id = await createHold(a, 'cli', {
          name: flags.name,
          reason: flags.reason,
          fromTime: time('from', flags.from) ?? null,
          toTime: time('to', flags.to) ?? null,
          actorId: flags.actor ?? null,
          action: flags.action ?? null,
          subjectId: flags.subject ?? null,
        });
        out(id);
      });
    },
  );
  addConfigOptions(hold.command('list').description('live holds').option('--all', 'include released holds')).action(
    async (flags: ConfigFlags & { all?: boolean }) => {
      await withAudit(flags, async (a) => {
        for (const h of await listAuditHolds(a.store, flags.all === true)) {
          const state = h.released_at ? `released ${new Date(h.released_at).toISOString()}` : 'live';
          out(`${h.id}  ${h.name}  ${state}  ${h.reason}`);
        }
      });
    },
  );
  addConfigOptions(hold.command('release <id>').description('release a hold')).action(
    async (id: string, flags: ConfigFlags) => {
      await withAudit(flags, async (a) => {
        if (!(await releaseAuditHold(a, 'cli', id))) throw new Error(`no live hold ${id}`);
        out(`released ${id}`);
      });
    },
  );

  addConfigOptions(
    audit
      .command('retention')
      .description('prune the content of entries past retention (hashes stay; held entries are kept)')
      .option('--older-than-days <n>', 'instead of config audit.retentionDays'),
  ).action(async (flags: ConfigFlags & { olderThanDays?: string }) => {
    await withAudit(flags, async (a, config) => {
      const days = whole('older-than-days', flags.olderThanDays) ?? config.audit.retentionDays;
      if (days === 0) throw new Error('retention is off (audit.retentionDays = 0); give --older-than-days N');
      const r = await pruneExpired(a, days, 'cli');
      out(`pruned ${r.count} entries`);
    });
  });
}
