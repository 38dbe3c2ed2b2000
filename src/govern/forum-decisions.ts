import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import type { Store } from '../store/store.js';
import { decideConnector } from './governance-connectors.js';
import { findObjectByName, getObject, retireObject, updateObject, type GovObject } from './governance-objects.js';
import { govKinds, kindFromWord, text, type GovKind } from './governance-schemas.js';

/**
 * Decisions taken in a forum meeting (docs/governance.md "The forum"). A decision is its text as said and, when it
 * is one of the structured forms below, an action that is applied to the inventory through the objects' own
 * functions — so the object's history records it (connector decisions carry the meeting as their reference):
 *   approve connector NAME [with scopes A, B]   requested → approved (the scopes become its approved OAuth scopes)
 *   deny connector NAME                         requested → denied
 *   approve skill NAME                          → approved
 *   deny skill NAME                             → retired (skills have no denied status: the request is closed)
 *   retire (workspace|connector|skill|policy) NAME
 * Anything else is a free-text decision, recorded as said.
 */
export const actionVerbs = ['approve', 'deny', 'retire'] as const;

export const decisionActionSchema = z.strictObject({
  verb: z.enum(actionVerbs),
  object_kind: z.enum(govKinds),
  /** The object's name or id. */
  object: text(200),
  scopes: z.array(text(300)).max(100).optional(),
});
export type DecisionAction = z.infer<typeof decisionActionSchema>;

export interface DecisionOutcome {
  object_kind: GovKind;
  object_id: string;
  name: string;
  from: string;
  to: string;
}

const unquote = (s: string): string =>
  s
    .trim()
    .replace(/^["'“‘`](.*)["'”’`]$/s, '$1')
    .trim();

/** Reads a decision's text as a structured action, or null for free text. */
export function parseDecisionText(said: string): DecisionAction | null {
  const s = said.trim().replace(/[.;]+$/, '');
  const connector = /^approve\s+connector\s+(.+?)(?:\s+with\s+(?:oauth\s+)?scopes?\s+(.+))?$/i.exec(s);
  if (connector?.[1]) {
    const scopes = connector[2]
      ?.split(/[,\s]+(?:and\s+)?/)
      .map(unquote)
      .filter((x) => x !== '' && x.toLowerCase() !== 'and');
    return { verb: 'approve', object_kind: 'connector', object: unquote(connector[1]), ...(scopes ? { scopes } : {}) };
  }
  const m = /^(approve|deny|retire)\s+(workspace|connector|skill|policy)\s+(.+)$/i.exec(s);
  if (!m?.[1] || !m[2] || !m[3]) return null;
  const verb = m[1].toLowerCase() as DecisionAction['verb'];
  const kind = kindFromWord(m[2]) as GovKind;
  if (verb !== 'retire' && kind !== 'connector' && kind !== 'skill') return null;
  return { verb, object_kind: kind, object: unquote(m[3]) };
}

async function findTarget(store: Store, kind: GovKind, nameOrId: string): Promise<GovObject> {
  const byName = await findObjectByName(store, kind, nameOrId);
  if (byName) return byName;
  try {
    return await getObject(store, kind, nameOrId);
  } catch {
    throw new AppError('not_found', `decision: no ${kind} named "${nameOrId}"`);
  }
}

export interface MeetingRef {
  id: string;
  heldAt: number;
  label: string;
}

/**
 * Applies an action through the objects' functions. `store` may be a transaction's store (the meeting decision is
 * recorded in the same one). Connector changes are decisions referencing the meeting; other changes are made by
 * `actor via <meeting>`, so their history names the meeting too.
 */
export async function applyDecisionAction(
  store: Store,
  action: DecisionAction,
  said: string,
  meeting: MeetingRef,
  actor: string,
  now: number,
): Promise<DecisionOutcome> {
  const target = await findTarget(store, action.object_kind, action.object);
  const by = `${actor} via ${meeting.label}`;
  let after: GovObject;
  if (action.object_kind === 'connector') {
    const status = action.verb === 'approve' ? 'approved' : action.verb === 'deny' ? 'denied' : 'retired';
    if (action.scopes !== undefined && action.verb === 'approve') {
      await updateObject(store, 'connector', target.id, { oauth_scopes: action.scopes }, by, now);
    }
    after = await decideConnector(
      store,
      target.id,
      {
        status,
        reason: said,
        reference: meeting.label,
        decided_at: new Date(Math.min(meeting.heldAt, now)).toISOString(),
      },
      actor,
      now,
    );
  } else if (action.verb === 'approve') {
    after = await updateObject(store, action.object_kind, target.id, { status: 'approved' }, by, now);
  } else {
    if (action.verb === 'deny' && target.status !== 'proposed') {
      throw new AppError(
        'invalid_transition',
        `only a proposed skill can be denied ("${target.name}" is ${target.status})`,
        {
          from: target.status,
          to: 'retired',
        },
      );
    }
    after = await retireObject(store, action.object_kind, target.id, by, now);
  }
  return { object_kind: target.kind, object_id: target.id, name: target.name, from: target.status, to: after.status };
}
