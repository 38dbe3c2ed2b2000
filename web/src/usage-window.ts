import type { Status } from './api/types';

/**
 * The period the Overview and Cost pages summarise: the last N days up to the latest telemetry Steward holds
 * (today, while data is flowing). Anchoring on the latest event keeps a quiet installation from showing empty charts
 * while the page says plainly which days it covers. Whole UTC days, as the API groups them.
 */
export const WINDOW_CHOICES = [7, 30, 90] as const;
export type WindowDays = (typeof WINDOW_CHOICES)[number];
const DAY = 86_400_000;

export function parseDays(raw: string | null): WindowDays {
  const n = Number(raw);
  return (WINDOW_CHOICES as readonly number[]).includes(n) ? (n as WindowDays) : 30;
}

export function usageWindow(status: Status, days: WindowDays): { from: string; to: string; endsAtLatest: boolean } {
  const latest = status.last_event_at ? Date.parse(status.last_event_at) : Date.now();
  const to = (Math.floor(latest / DAY) + 1) * DAY;
  const endsAtLatest = to <= Date.now() - DAY;
  return { from: new Date(to - days * DAY).toISOString(), to: new Date(to).toISOString(), endsAtLatest };
}
