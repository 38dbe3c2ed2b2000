import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import {
  getMeeting,
  insertMeeting,
  insertMeetingDecision,
  listMeetings,
  meetingDecisions,
  nextDecisionSeq,
  updateMeeting,
  type MeetingDecisionRow,
  type MeetingRow,
} from '../store/forum.repo.js';
import type { Database } from '../store/database.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { ensureCadences, recordReview } from './cadence.js';
import {
  applyDecisionAction,
  decisionActionSchema,
  parseDecisionText,
  type DecisionAction,
  type DecisionOutcome,
  type MeetingRef,
} from './forum-decisions.js';
import { appendGovernanceEntries } from './governance-audit.js';
import { parseGov } from './governance-objects.js';
import { freeText, text } from './governance-schemas.js';

/**
 * The governance forum (docs/governance.md "The forum"): meetings (date, attendees, notes) and the decisions taken
 * in them. A meeting held (not more than a day ahead, with attendees) is also recorded as a review of the
 * `governance-forum` cadence, so the cadence's next due date and overdue flag follow the meetings.
 */
export const FORUM_CADENCE_ID = 'governance-forum';
const DAY = 86_400_000;

const when = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : Date.parse(v);
  if (!Number.isFinite(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD), an ISO 8601 time or epoch milliseconds' });
    return z.NEVER;
  }
  return n;
});

export const decisionInputSchema = z.strictObject({
  text: text(2000),
  /** Structured action; without it the text is read (`approve connector X with scopes Y`, …). */
  action: decisionActionSchema.nullable().optional(),
});
export type DecisionInput = z.infer<typeof decisionInputSchema>;

export const meetingCreateSchema = z.strictObject({
  held_at: when,
  title: text(200).optional(),
  attendees: z.array(text(320)).max(200).default([]),
  notes: freeText(100_000).default(''),
  decisions: z
    .array(z.union([text(2000), decisionInputSchema]))
    .max(200)
    .default([]),
});
export const meetingPatchSchema = z.strictObject({
  held_at: when.optional(),
  title: text(200).optional(),
  attendees: z.array(text(320)).max(200).optional(),
  notes: freeText(100_000).optional(),
});

export interface MeetingDecision {
  id: string;
  seq: number;
  text: string;
  action: DecisionAction | null;
  outcome: DecisionOutcome | null;
  decided_at: string;
  decided_by: string;
}

