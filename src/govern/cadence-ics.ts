import type { Cadence, CadenceFrequency } from '../contracts/cadence.js';

/**
 * An iCalendar feed (RFC 5545) of review cadences: one VEVENT per cadence, starting at its next due date and
 * repeating by its frequency, so the reviews land on the owners' and attendees' calendars. Lines end in CRLF, are
 * folded at 75 octets (never inside a UTF-8 character), and TEXT values are escaped (§3.3.11).
 */
export interface CalendarEntry {
  cadence: Cadence;
  nextDue: number;
}

const RRULE: Record<CadenceFrequency, string> = {
  weekly: 'FREQ=WEEKLY',
  monthly: 'FREQ=MONTHLY',
  quarterly: 'FREQ=MONTHLY;INTERVAL=3',
  annual: 'FREQ=YEARLY',
};

export function buildCalendar(
  entries: readonly CalendarEntry[],
  opts: { now: number; orgId: string; name?: string; reviewUrl?: (id: string) => string },
): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Steward//Governance cadences//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(opts.name ?? 'Steward governance reviews')}`,
  ];
  for (const { cadence: c, nextDue } of entries) {
    const owner = [c.ownerPerson, c.ownerRole ? `role ${c.ownerRole}` : null].filter(Boolean).join(', ');
    const attendees = [...c.attendees.people, ...c.attendees.roles.map((r) => `role ${r}`)].join(', ');
    const description = [
      `Owner: ${owner || 'none'}`,
      `Attendees: ${attendees || 'none'}`,
      `Frequency: ${c.frequency}`,
      opts.reviewUrl ? `Record the review: ${opts.reviewUrl(c.id)}` : 'Record the review in Steward.',
    ].join('\n');
    lines.push(
      'BEGIN:VEVENT',
      `UID:${c.id}.${opts.orgId}@steward`,
      `DTSTAMP:${utc(opts.now)}`,
      `DTSTART:${utc(nextDue)}`,
      'DURATION:PT1H',
      `RRULE:${RRULE[c.frequency]}`,
      `SUMMARY:${escapeText(c.name)}`,
      `DESCRIPTION:${escapeText(description)}`,
      'CATEGORIES:GOVERNANCE',
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** `20260301T090000Z` */
export function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** RFC 5545 §3.3.11: backslash, semicolon and comma escaped, newlines as `\n`. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r?\n|\r/g, '\\n');
}

/** §3.1: lines longer than 75 octets continue on lines starting with one space; UTF-8 characters stay whole. */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space takes one octet
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
