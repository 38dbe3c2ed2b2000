import { z } from 'zod';
import { addPeriod, cadenceFrequencies, type Cadence, type CadenceFrequency } from '../contracts/cadence.js';
import { AppError } from '../errors/app-error.js';
import {
  addReview,
  cadenceStatuses,
  countActiveSeats,
  getCadence,
  insertMissingCadences,
  putCadence,
  type CadenceWithStatus,
  type ReviewRecord,
} from '../store/cadences.repo.js';
import type { Store } from '../store/store.js';

/**
 * Governance cadences (docs/governance-operations.md): the four cadences — weekly pilot check-in, monthly
 * steady-state review, quarterly governance review, annual re-evaluation — and the monthly governance forum, seeded
 * per organisation on first use (first occurrence one period after seeding, so nothing is overdue on day one; the
 * forum inactive until switched on), editable, with review records. A forum is required above 50 active seats.
 */
export const FORUM_SEAT_THRESHOLD = 50;
export const ACTIVE_SEAT_WINDOW_DAYS = 30;
const DAY = 86_400_000;

interface Seed {
  id: string;
  kind: string;
  name: string;
  frequency: CadenceFrequency;
  ownerRole: string;
  roles: string[];
  graceDays: number;
  active: boolean;
}

export const DEFAULT_CADENCES: readonly Seed[] = [
  {
    id: 'pilot-check-in',
    kind: 'pilot_check_in',
    name: 'Weekly pilot check-in',
    frequency: 'weekly',
    ownerRole: 'pilot owner',
    roles: ['pilot owner', 'IT', 'security'],
    graceDays: 2,
    active: true,
  },
  {
    id: 'steady-state-review',
    kind: 'steady_state_review',
    name: 'Monthly steady-state review',
    frequency: 'monthly',
    ownerRole: 'pilot owner',
    roles: ['pilot owner', 'IT', 'security'],
    graceDays: 7,
    active: true,
  },
  {
    id: 'quarterly-review',
    kind: 'quarterly_review',
    name: 'Quarterly governance review',
    frequency: 'quarterly',
    ownerRole: 'sponsor',
    roles: ['sponsor', 'pilot owner', 'IT', 'security'],
    graceDays: 14,
    active: true,
  },
  {
    id: 'annual-re-evaluation',
    kind: 'annual_reevaluation',
    name: 'Annual re-evaluation',
    frequency: 'annual',
    ownerRole: 'sponsor',
    roles: ['sponsor', 'pilot owner', 'IT', 'security', 'outside partner'],
    graceDays: 30,
    active: true,
  },
  {
    id: 'governance-forum',
    kind: 'forum',
    name: 'Monthly governance forum',
    frequency: 'monthly',
    ownerRole: 'sponsor',
    roles: ['sponsor', 'pilot owner', 'IT', 'security'],
    graceDays: 7,
    active: false,
  },
];

export async function ensureCadences(store: Store, orgId: string, now: number): Promise<void> {
  await insertMissingCadences(
    store.db,
    orgId,
    DEFAULT_CADENCES.map((s) => ({
      id: s.id,
      kind: s.kind,
      name: s.name,
      frequency: s.frequency,
      ownerPerson: null,
      ownerRole: s.ownerRole,
      attendees: { people: [], roles: s.roles },
      startsAt: addPeriod(now, s.frequency),
      graceDays: s.graceDays,
      active: s.active,
      createdAt: now,
      updatedAt: now,
      updatedBy: 'steward (seed)',
    })),
  );
}

const time = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
    return z.NEVER;
  }
  return n;
});
const email = z.email().max(320);
const roleName = z.string().trim().min(1).max(100);
const attendees = z.strictObject({
  people: z.array(email).max(200).default([]),
  roles: z.array(roleName).max(50).default([]),
});

const cadenceFields = {
  name: z.string().trim().min(1).max(200),
  frequency: z.enum(cadenceFrequencies),
  owner_person: email.nullable().optional(),
  owner_role: roleName.nullable().optional(),
  attendees: attendees.optional(),
  starts_at: time,
  grace_days: z.number().int().min(0).max(365).optional(),
  active: z.boolean().optional(),
};

export const cadenceCreateSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and hyphens')
    .optional(),
  ...cadenceFields,
});
export const cadencePatchSchema = z.strictObject({
  name: cadenceFields.name.optional(),
  frequency: cadenceFields.frequency.optional(),
  owner_person: cadenceFields.owner_person,
  owner_role: cadenceFields.owner_role,
  attendees: cadenceFields.attendees,
  starts_at: time.optional(),
  grace_days: cadenceFields.grace_days,
  active: cadenceFields.active,
});
export const reviewSchema = z.strictObject({
  held_at: time,
  attendees: z.array(z.string().trim().min(1).max(320)).min(1).max(200),
  notes: z.string().max(50_000).default(''),
  decisions: z.array(z.string().trim().min(1).max(2000)).max(200).default([]),
});

