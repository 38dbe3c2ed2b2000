import type { BudgetWindow } from '../contracts/budget.js';

/**
 * Budget windows (issue 5). Calendar windows are UTC: the day, the ISO week (from Monday 00:00), the month. The
 * `5h` window is rolling and kept in one-minute buckets: spend settled in minute m counts while now is before
 * m + 5 h, so it drops out between 4 h 59 min and 5 h after it happened (never later, at most a minute early).
 */
export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Minute buckets in the rolling window. */
export const ROLLING_MINUTES = 300;
export const ROLLING_MS = ROLLING_MINUTES * MINUTE_MS;

export interface WindowBounds {
  /** First millisecond counted (inclusive). */
  start: number;
  /** When the window resets (calendar) or moves on by a minute (rolling); exclusive. */
  end: number;
}

export const isRolling = (w: BudgetWindow): boolean => w === '5h';

export const minuteOf = (now: number): number => Math.floor(now / MINUTE_MS);

export function windowBounds(window: BudgetWindow, now: number): WindowBounds {
  switch (window) {
    case 'daily': {
      const start = Math.floor(now / DAY_MS) * DAY_MS;
      return { start, end: start + DAY_MS };
    }
    case 'weekly': {
      const day = Math.floor(now / DAY_MS);
      // 1970-01-01 was a Thursday: days since the Monday on or before day d are (d + 3) mod 7.
      const start = (day - ((((day + 3) % 7) + 7) % 7)) * DAY_MS;
      return { start, end: start + 7 * DAY_MS };
    }
    case 'monthly': {
      const d = new Date(now);
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      return { start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
    }
    case '5h': {
      const next = (minuteOf(now) + 1) * MINUTE_MS;
      return { start: next - ROLLING_MS, end: next };
    }
  }
}

/**
 * The bucket settled spend is recorded under: the window start for calendar windows, the minute for the rolling
 * window. A reservation remembers it, so a request that starts before midnight is charged to the day it started in.
 */
export function bucketOf(window: BudgetWindow, now: number): number {
  return isRolling(window) ? minuteOf(now) * MINUTE_MS : windowBounds(window, now).start;
}

const WINDOW_WORDS: Record<BudgetWindow, string> = {
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  '5h': 'rolling 5-hour',
};

export const windowWord = (w: BudgetWindow): string => WINDOW_WORDS[w];

/** "It resets at 00:00 UTC." / "…on Monday 2026-11-23 at 00:00 UTC." / rolling: how room comes back. */
export function resetPhrase(window: BudgetWindow, now: number): string {
  const date = new Date(windowBounds(window, now).end).toISOString().slice(0, 10);
  switch (window) {
    case 'daily':
      return 'It resets at 00:00 UTC.';
    case 'weekly':
      return `It resets on Monday ${date} at 00:00 UTC.`;
    case 'monthly':
      return `It resets on ${date} at 00:00 UTC.`;
    case '5h':
      return 'Spend counts for five hours, so room comes back as older requests drop out of the window.';
  }
}
