import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { latestPolicyVersions, peopleWithEmail, policyAcks, policyVersions } from '../store/governance-read.repo.js';
import { inGovernanceTransaction, insertPolicyAck, insertPolicyVersion } from '../store/governance.repo.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { changeObject, getObject, parseGov, recordHistory } from './governance-objects.js';
import { email, freeText } from './governance-schemas.js';

/**
 * Acceptable-use policy versions and acknowledgements. The current version is the newest one (the highest
 * number): people are asked to acknowledge it from the moment it is published, before its effective date. The
 * reminders list is every known person with an email (the people directory, fed by telemetry and SCIM) who has
 * not acknowledged the current version.
 */
export const policyVersionSchema = z.strictObject({
  body_md: freeText(512 * 1024).min(1),
  effective_date: z.iso.date(),
  owner: email.nullable().optional(),
  approver: email.nullable().optional(),
});
export type PolicyVersionInput = z.infer<typeof policyVersionSchema>;

export const acknowledgementSchema = z.strictObject({
  person: email,
  version: z.number().int().min(1).optional(),
  acknowledged_at: z.iso.datetime({ offset: true }).optional(),
});
export type AcknowledgementInput = z.infer<typeof acknowledgementSchema>;

const iso = (ms: number): string => new Date(ms).toISOString();

export async function currentVersions(store: Store): Promise<Map<string, number>> {
  return latestPolicyVersions(store.db, DEFAULT_ORG);
}

/** Publishes the next version of a policy (owner defaults to the policy's owner). */
export async function addPolicyVersion(
  store: Store,
  policyId: string,
  raw: PolicyVersionInput,
  actor: string,
  now = Date.now(),
) {
  const input = parseGov(policyVersionSchema, raw);
  let version = 0;
  await changeObject(
    store,
    'policy',
    policyId,
    actor,
    'version',
    now,
    (o) => o,
    async (t, before) => {
      const latest = (await policyVersions(t.trx, DEFAULT_ORG, policyId))[0];
      version = (latest?.version ?? 0) + 1;
      const owner = input.owner ?? before.owner;
      const approver = input.approver ?? null;
      await insertPolicyVersion(t, {
        org_id: DEFAULT_ORG,
        policy_id: policyId,
        version,
        body_md: input.body_md,
        effective_date: input.effective_date,
        owner,
        approver,
        created_at: now,
        created_by: actor,
      });
      return { version, effective_date: input.effective_date, owner, approver };
    },
  );
  return (await listPolicyVersions(store, policyId)).find((v) => v.version === version);
}

export async function listPolicyVersions(store: Store, policyId: string) {
  await getObject(store, 'policy', policyId);
  return (await policyVersions(store.db, DEFAULT_ORG, policyId)).map((v) => ({
    version: v.version,
    body_md: v.body_md,
    effective_date: v.effective_date,
    owner: v.owner,
    approver: v.approver,
    created_at: iso(v.created_at),
    created_by: v.created_by,
  }));
}

/** Records that a person acknowledged a version (the current one by default); repeating it changes nothing. */
export async function acknowledgePolicy(
  store: Store,
  policyId: string,
  raw: AcknowledgementInput,
  actor: string,
  now = Date.now(),
) {
  const input = parseGov(acknowledgementSchema, raw);
  await getObject(store, 'policy', policyId);
  const versions = await policyVersions(store.db, DEFAULT_ORG, policyId);
  const version = input.version ?? versions[0]?.version;
  if (version === undefined) throw new AppError('bad_request', 'version: the policy has no published version yet');
  if (!versions.some((v) => v.version === version)) {
    throw new AppError('bad_request', `version: the policy has no version ${version}`);
  }
  const at = input.acknowledged_at ? Date.parse(input.acknowledged_at) : now;
  const recorded = await inGovernanceTransaction(store, async (t) => {
    const row = {
      org_id: DEFAULT_ORG,
      policy_id: policyId,
      version,
      person: input.person,
      acknowledged_at: at,
      recorded_by: actor,
    };
    const inserted = await insertPolicyAck(t, row);
    if (inserted) {
      const after = { version, person: input.person, acknowledged_at: iso(at) };
      await recordHistory(t, {
        kind: 'policy',
        id: policyId,
        action: 'acknowledge',
        actor,
        at: now,
        before: null,
        after,
      });
    }
    return inserted;
  });
  return { policy_id: policyId, version, person: input.person, acknowledged_at: iso(at), recorded: recorded };
}

export async function listAcknowledgements(store: Store, policyId: string, version?: number) {
  await getObject(store, 'policy', policyId);
  return (await policyAcks(store.db, DEFAULT_ORG, policyId, version)).map((a) => ({
    version: a.version,
    person: a.person,
    acknowledged_at: iso(a.acknowledged_at),
    recorded_by: a.recorded_by,
  }));
}

/** Who still has to acknowledge the current version. */
export async function policyReminders(store: Store, policyId: string) {
  const policy = await getObject(store, 'policy', policyId);
  const version = (await policyVersions(store.db, DEFAULT_ORG, policyId))[0]?.version ?? null;
  if (version === null) return { policy_id: policy.id, version: null, people: [] };
  const acked = new Set((await policyAcks(store.db, DEFAULT_ORG, policyId, version)).map((a) => a.person));
  const people = (await peopleWithEmail(store.db, DEFAULT_ORG)).filter((p) => !acked.has(p.email));
  return {
    policy_id: policy.id,
    version,
    people: people.map((p) => ({ person_id: p.id, email: p.email, display_name: p.display_name })),
  };
}
