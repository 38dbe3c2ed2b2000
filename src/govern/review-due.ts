import type { Cadence } from './governance-schemas.js';

/**
 * When an object's next review is due: its last review (or, never reviewed, its creation) plus its cadence. Weeks
 * are 7 days; months, quarters and years are calendar steps in UTC, and a day the target month lacks falls back to
 * its last day (reviewed 31 January, monthly → due 28 or 29 February), as a calendar would schedule it.
 */
const MONTHS: Record<Exclude<Cadence, 'weekly'>, number> = { monthly: 1, quarterly: 3, annual: 12 };

export function nextReviewDue(cadence: Cadence, from: number): number {
  if (cadence === 'weekly') return from + 7 * 86_400_000;
  const d = new Date(from);
  const months = d.getUTCMonth() + MONTHS[cadence];
  const year = d.getUTCFullYear() + Math.floor(months / 12);
  const month = months % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}
