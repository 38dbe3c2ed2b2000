import { describe, expect, it } from 'vitest';
import { addPeriod, type Cadence } from '../contracts/cadence.js';
import { parseIcs } from '../../test/support/ics-check.js';
import { buildCalendar, escapeText, foldLine } from './cadence-ics.js';

const cadence = (over: Partial<Cadence>): Cadence => ({
  id: 'quarterly-review',
  name: 'Quarterly governance review',
  kind: 'quarterly_review',
  frequency: 'quarterly',
  ownerPerson: null,
  ownerRole: 'sponsor',
  attendees: { people: [], roles: ['sponsor', 'security'] },
  startsAt: 0,
  graceDays: 14,
  active: true,
  createdAt: 0,
  updatedAt: 0,
  updatedBy: 'test',
  ...over,
});

describe('ICS feed', () => {
  it('is a valid VCALENDAR with one VEVENT per cadence', () => {
    const text = buildCalendar(
      [
        { cadence: cadence({}), nextDue: Date.UTC(2026, 2, 1, 9) },
        {
          cadence: cadence({
            id: 'forum',
            name: 'Forum; budget, risks — naïve café ☕ '.repeat(4),
            frequency: 'weekly',
            ownerPerson: 'ana@example.com',
          }),
          nextDue: Date.UTC(2026, 0, 5, 15, 30),
        },
      ],
      { now: Date.UTC(2026, 0, 1), orgId: 'default' },
    );
    const [calendar, ...rest] = parseIcs(text);
    expect(rest).toEqual([]);
    expect(calendar?.name).toBe('VCALENDAR');
    expect(calendar?.props.get('VERSION')).toBe('2.0');
    expect(calendar?.props.get('PRODID')).toBeTruthy();
    const events = calendar?.children as { name: string; props: Map<string, string> }[];
    expect(events.map((e) => e.name)).toEqual(['VEVENT', 'VEVENT']);
    for (const e of events) {
      for (const p of ['UID', 'DTSTAMP', 'DTSTART', 'RRULE', 'SUMMARY']) expect(e.props.has(p), p).toBe(true);
      expect(e.props.get('DTSTAMP')).toBe('20260101T000000Z');
    }
    expect(events[0]?.props.get('DTSTART')).toBe('20260301T090000Z');
    expect(events[0]?.props.get('RRULE')).toBe('FREQ=MONTHLY;INTERVAL=3');
    expect(events[0]?.props.get('UID')).toBe('quarterly-review.default@steward');
    expect(events[1]?.props.get('RRULE')).toBe('FREQ=WEEKLY');
    // Folded and escaped, the long summary unfolds back to the escaped text.
    expect(events[1]?.props.get('SUMMARY')).toBe(escapeText('Forum; budget, risks — naïve café ☕ '.repeat(4)));
    expect(events[1]?.props.get('DESCRIPTION')).toContain('Owner: ana@example.com\\, role sponsor\\nAttendees:');
  });

  it('escapes TEXT and folds at 75 octets without splitting a UTF-8 character', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
    const folded = foldLine(`SUMMARY:${'é'.repeat(80)}`);
    const lines = folded.split('\r\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    expect(lines.slice(1).every((l) => l.startsWith(' '))).toBe(true);
    expect(lines.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(`SUMMARY:${'é'.repeat(80)}`);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
  });
});

describe('cadence periods', () => {
  it('adds calendar months in UTC, clamping to the month end', () => {
    expect(new Date(addPeriod(Date.UTC(2026, 0, 31), 'monthly')).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(new Date(addPeriod(Date.UTC(2026, 10, 15, 9), 'quarterly')).toISOString()).toBe('2027-02-15T09:00:00.000Z');
    expect(new Date(addPeriod(Date.UTC(2024, 1, 29), 'annual')).toISOString()).toBe('2025-02-28T00:00:00.000Z');
    expect(addPeriod(0, 'weekly', 2)).toBe(14 * 86_400_000);
  });
});
