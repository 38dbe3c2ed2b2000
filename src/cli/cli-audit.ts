import { userInfo } from 'node:os';
import { redactSecrets } from '../audit/redact-secrets.js';
import { appendEntries } from '../audit/vault-append.js';
import type { AuditActor, AuditEntryInput, AuditSubject } from '../contracts/audit.js';
import type { Config } from '../config/schema.js';
import { isAppError } from '../errors/app-error.js';
import { openStore, type Store } from '../store/store.js';
import { configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * Commands that change the store directly (or hand its data out) are audited like the API's admin actions
 * (issue 7, docs/audit.md "What is audited"): one entry per command, actor `{kind: 'system', id: 'cli', name: <OS
 * user>}`, the action named as the equivalent REST route's (`steward keys create` → `keys.create`, like `POST
 * /api/v1/keys`), success or failure (an exception, or a non-zero exit code set by the command), appended before the
 * store closes. Changes that also write a domain entry in their own transaction (governance history, policy
 * versions) keep both, as over REST.
 *
 * The entry is appended with the vault's own append in one transaction rather than through an AuditService: that
 * would open (and on first use create) the checkpoint signing-key file, which a command-line user on another
 * machine should neither need nor create, and a `steward keys create` that recovers admin access must not depend on
 * it. Checkpoints are the server's.
 */
export function cliActor(): AuditActor {
  return { kind: 'system', id: 'cli', name: userInfo().username };
}

/** What a command tells its entry: the subject (what it acted on), the state after, details. */
export interface CliAuditNote {
  /** Overrides the command's action once it knows better (`keys revoke` of a gateway key → `gateway_keys.delete`). */
  action?: string;
  subject?: AuditSubject;
  after?: unknown;
  details?: Record<string, unknown>;
}

export interface CliAction {
  /** Audit action (`keys.create`). */
  action: string;
  /** The command as typed, without arguments (`keys create`). */
  command: string;
}

/** Appends one command's entry; a failure to append is reported on stderr and fails the command (exit 1). */
export async function recordCliEntry(
  store: Store,
  what: CliAction,
  note: CliAuditNote,
  outcome: 'success' | 'failure',
  error?: unknown,
): Promise<void> {
  const failure =
    error === undefined
      ? {}
      : {
          error: isAppError(error) ? error.code : 'error',
          message: redactSecrets(String(error instanceof Error ? error.message : error).slice(0, 300)),
        };
  const entry: AuditEntryInput = {
    time: Date.now(),
    actor: cliActor(),
    action: note.action ?? what.action,
    subject: note.subject ?? { kind: 'command', id: `steward ${what.command}` },
    outcome,
    ...(note.after !== undefined ? { after: redactSecrets(note.after) } : {}),
    details: { command: `steward ${what.command}`, ...(redactSecrets(note.details ?? {}) as object), ...failure },
  };
  try {
    await store.db.transaction().execute((trx) => appendEntries(trx, store, [entry], Date.now()));
  } catch (err) {
    process.stderr.write(
      `steward: the audit entry of "steward ${what.command}" could not be written: ${(err as Error).message}\n`,
    );
    process.exitCode = 1;
  }
}

/**
 * Opens the configured store for one command, runs it, records its audit entry (`note` filled in by the command),
 * and closes the store whatever happens.
 */
export async function withAuditedStore<T>(
  flags: ConfigFlags,
  what: CliAction,
  fn: (store: Store, note: CliAuditNote, config: Config) => Promise<T>,
): Promise<T> {
  const config = configFromFlags(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const note: CliAuditNote = {};
  const exitBefore = Number(process.exitCode ?? 0);
  try {
    const result = await fn(store, note, config);
    const failed = exitBefore === 0 && Number(process.exitCode ?? 0) !== 0;
    await recordCliEntry(store, what, note, failed ? 'failure' : 'success');
    return result;
  } catch (err) {
    await recordCliEntry(store, what, note, 'failure', err);
    throw err;
  } finally {
    await store.close();
  }
}
