import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { aliasKinds, type AliasKind, type IdentityHints } from '../contracts/canonical.js';
import { PersonResolver } from './person-resolver.js';

function hints(attrs: Partial<Record<AliasKind, string>>): IdentityHints {
  const aliases = aliasKinds
    .filter((k) => attrs[k] !== undefined)
    .map((kind) => ({
      kind,
      value: kind === 'user.email' ? attrs[kind]!.toLowerCase() : attrs[kind]!,
    }));
  return {
    key: aliases.map((a) => `${a.kind}=${a.value};`).join(''),
    aliases,
    email: aliases.find((a) => a.kind === 'user.email')?.value ?? null,
    department: null,
    team: null,
    costCenter: null,
    isDemo: false,
  };
}

describe.each(engines)('PersonResolver on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  let clock = 1_000;
  async function resolve(r: PersonResolver, h: IdentityHints): Promise<string | null> {
    clock += 1;
    return t.store.db.transaction().execute(async (trx) => (await r.resolveAll(trx, [h], clock)).get(h.key) ?? null);
  }

  it('creates one person per unseen identifier set and reuses it', async () => {
    const r = new PersonResolver();
    const a = await resolve(r, hints({ 'user.id': 'dev-a' }));
    const again = await resolve(new PersonResolver(), hints({ 'user.id': 'dev-a' }));
    expect(a).not.toBeNull();
    expect(again).toBe(a);
  });

  it('links a device id to an email seen later on the same record, then merges a separately seen email person', async () => {
    const r = new PersonResolver();
    const device = await resolve(r, hints({ 'user.id': 'dev-b' }));
    const byEmail = await resolve(r, hints({ 'user.email': 'Ann@Example.com' }));
    expect(device).not.toBe(byEmail);
    // A Cowork record carrying both identifiers links the two: the later person folds into the earlier one.
    const linked = await resolve(r, hints({ 'user.id': 'dev-b', 'user.email': 'ann@example.com' }));
    expect(linked).toBe(device);
    const survivors = await t.store.db.selectFrom('people').selectAll().where('merged_into', 'is', null).execute();
    expect(survivors).toHaveLength(1);
    expect(survivors[0]!.email).toBe('ann@example.com');
    const aliases = await t.store.db.selectFrom('person_aliases').selectAll().execute();
    expect(new Set(aliases.map((x) => x.person_id))).toEqual(new Set([device]));
    const merges = await t.store.db.selectFrom('person_merges').selectAll().execute();
    expect(merges).toHaveLength(1);
    expect(merges[0]).toMatchObject({ from_id: byEmail, into_id: device });
  });

  it('never merges on the weak process.owner alias', async () => {
    const r = new PersonResolver();
    const a = await resolve(r, hints({ 'enduser.id': 'alice', 'process.owner': 'admin' }));
    const b = await resolve(r, hints({ 'enduser.id': 'bob', 'process.owner': 'admin' }));
    expect(a).not.toBe(b);
    const onlyOwner = await resolve(r, hints({ 'process.owner': 'carol-laptop' }));
    expect(onlyOwner).not.toBeNull();
  });

  it('returns null for records without any identifier', async () => {
    expect(await resolve(new PersonResolver(), hints({}))).toBeNull();
  });
});
