import type { AuditActor } from '../contracts/audit.js';
import { wellFormed } from './redact-secrets.js';

/**
 * Governance history, policy versions and budgets name who acted with a label (`NAME (token ID)` for an API token,
 * `cli:USER` or `USER (cli)` for the command line, either followed by ` via <meeting>` when a forum decision made
 * the change). The audit entry written beside them needs the structured actor of contracts/audit.ts: this reads the
 * label back. A label of another form is kept whole as a system actor's name, never guessed at.
 */
export interface LabelledActor {
  actor: AuditActor;
  /** The meeting a forum decision was taken in (`… via <meeting>`), when the label names one. */
  via?: string;
}

const TOKEN = /^(.*) \(token ([^()\s]+)\)$/;
const CLI_PREFIX = /^cli:(.+)$/;
const CLI_SUFFIX = /^(.+) \(cli\)$/;

export function actorFromLabel(raw: string): LabelledActor {
  const label = wellFormed(raw);
  const at = label.indexOf(' via ');
  const who = at >= 0 ? label.slice(0, at) : label;
  const via = at >= 0 ? label.slice(at + 5) : undefined;
  const withVia = (actor: AuditActor): LabelledActor => (via === undefined ? { actor } : { actor, via });
  const token = TOKEN.exec(who);
  if (token) return withVia({ kind: 'token', id: token[2] as string, name: token[1] as string });
  const cli = CLI_PREFIX.exec(who) ?? CLI_SUFFIX.exec(who);
  if (cli) return withVia({ kind: 'system', id: 'cli', name: cli[1] as string });
  return withVia({ kind: 'system', id: 'steward', name: who.slice(0, 512) || 'unknown' });
}