export interface Meeting {
  id: string;
  held_at: string;
  title: string;
  attendees: string[];
  notes: string;
  decisions: MeetingDecision[];
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

const iso = (ms: number): string => new Date(Number(ms)).toISOString();
const day = (ms: number): string => iso(ms).slice(0, 10);

function presentDecision(d: MeetingDecisionRow): MeetingDecision {
  return {
    id: d.id,
    seq: Number(d.seq),
    text: d.text,
    action: d.action === null ? null : (JSON.parse(d.action) as DecisionAction),
    outcome: d.outcome === null ? null : (JSON.parse(d.outcome) as DecisionOutcome),
    decided_at: iso(d.decided_at),
    decided_by: d.decided_by,
  };
}

function present(m: MeetingRow, decisions: readonly MeetingDecisionRow[]): Meeting {
  return {
    id: m.id,
    held_at: iso(m.held_at),
    title: m.title,
    attendees: JSON.parse(m.attendees) as string[],
    notes: m.notes,
    decisions: decisions.filter((d) => d.meeting_id === m.id).map(presentDecision),
    created_at: iso(m.created_at),
    created_by: m.created_by,
    updated_at: iso(m.updated_at),
    updated_by: m.updated_by,
  };
}

/** How decisions and history entries name a meeting. */
export function meetingLabel(m: { id: string; heldAt: number }): string {
  return `forum meeting ${day(m.heldAt)} (${m.id})`;
}

export async function listForumMeetings(
  store: Store,
  range: { from?: number; to?: number; limit?: number } = {},
): Promise<Meeting[]> {
  const rows = await listMeetings(store.db, DEFAULT_ORG, range);
  const decisions = await meetingDecisions(
    store.db,
    DEFAULT_ORG,
    rows.map((r) => r.id),
  );
  return rows.map((r) => present(r, decisions));
}

export async function getForumMeeting(store: Store, id: string): Promise<Meeting> {
  const row = await getMeeting(store.db, DEFAULT_ORG, id);
  if (!row) throw new AppError('not_found', `no meeting ${id}`);
  return present(row, await meetingDecisions(store.db, DEFAULT_ORG, [id]));
}

/** Records a meeting, its forum review and its decisions in one transaction: a refused decision records nothing. */
export async function createMeeting(
  store: Store,
  raw: z.input<typeof meetingCreateSchema>,
  actor: string,
  now = Date.now(),
): Promise<Meeting> {
  const input = parseGov(meetingCreateSchema, raw);
  const id = randomUUID();
  const run = async (s: Store): Promise<void> => {
    await insertMeeting(s.db, {
      id,
      org_id: DEFAULT_ORG,
      held_at: input.held_at,
      title: input.title ?? `Governance forum ${day(input.held_at)}`,
      attendees: JSON.stringify(input.attendees),
      notes: input.notes,
      created_at: now,
      created_by: actor,
      updated_at: now,
      updated_by: actor,
    });
    if (input.attendees.length > 0 && input.held_at <= now + DAY) {
      await ensureCadences(s, DEFAULT_ORG, now);
      await recordReview(
        s,
        DEFAULT_ORG,
        FORUM_CADENCE_ID,
        { held_at: input.held_at, attendees: input.attendees, notes: input.notes, decisions: [] },
        actor,
        now,
      );
    }
    for (const d of input.decisions) await recordDecision(s, id, typeof d === 'string' ? { text: d } : d, actor, now);
  };
  if (store.db.isTransaction) await run(store);
  else await store.db.transaction().execute((trx) => run({ ...store, db: trx }));
  return getForumMeeting(store, id);
}

export async function changeMeeting(
  store: Store,
  id: string,
  raw: z.input<typeof meetingPatchSchema>,
  actor: string,
  now = Date.now(),
): Promise<Meeting> {
  const patch = parseGov(meetingPatchSchema, raw);
  await getForumMeeting(store, id);
  await updateMeeting(store.db, DEFAULT_ORG, id, {
    ...(patch.held_at !== undefined ? { held_at: patch.held_at } : {}),
    ...(patch.title !== undefined ? { title: patch.title } : {}),
    ...(patch.attendees !== undefined ? { attendees: JSON.stringify(patch.attendees) } : {}),
    ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
    updated_at: now,
    updated_by: actor,
  });
  return getForumMeeting(store, id);
}

/**
 * Records a decision in a meeting; a structured one (given, or read from the text) is applied to the inventory in
 * the same transaction — if the change is refused (unknown object, invalid transition) nothing is recorded.
 */
export async function recordDecision(
  store: Store,
  meetingId: string,
  raw: DecisionInput,
  actor: string,
  now = Date.now(),
): Promise<MeetingDecision> {
  const input = parseGov(decisionInputSchema, raw);
  const row = await getMeeting(store.db, DEFAULT_ORG, meetingId);
  if (!row) throw new AppError('not_found', `no meeting ${meetingId}`);
  const action = input.action === undefined ? parseDecisionText(input.text) : input.action;
  const ref: MeetingRef = {
    id: row.id,
    heldAt: Number(row.held_at),
    label: meetingLabel({ id: row.id, heldAt: Number(row.held_at) }),
  };
  const run = async (s: Store): Promise<MeetingDecisionRow> => {
    const outcome = action ? await applyDecisionAction(s, action, input.text, ref, actor, now) : null;
    const decision = {
      id: randomUUID(),
      org_id: DEFAULT_ORG,
      meeting_id: meetingId,
      seq: await nextDecisionSeq(s.db, DEFAULT_ORG, meetingId),
      text: input.text,
      action: action ? JSON.stringify(action) : null,
      outcome: outcome ? JSON.stringify(outcome) : null,
      decided_at: now,
      decided_by: actor,
    };
    await insertMeetingDecision(s.db, decision);
    await appendGovernanceEntries(s.db as Transaction<Database>, s, [
      {
        action: 'forum.decision',
        actor,
        at: now,
        subject: { kind: 'meeting', id: meetingId },
        after: { id: decision.id, seq: decision.seq, text: input.text, action, outcome },
        details: { meeting: ref.label },
      },
    ]);
    return decision;
  };
  const saved = store.db.isTransaction
    ? await run(store)
    : await store.db.transaction().execute((trx) => run({ ...store, db: trx }));
  return presentDecision(saved);
}
