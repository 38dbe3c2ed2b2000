import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Alias, IdentityHints } from '../contracts/canonical.js';
import type { Database } from '../store/database.js';
import { attachAliases, findAliases, getPeopleByIds, insertPerson, mergePeople } from '../store/people.repo.js';

/**
 * Resolves people from the identifiers sources carry (DESIGN §3) through the alias table:
 * - an unseen alias set creates a person;
 * - a record that carries aliases of two different people links them, and the newer person is merged into the
 *   older one (e.g. a device id seen first, later seen together with the account's email);
 * - `process.owner` (an OS login name such as "admin") is weak: used only when nothing else identifies the
 *   record, and never a reason to merge, because the same login exists on many machines.
 * Resolved alias sets are cached; the cache is cleared on merge. Single-writer by design (the group-commit writer).
 */
const WEAK: ReadonlySet<string> = new Set(['process.owner']);
const CACHE_LIMIT = 100_000;

export class PersonResolver {
  private readonly cache = new Map<string, string>();

  constructor(private readonly orgId = 'default') {}

  /** Returns hints.key → person id (null when the record carries no identifier at all). */
  async resolveAll(
    trx: Transaction<Database>,
    hintsList: Iterable<IdentityHints>,
    now: number,
  ): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const hints of hintsList) {
      if (out.has(hints.key)) continue;
      const cached = this.cache.get(hints.key);
      if (cached !== undefined) {
        out.set(hints.key, cached);
        continue;
      }
      const id = await this.resolveOne(trx, hints, now);
      out.set(hints.key, id);
    }
    return out;
  }

  private async resolveOne(trx: Transaction<Database>, hints: IdentityHints, now: number): Promise<string | null> {
    const strong = hints.aliases.filter((a) => !WEAK.has(a.kind));
    const usable = strong.length ? strong : hints.aliases;
    if (usable.length === 0) return null;
    const found = await findAliases(trx, usable);
    const ownerIds = [...new Set(found.map((f) => f.person_id))];
    let personId: string;
    if (ownerIds.length === 0) {
      personId = randomUUID();
      await insertPerson(trx, {
        id: personId,
        org_id: this.orgId,
        display_name: displayName(hints),
        email: hints.email,
        department: hints.department,
        team: hints.team,
        cost_center: hints.costCenter,
        manager: null,
        is_demo: hints.isDemo ? 1 : 0,
        // Seen-times come from the events (applyPersonUpdates widens them in the same transaction); starting from
        // (now, 0) means the first update sets both to event time, not to the time Steward received the export.
        first_seen: now,
        last_seen: 0,
        merged_into: null,
      });
    } else if (ownerIds.length === 1) {
      personId = ownerIds[0] as string;
    } else {
      personId = await this.merge(trx, ownerIds, found, now);
    }
    const known = new Set(found.map((f) => `${f.kind}\u0000${f.value}`));
    const missing = usable.filter((a) => !known.has(`${a.kind}\u0000${a.value}`));
    await attachAliases(trx, personId, missing, now);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(hints.key, personId);
    return personId;
  }

  private async merge(
    trx: Transaction<Database>,
    ownerIds: string[],
    found: { kind: string; value: string; person_id: string }[],
    now: number,
  ): Promise<string> {
    const people = await getPeopleByIds(trx, ownerIds);
    // The survivor is the earliest-seen person, so ids already shared in links and reports stay stable.
    people.sort((a, b) => a.first_seen - b.first_seen || a.id.localeCompare(b.id));
    const winner = people[0];
    if (!winner) throw new Error('alias points at a missing person');
    for (const loser of people.slice(1)) {
      const link = found.find((f) => f.person_id === loser.id);
      const alias: Alias = { kind: (link?.kind ?? 'user.id') as Alias['kind'], value: link?.value ?? '' };
      await mergePeople(trx, loser.id, winner.id, alias, now);
    }
    this.cache.clear();
    return winner.id;
  }

  /** Forget cached resolutions (after an aborted transaction the cache may point at rolled-back people). */
  reset(): void {
    this.cache.clear();
  }
}

function displayName(h: IdentityHints): string {
  if (h.email) return h.email;
  const pick = (kind: string) => h.aliases.find((a) => a.kind === kind)?.value;
  const account = pick('user.account_id') ?? pick('user.account_uuid') ?? pick('enduser.id');
  if (account) return account;
  const device = pick('user.id');
  if (device) return `device ${device.slice(0, 12)}`;
  return pick('process.owner') ?? 'unknown';
}
