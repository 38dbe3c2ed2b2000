import type { PolicyTimeWindow, Weekday } from './schema.js';
import { weekdays } from './schema.js';

/**
 * Time windows of `when.time`: days of the week and a local HH:MM-HH:MM range in an IANA time zone (Intl, so
 * daylight-saving changes follow the zone's rules). Days and hours are both read at the instant being decided:
 * a 22:00-06:00 window on [fri] covers Friday 22:00-24:00 and Friday 00:00-06:00, not Saturday morning.
 */
export interface CompiledWindow {
  timezone: string;
  days: ReadonlySet<number> | null;
  /** Minutes after local midnight; `to` exclusive; from > to wraps midnight. Null: the whole day. */
  from: number | null;
  to: number | null;
}

export interface LocalTime {
  /** 0 = Monday … 6 = Sunday. */
  day: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** Throws a readable Error for an unknown zone or an impossible range. */
export function compileWindow(w: PolicyTimeWindow): CompiledWindow {
  const timezone = w.timezone ?? 'UTC';
  try {
    formatter(timezone);
  } catch {
    throw new Error(`"${timezone}" is not an IANA time zone (e.g. Europe/London, America/New_York, UTC)`);
  }
  const days = w.days === undefined ? null : new Set(toList(w.days).map((d: Weekday) => weekdays.indexOf(d)));
  if (w.hours === undefined) return { timezone, days, from: null, to: null };
  const [a, b] = w.hours.split('-') as [string, string];
  const from = minutes(a, false);
  const to = minutes(b, true);
  if (from === to) throw new Error(`hours "${w.hours}" is an empty range; omit hours for the whole day`);
  return { timezone, days, from, to };
}

function minutes(hhmm: string, end: boolean): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  if (m > 59 || h > 24 || (h === 24 && (m !== 0 || !end))) throw new Error(`"${hhmm}" is not a time of day`);
  return h * 60 + m;
}

function toList<T>(v: T | readonly T[]): readonly T[] {
  return Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

/** A time no window contains: what an invalid instant (NaN, beyond ±8.64e15 ms) reads as. */
const NOWHEN: LocalTime = { day: -1, minute: -1 };
const MAX_TIME = 8.64e15;

export function localTime(time: number, timezone: string): LocalTime {
  if (!Number.isFinite(time) || Math.abs(time) > MAX_TIME) return NOWHEN;
  if (timezone === 'UTC' || timezone === 'Etc/UTC') {
    const d = new Date(time);
    return { day: (d.getUTCDay() + 6) % 7, minute: d.getUTCHours() * 60 + d.getUTCMinutes() };
  }
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatter(timezone).formatToParts(time)) {
    if (part.type === 'weekday') day = WEEKDAY_INDEX[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

export function inWindow(w: CompiledWindow, t: LocalTime): boolean {
  if (t.day < 0 || (w.days !== null && !w.days.has(t.day))) return false;
  if (w.from === null || w.to === null) return true;
  return w.from < w.to ? t.minute >= w.from && t.minute < w.to : t.minute >= w.from || t.minute < w.to;
}
