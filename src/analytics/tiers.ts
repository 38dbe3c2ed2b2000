import { DAY_MS } from '../contracts/rollup-columns.js';
import type { TierTable } from '../store/tiers.repo.js';

/**
 * Time tiers of the derived analytics tables (migration 0005): a row aggregates one block of `span` whole UTC days
 * starting at `start`, where span is a power of two up to 64 and start a multiple of span days since the epoch
 * (dyadic blocks). Any run of whole days is covered exactly — no overlap, no gap — by at most two blocks per span
 * (`cover`): a 30-day window reads about six blocks instead of thirty days.
 *
 * Day blocks (span 1) take every fold. A longer block is built once, from its two halves, when all its days are
 * before the refresher's `through` day (compaction); after that, the rare fold for one of its days (an event
 * arriving days late) is added to it directly. Reads use longer blocks only before `through`.
 */
export const TIER_SPANS = [1, 2, 4, 8, 16, 32, 64] as const;
export const MAX_SPAN = 64;

export interface Block {
  span: number;
  /** UTC midnight (epoch ms) of the block's first day. */
  start: number;
}

export const dayNumber = (t: number): number => Math.floor(t / DAY_MS);

/**
 * The blocks a fold for the day holding `t` goes into: its day block, and the longer blocks containing it that are
 * already built (they end at or before `through`).
 */
export function blocksOf(t: number, through: number): Block[] {
  const day = dayNumber(t);
  const out: Block[] = [];
  for (const span of TIER_SPANS) {
    const start = Math.floor(day / span) * span * DAY_MS;
    if (span > 1 && start + span * DAY_MS > through) break;
    out.push({ span, start });
  }
  return out;
}

/**
 * The fewest built blocks covering the whole days [fromDay, toDay) (UTC midnights) exactly: greedily the largest
 * aligned block that starts at the current day and fits; days at or after `through` one by one.
 */
export function cover(fromDay: number, toDay: number, through: number): Block[] {
  const out: Block[] = [];
  let d = dayNumber(fromDay);
  const end = dayNumber(toDay);
  const built = dayNumber(through);
  while (d < end) {
    let span = 1;
    while (span * 2 <= MAX_SPAN && d % (span * 2) === 0 && d + span * 2 <= Math.min(end, built)) span *= 2;
    out.push({ span, start: d * DAY_MS });
    d += span;
  }
  return out;
}

/** Blocks longer than a day that end in (before, after]: built when `through` moves from `before` to `after`. */
export function blocksCompleted(before: number, after: number): Block[] {
  const out: Block[] = [];
  for (const span of TIER_SPANS) {
    if (span === 1) continue;
    const len = span * DAY_MS;
    // Block ends are multiples of len: the first end after `before`.
    for (let end = Math.floor(before / len) * len + len; end <= after; end += len) out.push({ span, start: end - len });
  }
  return out;
}

/**
 * Splits a window [from, to) into the whole UTC days it contains and the parts before and after them. `days` is
 * null when the window holds no whole day.
 */
export function splitWindow(from: number, to: number) {
  const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(to / DAY_MS) * DAY_MS;
  if (firstDay >= lastDay) return { head: { from, to }, days: null, tail: null };
  return {
    head: from < firstDay ? { from, to: firstDay } : null,
    days: { from: firstDay, to: lastDay },
    tail: lastDay < to ? { from: lastDay, to } : null,
  };
}

/** Spreads day-level increments over their day block and the built longer blocks holding it, folding equal keys. */
export function spread<T extends { day: number }>(
  items: Iterable<T>,
  through: number,
  t: TierTable,
): Record<string, unknown>[] {
  const out = new Map<string, Record<string, unknown>>();
  const keyColumns = t.key.filter((c) => c !== 'span' && c !== 'start');
  for (const item of items) {
    const o = item as unknown as Record<string, unknown>;
    let base = '';
    for (const c of keyColumns) base += String(o[c]) + '\u0001';
    for (const b of blocksOf(item.day, through)) {
      const key = `${b.span}\u0001${b.start}\u0001${base}`;
      const row = out.get(key);
      if (!row) {
        const row: Record<string, unknown> = { ...o, span: b.span, start: b.start };
        delete row.day;
        out.set(key, row);
        continue;
      }
      for (const c of t.sum) row[c] = (row[c] as number) + (o[c] as number);
      for (const c of t.min) row[c] = Math.min(row[c] as number, o[c] as number);
      for (const c of t.max) row[c] = Math.max(row[c] as number, o[c] as number);
    }
  }
  return [...out.values()];
}