const DEFAULT_GRACE: Record<CadenceFrequency, number> = { weekly: 2, monthly: 7, quarterly: 14, annual: 30 };

function requireOwner(c: Cadence): void {
  if (c.ownerPerson === null && c.ownerRole === null) {
    throw new AppError('bad_request', 'owner_person or owner_role: a cadence needs an owner (a person or a role)');
  }
}

export async function createCadence(
  store: Store,
  orgId: string,
  input: z.infer<typeof cadenceCreateSchema>,
  actor: string,
  now = Date.now(),
): Promise<Cadence> {
  await ensureCadences(store, orgId, now);
  const id = input.id ?? `${slug(input.name)}-${now.toString(36)}`;
  if (await getCadence(store.db, orgId, id)) throw new AppError('bad_request', `id: cadence '${id}' already exists`);
  const cadence: Cadence = {
    id,
    name: input.name,
    kind: 'custom',
    frequency: input.frequency,
    ownerPerson: input.owner_person ?? null,
    ownerRole: input.owner_role ?? null,
    attendees: input.attendees ?? { people: [], roles: [] },
    startsAt: input.starts_at,
    graceDays: input.grace_days ?? DEFAULT_GRACE[input.frequency],
    active: input.active ?? true,
    createdAt: now,
    updatedAt: now,
    updatedBy: actor,
  };
  requireOwner(cadence);
  await putCadence(store.db, orgId, cadence);
  return cadence;
}

export async function updateCadence(
  store: Store,
  orgId: string,
  id: string,
  patch: z.infer<typeof cadencePatchSchema>,
  actor: string,
  now = Date.now(),
): Promise<Cadence> {
  await ensureCadences(store, orgId, now);
  const current = await findCadence(store, orgId, id);
  const next: Cadence = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.frequency !== undefined ? { frequency: patch.frequency } : {}),
    ...(patch.owner_person !== undefined ? { ownerPerson: patch.owner_person } : {}),
    ...(patch.owner_role !== undefined ? { ownerRole: patch.owner_role } : {}),
    ...(patch.attendees !== undefined ? { attendees: patch.attendees } : {}),
    ...(patch.starts_at !== undefined ? { startsAt: patch.starts_at } : {}),
    ...(patch.grace_days !== undefined ? { graceDays: patch.grace_days } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    updatedAt: now,
    updatedBy: actor,
  };
  requireOwner(next);
  await putCadence(store.db, orgId, next);
  return next;
}

export async function findCadence(store: Store, orgId: string, id: string): Promise<Cadence> {
  const c = await getCadence(store.db, orgId, id);
  if (!c) throw new AppError('not_found', `no cadence '${id}'`);
  return c;
}

export async function recordReview(
  store: Store,
  orgId: string,
  cadenceId: string,
  input: z.infer<typeof reviewSchema>,
  actor: string,
  now = Date.now(),
): Promise<ReviewRecord> {
  await ensureCadences(store, orgId, now);
  await findCadence(store, orgId, cadenceId);
  if (input.held_at > now + DAY) throw new AppError('bad_request', 'held_at: a review cannot be recorded in advance');
  return addReview(store.db, orgId, {
    cadenceId,
    heldAt: input.held_at,
    attendees: input.attendees,
    notes: input.notes,
    decisions: input.decisions,
    createdAt: now,
    createdBy: actor,
  });
}

export interface CadenceOverview {
  cadences: CadenceWithStatus[];
  forum: { required: boolean; activeSeats: number; threshold: number; windowDays: number };
}

export async function cadenceOverview(store: Store, orgId: string, now = Date.now()): Promise<CadenceOverview> {
  await ensureCadences(store, orgId, now);
  const [cadences, activeSeats] = await Promise.all([
    cadenceStatuses(store.db, orgId, now),
    countActiveSeats(store.db, orgId, now - ACTIVE_SEAT_WINDOW_DAYS * DAY),
  ]);
  return {
    cadences,
    forum: {
      required: activeSeats > FORUM_SEAT_THRESHOLD,
      activeSeats,
      threshold: FORUM_SEAT_THRESHOLD,
      windowDays: ACTIVE_SEAT_WINDOW_DAYS,
    },
  };
}

/** Cadences a person owns or attends (by email), or a role owns or attends. */
export function cadenceConcerns(c: Cadence, filter: { person?: string; role?: string }): boolean {
  const same = (a: string | null, b: string): boolean => a !== null && a.toLowerCase() === b.toLowerCase();
  if (filter.person !== undefined) {
    const p = filter.person;
    if (!same(c.ownerPerson, p) && !c.attendees.people.some((x) => same(x, p))) return false;
  }
  if (filter.role !== undefined) {
    const r = filter.role;
    if (!same(c.ownerRole, r) && !c.attendees.roles.some((x) => same(x, r))) return false;
  }
  return true;
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'cadence'
  );
}
