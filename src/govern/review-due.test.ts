import { describe, expect, it } from 'vitest';
import { nextReviewDue } from './review-due.js';

const at = (iso: string) => Date.parse(iso);
const due = (cadence: Parameters<typeof nextReviewDue>[0], iso: string) =>
  new Date(nextReviewDue(cadence, at(iso))).toISOString();

describe('next review due', () => {
  it('adds a week, a calendar month, a quarter or a year to the last review', () => {
    expect(due('weekly', '2026-03-30T10:00:00.000Z')).toBe('2026-04-06T10:00:00.000Z');
    expect(due('monthly', '2026-03-15T10:00:00.000Z')).toBe('2026-04-15T10:00:00.000Z');
    expect(due('quarterly', '2026-11-21T09:30:00.000Z')).toBe('2027-02-21T09:30:00.000Z');
    expect(due('annual', '2026-06-01T00:00:00.000Z')).toBe('2027-06-01T00:00:00.000Z');
  });

  it('falls back to the last day of a shorter month', () => {
    expect(due('monthly', '2026-01-31T12:00:00.000Z')).toBe('2026-02-28T12:00:00.000Z');
    expect(due('monthly', '2028-01-31T12:00:00.000Z')).toBe('2028-02-29T12:00:00.000Z');
    expect(due('quarterly', '2026-11-30T00:00:00.000Z')).toBe('2027-02-28T00:00:00.000Z');
    expect(due('annual', '2028-02-29T00:00:00.000Z')).toBe('2029-02-28T00:00:00.000Z');
  });
});
