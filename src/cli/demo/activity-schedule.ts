import { CLAUDE_CODE_RELEASES, COWORK_RELEASES, type AppRelease, type Surface } from './demo-catalog.js';
import type { DemoOrganisation, DemoPerson } from './organisation.js';
import { SeededRandom } from './seeded-random.js';

/**
 * When each person works: which days they are active (adoption start, ramp-up, stalls, weekends), how many
 * sessions they open, at what local working hour, on which surface and app version.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** No session may run past this long; it also keeps every event of the window in the past. */
export const MAX_SESSION_MS = 3 * HOUR_MS;

export interface SessionPlan {
  /** Stable key for the session's own random stream: person, calendar date and ordinal. */
  readonly key: string;
  readonly person: DemoPerson;
  readonly surface: Surface;
  readonly appVersion: string;
  readonly startMs: number;
  /** The script stops opening new prompts after this (the demo never writes the future). */
  readonly notAfterMs: number;
}

/** Local working hours, with a dip at lunch and a tail into the evening. */
const HOUR_WEIGHTS: readonly (readonly [number, number])[] = [
  [8, 4],
  [9, 10],
  [10, 12],
  [11, 11],
  [12, 5],
  [13, 7],
  [14, 11],
  [15, 11],
  [16, 9],
  [17, 5],
  [18, 2],
  [20, 1],
];

/**
 * The person's sessions over the window that ends at `endMs`, ordered by start time. Day `days - 1` is the UTC
 * day containing `endMs`; sessions that could still be running at `endMs` are left out.
 */
export function planSessions(org: DemoOrganisation, person: DemoPerson, endMs: number): SessionPlan[] {
  const plans: SessionPlan[] = [];
  const lastDayStart = Math.floor(endMs / DAY_MS) * DAY_MS;
  const root = new SeededRandom(org.seed).fork(`activity/${person.index}`);
  for (let day = person.adoptionStartDay; day < org.days; day++) {
    const dayStart = lastDayStart - (org.days - 1 - day) * DAY_MS;
    const date = new Date(dayStart).toISOString().slice(0, 10);
    const random = root.fork(date);
    const count = sessionsOnDay(person, day, dayStart, random);
    for (let n = 0; n < count; n++) {
      const hour = random.weighted(HOUR_WEIGHTS);
      const startMs = Math.round(dayStart + (hour - person.utcOffsetHours) * HOUR_MS + random.next() * HOUR_MS);
      // Draw everything before skipping a session, so skipping never shifts the draws of the ones after it.
      const codeRoll = random.next();
      if (startMs + MAX_SESSION_MS > endMs) continue;
      const surface: Surface =
        person.surfaces.length === 1
          ? (person.surfaces[0] as Surface)
          : codeRoll < person.claudeCodeShare
            ? 'claude_code'
            : 'cowork';
      plans.push({
        key: `${person.index}/${date}/${n}`,
        person,
        surface,
        appVersion: versionAt(surface, person, startMs, endMs),
        startMs,
        notAfterMs: startMs + MAX_SESSION_MS,
      });
    }
  }
  return plans.sort((a, b) => a.startMs - b.startMs);
}

function sessionsOnDay(person: DemoPerson, day: number, dayStart: number, random: SeededRandom): number {
  const weekday = new Date(dayStart + person.utcOffsetHours * HOUR_MS).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  let activeProbability = weekend ? 0.04 : 0.78;
  // New adopters ramp up over their first two weeks; people active from day 0 were users before the window.
  const sinceStart = day - person.adoptionStartDay;
  if (person.adoptionStartDay > 0 && sinceStart < 14) activeProbability *= 0.35 + (0.65 * sinceStart) / 14;
  // Stalled adopters go quiet but occasionally come back.
  if (person.stallAfterDay !== null && day > person.stallAfterDay) activeProbability *= 0.06;
  if (!random.chance(activeProbability)) return 0;
  return Math.max(1, random.poisson(person.sessionsPerWorkday));
}

/**
 * The newest release the person had installed at `atMs`, given their upgrade lag. Release dates hang off the UTC
 * day of `endMs`, not the exact instant, so two runs on the same day with the same seed produce the same data
 * (and the store's dedupe keys make the second run a no-op for everything the first one sent).
 */
function versionAt(surface: Surface, person: DemoPerson, atMs: number, endMs: number): string {
  const releases: readonly AppRelease[] = surface === 'claude_code' ? CLAUDE_CODE_RELEASES : COWORK_RELEASES;
  const anchor = Math.floor(endMs / DAY_MS) * DAY_MS;
  let chosen = releases[0] as AppRelease;
  for (const release of releases) {
    const installedAt = anchor - release.releasedDaysAgo * DAY_MS + person.upgradeLagDays * DAY_MS;
    if (installedAt <= atMs) chosen = release;
  }
  return chosen.version;
}
