import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { addPeople } from '../../test/support/people.js';
import { getGovObject, govHistory, peopleWithEmail, policyAcks } from './governance-read.repo.js';
import {
  appendGovHistory,
  inGovernanceTransaction,
  insertGovObject,
  insertPolicyAck,
  lockGovObject,
  updateGovObject,
} from './governance.repo.js';

const ORG = 'default';
const row = {
  id: 'c1',
  org_id: ORG,
  kind: 'connector',
  name: 'github',
  owner: null,
  review_cadence: 'quarterly',
  last_reviewed_at: null,
  next_review_due: 2000,
  home: null,
  status: 'requested',
  fields: '{"transport":"app"}',
  created_at: 1000,
  created_by: 'a',
  updated_at: 1000,
  updated_by: 'a',
};

describe.each(engines)('governance repository on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('writes an object and its history in one transaction, and a failed transaction leaves neither', async () => {
    await inGovernanceTransaction(t.store, async (tx) => {
      await insertGovObject(tx, row);
      await appendGovHistory(tx, { ...entry('create'), before: null, after: '{"name":"github"}' });
    });
    await expect(
      inGovernanceTransaction(t.store, async (tx) => {
        const locked = await lockGovObject(tx, ORG, 'connector', 'c1');
        await updateGovObject(tx, { org_id: ORG, id: locked!.id, status: 'approved', updated_at: 3000 });
        await appendGovHistory(tx, entry('decision'));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await getGovObject(t.store.db, ORG, 'connector', { name: 'github' })).toMatchObject({
      id: 'c1',
      status: 'requested',
      next_review_due: 2000,
    });
    expect((await govHistory(t.store.db, ORG, 'connector', 'c1')).map((h) => h.action)).toEqual(['create']);
    // Names are unique per kind.
    await expect(inGovernanceTransaction(t.store, (tx) => insertGovObject(tx, { ...row, id: 'c2' }))).rejects.toThrow();
  });

  it('keeps the first acknowledgement of a version, and lists people with an email who were not merged away', async () => {
    const ack = { org_id: ORG, policy_id: 'p1', version: 1, person: 'ann@example.com', recorded_by: 'a' };
    expect(await inGovernanceTransaction(t.store, (tx) => insertPolicyAck(tx, { ...ack, acknowledged_at: 5 }))).toBe(
      true,
    );
    expect(await inGovernanceTransaction(t.store, (tx) => insertPolicyAck(tx, { ...ack, acknowledged_at: 9 }))).toBe(
      false,
    );
    expect(await policyAcks(t.store.db, ORG, 'p1')).toMatchObject([{ acknowledged_at: 5 }]);

    await addPeople(t.store, [
      { id: 'a', name: 'Ann', email: 'Ann@Example.com' },
      { id: 'b', name: 'Bob', email: 'bob@example.com', mergedInto: 'a' },
      { id: 'c', name: 'Cy', email: null },
    ]);
    expect(await peopleWithEmail(t.store.db, ORG)).toEqual([
      { id: 'a', email: 'ann@example.com', display_name: 'Ann' },
    ]);
  });
});

function entry(action: string) {
  return {
    org_id: ORG,
    object_kind: 'connector',
    object_id: 'c1',
    action,
    actor: 'a',
    at: 1000,
    before: null,
    after: null,
  };
}
