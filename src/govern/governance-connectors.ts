import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { connectorDecisions } from '../store/governance-read.repo.js';
import { insertConnectorDecision } from '../store/governance.repo.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { changeObject, getObject, parseGov, type GovObject } from './governance-objects.js';
import { connectorTransitions, statuses, text } from './governance-schemas.js';

/**
 * Connector decisions: a connector's status moves requested → approved | denied → retired only by a decision that
 * says who, when, why and, when it was taken in a meeting, a reference to it. Any other move is refused with a 409
 * `invalid_transition` naming both states.
 */
export const decisionSchema = z.strictObject({
  status: z.enum(statuses.connector),
  reason: text(4000),
  reference: text(500).nullable().optional(),
  decided_at: z.iso.datetime({ offset: true }).optional(),
});
export type DecisionInput = z.infer<typeof decisionSchema>;

export function assertTransition(from: string, to: string): void {
  if (!(connectorTransitions[from] ?? []).includes(to)) {
    const allowed = connectorTransitions[from] ?? [];
    throw new AppError(
      'invalid_transition',
      `a connector cannot go from ${from} to ${to}` +
        (allowed.length > 0 ? ` (from ${from}: ${allowed.join(' or ')})` : ` (${from} is final)`),
      { from, to },
    );
  }
}

export async function decideConnector(
  store: Store,
  id: string,
  raw: DecisionInput,
  actor: string,
  now = Date.now(),
): Promise<GovObject> {
  const input = parseGov(decisionSchema, raw);
  const at = input.decided_at ? Date.parse(input.decided_at) : now;
  return changeObject(
    store,
    'connector',
    id,
    actor,
    'decision',
    now,
    (o) => {
      assertTransition(o.status, input.status);
      return { ...o, status: input.status };
    },
    async (t, before, after) => {
      const decision = {
        id: randomUUID(),
        org_id: DEFAULT_ORG,
        connector_id: id,
        from_status: before.status,
        to_status: after.status,
        decided_by: actor,
        decided_at: at,
        reason: input.reason,
        reference: input.reference ?? null,
      };
      await insertConnectorDecision(t, decision);
      return {
        from: decision.from_status,
        to: decision.to_status,
        reason: decision.reason,
        reference: decision.reference,
      };
    },
  );
}

export async function listDecisions(store: Store, id: string) {
  await getObject(store, 'connector', id);
  return (await connectorDecisions(store.db, DEFAULT_ORG, id)).map((d) => ({
    id: d.id,
    from: d.from_status,
    to: d.to_status,
    decided_by: d.decided_by,
    decided_at: new Date(d.decided_at).toISOString(),
    reason: d.reason,
    reference: d.reference,
  }));
}
