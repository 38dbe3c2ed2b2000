/**
 * Governance cadences (issue 6, docs/governance-operations.md): review schedules and when they fall due. Shared by
 * the store (overdue detection for findings), govern/ (the API's view, the calendar feed) and the CLI.
 */
export const cadenceFrequencies = ['weekly', 'monthly', 'quarterly', 'annual'] as const;
export type CadenceFrequency = (typeof cadenceFrequencies)[number];

export interface CadenceAttendees {
  /** Email addresses. */
  people: string[];
  /** RACI role names (`security`, `pilot owner`). */
  roles: string[];
}

export interface Cadence {
  id: string;
  name: string;
  /** `pilot_check_in`, `steady_state_review`, `quarterly_review`, `annual_reevaluation`, `forum` or `custom`. */
  kind: string;
  frequency: CadenceFrequency;
  ownerPerson: string | null;
  ownerRole: string | null;
  attendees: CadenceAttendees;
  /** The first occurrence (epoch ms); later ones follow the frequency. */
  startsAt: number;
  /** Days after the due date before the cadence counts as overdue. */
  graceDays: number;
  active: boolean;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
}

const DAY = 86_400_000;

/** `t` plus `n` periods, in UTC calendar terms (a month after 31 January is the last day of February). */
export function addPeriod(t: number, frequency: CadenceFrequency, n = 1): number {
  if (frequency === 'weekly') return t + 7 * DAY * n;
  const months = n * (frequency === 'monthly' ? 1 : frequency === 'quarterly' ? 3 : 12);
  const d = new Date(t);
  const target = new Date(t);
  target.setUTCDate(1);
  target.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}

export interface CadenceStatus {
  lastReviewAt: number | null;
  /** When the next review is due: a period after the last one, or the first occurrence when none was held. */
  nextDue: number;
  /** Due plus the grace period; past it (and active) the cadence is overdue. */
  overdueAfter: number;
  overdue: boolean;
}

export function cadenceStatus(c: Cadence, lastReviewAt: number | null, now: number): CadenceStatus {
  const nextDue = lastReviewAt === null ? c.startsAt : addPeriod(lastReviewAt, c.frequency);
  const overdueAfter = nextDue + c.graceDays * DAY;
  return { lastReviewAt, nextDue, overdueAfter, overdue: c.active && now > overdueAfter };
}
