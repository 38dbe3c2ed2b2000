import { describe, expect, it } from 'vitest';
import { bucketOf, minuteOf, resetPhrase, ROLLING_MS, windowBounds } from './budget-windows.js';

const t = (iso: string) => Date.parse(iso);

describe('budget windows', () => {
  it('daily is the UTC day, the last millisecond still inside and midnight starting the next', () => {
    expect(windowBounds('daily', t('2026-11-21T23:59:59.999Z'))).toEqual({
      start: t('2026-11-21T00:00:00Z'),
      end: t('2026-11-22T00:00:00Z'),
    });
    expect(windowBounds('daily', t('2026-11-22T00:00:00Z')).start).toBe(t('2026-11-22T00:00:00Z'));
  });

  it('weekly is the ISO week from Monday 00:00 UTC, Sunday night included', () => {
    // 2026-11-23 is a Monday.
    const week = { start: t('2026-11-23T00:00:00Z'), end: t('2026-11-30T00:00:00Z') };
    expect(windowBounds('weekly', t('2026-11-23T00:00:00Z'))).toEqual(week);
    expect(windowBounds('weekly', t('2026-11-26T12:00:00Z'))).toEqual(week);
    expect(windowBounds('weekly', t('2026-11-29T23:59:59.999Z'))).toEqual(week);
    expect(windowBounds('weekly', t('2026-11-22T23:59:59Z')).start).toBe(t('2026-11-16T00:00:00Z'));
    // Across a year boundary: 2026-01-01 is a Thursday, its ISO week starts Monday 2025-12-29.
    expect(windowBounds('weekly', t('2026-01-01T08:00:00Z')).start).toBe(t('2025-12-29T00:00:00Z'));
    // Before the epoch's Thursday too.
    expect(windowBounds('weekly', t('1970-01-01T00:00:00Z')).start).toBe(t('1969-12-29T00:00:00Z'));
  });

  it('monthly is the UTC month, of whatever length', () => {
    expect(windowBounds('monthly', t('2028-02-29T23:59:59Z'))).toEqual({
      start: t('2028-02-01T00:00:00Z'),
      end: t('2028-03-01T00:00:00Z'),
    });
    expect(windowBounds('monthly', t('2026-12-31T23:59:59.999Z')).end).toBe(t('2027-01-01T00:00:00Z'));
    expect(windowBounds('monthly', t('2027-01-01T00:00:00Z')).start).toBe(t('2027-01-01T00:00:00Z'));
  });

  it('5h rolls by the minute: the window is the 300 minutes ending with the current one', () => {
    const now = t('2026-11-21T12:34:56Z');
    const b = windowBounds('5h', now);
    expect(b.end).toBe(t('2026-11-21T12:35:00Z'));
    expect(b.end - b.start).toBe(ROLLING_MS);
    expect(b.start).toBe(t('2026-11-21T07:35:00Z'));
    // Spend of 07:35:30 still counts at 12:34:59, no longer at 12:35:00.
    const spentAt = bucketOf('5h', t('2026-11-21T07:35:30Z'));
    expect(spentAt).toBeGreaterThanOrEqual(windowBounds('5h', t('2026-11-21T12:34:59Z')).start);
    expect(spentAt).toBeLessThan(windowBounds('5h', t('2026-11-21T12:35:00Z')).start);
    expect(minuteOf(now)).toBe(Math.floor(now / 60_000));
  });

  it('calendar spend is bucketed by window start, rolling spend by minute', () => {
    expect(bucketOf('daily', t('2026-11-21T18:00:00Z'))).toBe(t('2026-11-21T00:00:00Z'));
    expect(bucketOf('weekly', t('2026-11-21T18:00:00Z'))).toBe(t('2026-11-16T00:00:00Z'));
    expect(bucketOf('monthly', t('2026-11-21T18:00:00Z'))).toBe(t('2026-11-01T00:00:00Z'));
    expect(bucketOf('5h', t('2026-11-21T18:00:42Z'))).toBe(t('2026-11-21T18:00:00Z'));
  });

  it('says when a window resets', () => {
    expect(resetPhrase('daily', t('2026-11-21T18:00:00Z'))).toBe('It resets at 00:00 UTC.');
    expect(resetPhrase('weekly', t('2026-11-21T18:00:00Z'))).toBe('It resets on Monday 2026-11-23 at 00:00 UTC.');
    expect(resetPhrase('monthly', t('2026-11-21T18:00:00Z'))).toBe('It resets on 2026-12-01 at 00:00 UTC.');
    expect(resetPhrase('5h', 0)).toMatch(/five hours/);
  });
});
