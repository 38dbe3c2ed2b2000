import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../../test/support/fixtures.js';
import { SealDigest } from '../../audit/activity-seal.js';
import { auditEntriesForCommit } from '../../audit/commit-entries.js';
import { EVENT_COLUMNS, COL, type EventValues } from '../../contracts/event-columns.js';
import { normaliseLogs } from '../normalise/normalise-logs.js';
import { prepareBatch } from '../prepare-batch.js';
import { fromTextBatch, TextBatchBuilder, toTextBatch } from './rows-text.js';

const normalised = () =>
  normaliseLogs(fixtureJson('otlp/http-json/logs.json'), {
    capture: 'redacted',
    limits: { maxValueBytes: 65536 },
    now: () => 1_800_000_000_000,
  });
const capture = () => prepareBatch(normalised());

/** Values a stored column can hold: text (line feeds, U+2028, lone surrogates included), finite numbers, null. */
const value = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('a\nb', '\u2028', '\uD800', '{"k":"v\\n"}', ''),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constant(null),
);
const row = fc.array(value, { minLength: EVENT_COLUMNS.length, maxLength: EVENT_COLUMNS.length });

function withoutRows(b: ReturnType<typeof capture>): Omit<ReturnType<typeof capture>, 'rows'> {
  const rest: Partial<ReturnType<typeof capture>> = { ...b };
  delete rest.rows;
  return rest as Omit<ReturnType<typeof capture>, 'rows'>;
}

describe('rows as text between the decode workers and the writer thread', () => {
  it('come back as the same values, person_id empty, with everything else of the batch', () => {
    const before = capture();
    const expected = structuredClone(before.rows);
    const rest = structuredClone(withoutRows(before));
    const after = fromTextBatch(structuredClone(toTextBatch(before)));
    expect(after.rows).toEqual(expected);
    expect(withoutRows(after)).toEqual(rest);
  });

  it('round-trip any stored values, and their text is what the activity seal hashes for those rows', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        for (const r of rows) r[COL.person_id] = null;
        const expected = structuredClone(rows);
        const direct = new SealDigest();
        for (const r of expected) direct.addValues(r);
        const text = toTextBatch({ ...withoutRows(capture()), rows });
        expect(fromTextBatch(text).rows).toEqual(expected.map((r) => r.map((v) => (Object.is(v, -0) ? 0 : v))));
        const fromText = new SealDigest();
        fromText.addLines(text.rowsText, text.rowCount);
        expect(fromText.hex()).toBe(direct.hex());
      }),
      { numRuns: 300 },
    );
  });

  it('seal a commit from the text when every row was inserted in order, and from the values otherwise', () => {
    const rows = capture().rows;
    const expected = structuredClone(rows);
    const text = toTextBatch({ ...withoutRows(capture()), rows });
    const values = fromTextBatch(text).rows as EventValues[];
    const ids = values.map((_, i) => 100 + i);
    const digestOf = (entries: ReturnType<typeof auditEntriesForCommit>) =>
      (entries.find((e) => e.action === 'activity.seal')?.details as { digest: string }).digest;
    const fromValues = digestOf(auditEntriesForCommit(expected, ids, 0, true));
    const texts = [{ text: text.rowsText, count: text.rowCount }];
    expect(digestOf(auditEntriesForCommit(values, ids, 0, true, texts))).toBe(fromValues);
    // A duplicate skipped: the seal covers the inserted rows only, so the text as a whole no longer applies.
    const skipped = ids.map((id, i) => (i === 3 ? null : id));
    const partial = digestOf(auditEntriesForCommit(values, skipped, 0, true, texts));
    expect(partial).toBe(digestOf(auditEntriesForCommit(expected, skipped, 0, true)));
    expect(partial).not.toBe(fromValues);
  });

  it('refuse text that does not hold the rows it announces', () => {
    const text = toTextBatch(capture());
    expect(() => fromTextBatch({ ...text, rowCount: text.rowCount + 1 })).toThrow(/holds \d+ rows/);
  });

  it('built one event at a time, are the batch prepareBatch and toTextBatch make of the same events', () => {
    const events = normalised().events;
    expect(events.length).toBeGreaterThan(3);
    const builder = new TextBatchBuilder();
    for (const e of events) builder.add(e);
    expect(builder.size).toBe(events.length);
    const built = builder.take();
    const whole = toTextBatch(prepareBatch({ events, metrics: [], rejected: 0, errors: [] }));
    expect(built).toEqual(whole);
    expect(fromTextBatch(structuredClone(built)).rows).toHaveLength(events.length);
    // Taken: the builder starts again empty, and an empty batch has no text.
    expect(builder.size).toBe(0);
    expect(builder.take()).toMatchObject({ rowsText: '', rowCount: 0, identities: [], sessions: [] });
  });

  it('built past its first buffer, with any text in the values, are still what toTextBatch makes', () => {
    // The builder keeps its lines as UTF-8 bytes: non-ASCII, astral and lone-surrogate values must come back as the
    // same text, and a gathering larger than the first buffer (64 KB) must survive the buffer's growth.
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 8 }), (texts) => {
        const builder = new TextBatchBuilder();
        for (let round = 0; round < 2; round++) {
          const events = normalised().events;
          const many = Array.from({ length: 120 }, (_, i) => {
            const e = structuredClone(events[i % events.length]!);
            return { ...e, model: `${texts[i % texts.length]!}\u00e9\u{1F600}`, agent: texts[(i + 1) % texts.length]! };
          });
          for (const e of structuredClone(many)) builder.add(e);
          const built = builder.take();
          expect(Buffer.byteLength(built.rowsText)).toBeGreaterThan(64 * 1024);
          expect(built).toEqual(toTextBatch(prepareBatch({ events: many, metrics: [], rejected: 0, errors: [] })));
          expect(fromTextBatch(built).rows).toHaveLength(many.length);
        }
      }),
      { numRuns: 25 },
    );
  });
});
