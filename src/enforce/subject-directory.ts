import type { Alias, AliasKind, IdentityHints } from '../contracts/canonical.js';
import type { DecisionSubject } from '../contracts/policy-decision.js';
import { identifier } from '../ingest/otlp/values.js';
import { findAliases } from '../store/people.repo.js';
import { getAliases, getPerson } from '../store/people-read.repo.js';
import { getSession } from '../store/sessions-read.repo.js';
import type { Store } from '../store/store.js';

/**
 * Who is asking, for the policy's subject conditions and for the recorded decision. Claude Code hook input names a
 * session, not a person, so the person is the one Steward's telemetry already tied to that session; inference hooks
 * name the person by email. The recorded event carries identity hints that resolve to that same person through the
 * alias table (never a bare person id the resolver would not know).
 * Lookups are cached briefly: a hook fires on every tool call of a session. A session not yet seen (its telemetry
 * usually arrives at export time, after the first hooks) is cached for a short while only, so it is found once known.
 */
export interface Subject {
  subject: DecisionSubject;
  identity: IdentityHints | null;
}

const UNKNOWN: Subject = { subject: {}, identity: null };
const STRONG: readonly AliasKind[] = ['user.email', 'user.account_uuid', 'user.account_id', 'enduser.id', 'user.id'];

interface Entry {
  value: Subject;
  until: number;
}

export class SubjectDirectory {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly opts: { knownTtlMs: number; unknownTtlMs: number; maxEntries: number } = {
      knownTtlMs: 60_000,
      unknownTtlMs: 2_000,
      maxEntries: 50_000,
    },
  ) {}

  /**
   * The person behind a Claude Code session; before the session's telemetry is known, the one behind Claude Code's
   * install id (OTel `user.id`) when the command hook sent it, so early decisions still name their person.
   */
  async forSession(
    sessionId: string | null | undefined,
    deviceId: string | null = null,
    now = Date.now(),
  ): Promise<Subject> {
    const device = deviceId && /^[0-9a-f]{64}$/.test(deviceId) ? deviceId : null;
    if (!sessionId && !device) return UNKNOWN;
    return this.cached(`s:${sessionId ?? ''}:${device ?? ''}`, now, async () => {
      // Looked up as ingest stores it (over-long ids are digested).
      const session = sessionId ? await getSession(this.store.db, identifier(sessionId) ?? sessionId) : undefined;
      if (session?.person_id) return this.person(session.person_id);
      if (!device) return UNKNOWN;
      const alias: Alias = { kind: 'user.id', value: device };
      const [found] = await findAliases(this.store.db, [alias]);
      if (found) return this.person(found.person_id);
      // An install not seen yet: its first telemetry export will resolve to the same person through this alias.
      return { subject: {}, identity: hints([alias], null, null, null) };
    });
  }

  async forEmail(email: string | null | undefined, now = Date.now()): Promise<Subject> {
    const e = email?.trim().toLowerCase();
    if (!e) return UNKNOWN;
    return this.cached(`e:${e}`, now, async () => {
      const alias: Alias = { kind: 'user.email', value: e };
      const [found] = await findAliases(this.store.db, [alias]);
      const known = found ? await this.person(found.person_id) : UNKNOWN;
      // A new email still identifies a person: the resolver creates them when the decision is recorded.
      return known.identity ? known : { subject: { email: e }, identity: hints([alias], e, null, null) };
    });
  }

  private async person(personId: string): Promise<Subject> {
    const p = await getPerson(this.store.db, personId);
    if (!p) return UNKNOWN;
    const aliases = await getAliases(this.store.db, p.id);
    const strong = STRONG.map((k) => aliases.find((a) => a.kind === k)).find((a) => a !== undefined);
    const alias = strong ?? aliases[0];
    return {
      subject: { personId: p.id, email: p.email, team: p.team, department: p.department },
      identity: alias ? hints([alias as Alias], p.email, p.department, p.team) : null,
    };
  }

  private async cached(key: string, now: number, load: () => Promise<Subject>): Promise<Subject> {
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = await load();
    if (this.cache.size >= this.opts.maxEntries) this.cache.clear();
    // Known means a person: hints for someone not stored yet (a new install, a new email) are cached briefly, like
    // nobody, so that the person the next commit creates from them is found soon after.
    const known = value.subject.personId !== undefined;
    this.cache.set(key, { value, until: now + (known ? this.opts.knownTtlMs : this.opts.unknownTtlMs) });
    return value;
  }
}

function hints(aliases: Alias[], email: string | null, department: string | null, team: string | null): IdentityHints {
  return {
    key: 'enforce|' + aliases.map((a) => `${a.kind}=${a.value}`).join('|'),
    aliases,
    email,
    department,
    team,
    costCenter: null,
    isDemo: false,
  };
}
