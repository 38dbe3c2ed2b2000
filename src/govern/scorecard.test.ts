import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { ensureCadences, recordReview } from './cadence.js';
import { createMeeting } from './forum.js';
import { createObject } from './governance-objects.js';
import { scorecardMarkdown, scorecardPdf } from './scorecard-render.js';
import { governanceScorecard, parseQuarter } from './scorecard.js';

const T0 = Date.parse('2026-01-10T09:00:00.000Z');
const NOW = Date.parse('2026-07-15T00:00:00.000Z');
const ADMIN = 'ann (token t1)';

/** The text a PDF shows: the hex strings of its (uncompressed) TJ operators, decoded. */
function pdfText(pdf: Buffer): string {
  const s = pdf.toString('latin1');
  return [...s.matchAll(/\[((?:<[0-9a-f]*>|[\s\d.-])*)\]\s*TJ/g)]
    .map((m) =>
      [...(m[1] ?? '').matchAll(/<([0-9a-f]*)>/g)]
        .map((h) => Buffer.from(h[1] ?? '', 'hex').toString('latin1'))
        .join(''),
    )
    .join('\n');
}

describe('quarters', () => {
  it('parse as YYYY-Qn and refuse anything else', () => {
    expect(parseQuarter('2026-q2')).toEqual({
      label: '2026-Q2',
      from: Date.parse('2026-04-01T00:00:00Z'),
      to: Date.parse('2026-07-01T00:00:00Z'),
    });
    expect(() => parseQuarter('2026-Q5')).toThrow(/YYYY-Qn/);
  });
});

describe.each(engines)('the quarterly scorecard on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('shows a quarterly review overdue at the quarter’s end, each figure beside last quarter’s', async () => {
    await ensureCadences(t.store, 'default', T0);
    await createObject(
      t.store,
      'workspace',
      {
        name: 'Close',
        owner: 'fin@example.com',
        sponsor: 'cfo@example.com',
        purpose: 'Month-end close',
        data_scope: 'Ledger',
        classification: 'confidential',
        folders: ['/srv/close'],
      },
      ADMIN,
      T0,
    );
    await recordReview(
      t.store,
      'default',
      'steady-state-review',
      { held_at: Date.parse('2026-02-12T10:00:00Z'), attendees: ['fin@example.com'], notes: '', decisions: [] },
      ADMIN,
      Date.parse('2026-02-12T10:00:00Z'),
    );
    const q2 = Date.parse('2026-05-05T10:00:00Z');
    await createObject(t.store, 'connector', { name: 'jira', transport: 'app' }, ADMIN, q2);
    await createMeeting(
      t.store,
      { held_at: '2026-05-20', attendees: ['fin@example.com', 'it@example.com'], decisions: ['Keep the pilot going'] },
      ADMIN,
      q2,
    );

    const sc = await governanceScorecard(t.store, '2026-Q2', NOW);
    expect(sc.title).toBe('Governance scorecard 2026-Q2');
    expect(sc.previous.quarter).toBe('2026-Q1');
    const quarterly = (q: typeof sc.current) => q.cadences.items.find((c) => c.id === 'quarterly-review');
    // First due 10 April, 14 days' grace, never held.
    expect(quarterly(sc.current)).toMatchObject({ due: 1, held: 0, overdue_at_end: true });
    expect(quarterly(sc.previous)).toMatchObject({ due: 0, held: 0, overdue_at_end: false });
    expect(sc.current.cadences.overdue).toContain('Quarterly governance review');
    expect(sc.previous.cadences.items.find((c) => c.id === 'steady-state-review')).toMatchObject({ due: 2, held: 1 });
    const kind = (q: typeof sc.current, k: string) => q.objects.find((o) => o.kind === k);
    expect(kind(sc.previous, 'workspace')).toEqual({
      kind: 'workspace',
      objects: 1,
      owner_set: 1,
      fields_complete: 1,
      reviewed_on_time: 1,
    });
    expect(kind(sc.previous, 'connector')?.objects).toBe(0);
    expect(kind(sc.current, 'connector')).toMatchObject({ objects: 1, owner_set: 0, fields_complete: 0 });
    expect(sc.current.forum).toEqual({
      meetings: 1,
      attendees_average: 2,
      distinct_attendees: 2,
      decisions: 1,
      applied: 0,
    });
    expect(sc.previous.forum.meetings).toBe(0);
    const ages = sc.current.findings.by_age;
    expect(ages.up_to_30_days + ages['31_to_90_days'] + ages.over_90_days).toBe(sc.current.findings.open);
    expect(sc.current.findings.by_kind.cadence_overdue).toBeGreaterThan(0);

    const md = scorecardMarkdown(sc);
    expect(md).toMatch(/^# Governance scorecard 2026-Q2\n/);
    expect(md).toContain('| figure | 2026-Q2 | 2026-Q1 (last quarter) |');
    expect(md).toContain('| Quarterly governance review | 0 / 1 OVERDUE | 0 / 0 |');
    expect(md).toContain('| workspace: owner set | 1/1 (100%) | 1/1 (100%) |');
    expect(md).toContain('| meetings | 1 | 0 |');
    expect(md).toContain('Overdue at the end of the quarter: ');

    const pdf = await scorecardPdf(sc, { compress: false });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('Governance scorecard 2026-Q2');
    expect(text).toMatch(/Quarterly governance review\s+0 \/ 1 OVERDUE\s+0 \/ 0/);
  });
});
