import { describe, expect, it } from 'vitest';
import { placeholderFindings } from './placeholders.js';
import { redact } from './redact.js';
import { scan } from './scan.js';

describe('placeholderFindings', () => {
  it('reads back what redact wrote, with its type, class and span', () => {
    const key = 'AKIA' + 'Q3EGRTZ7KX4WB2NM';
    const text = `deploy with ${key} now`;
    const stored = redact(text, scan(text));
    const [f, ...rest] = placeholderFindings(stored);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ type: 'aws_access_key_id', class: 'secret', confidence: 1, start: 12 });
    expect(stored.slice(f!.start, f!.end)).toMatch(/^\[REDACTED:aws_access_key_id:[0-9a-f]{4}\]$/);
  });

  it('ignores look-alikes: unknown types, missing or non-hex suffixes, unclosed brackets', () => {
    for (const t of [
      '[REDACTED:not_a_type:1a2b]',
      '[REDACTED:email]',
      '[REDACTED:email:xyz1]',
      '[REDACTED:email:1a2b',
      '[REDACTED:Email:1a2b]',
      'no placeholder at all',
    ]) {
      expect(placeholderFindings(t), t).toEqual([]);
    }
  });

  it('finds several, including one right after a look-alike', () => {
    const found = placeholderFindings('[REDACTED:[REDACTED:email:00ff] and [REDACTED:iban:1234]');
    expect(found.map((f) => f.type)).toEqual(['email', 'iban']);
    expect(found[0]!.start).toBe(10);
  });
});
