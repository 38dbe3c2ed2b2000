import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scan } from '../../detect/scan.js';
import { redactText, redactValue, type RedactionCounts } from './content-redaction.js';

// Fake values shaped like the real thing (never real secrets): an AWS key id built at run time so no scanner flags the file.
const AWS_ID = 'AKIA' + 'Q3EGRTZ7KX4WB2NM';
const EMAIL = 'ada.lovelace@northwind-legal.com'; // not an RFC 2606 example domain: those are examples

describe('content redaction at ingest', () => {
  it('replaces secrets and personal data with typed placeholders and counts them', () => {
    const counts: RedactionCounts = {};
    const out = redactText(`deploy with ${AWS_ID} and mail ${EMAIL} when done`, counts);
    expect(out).not.toContain(AWS_ID);
    expect(out).not.toContain(EMAIL);
    expect(out).toMatch(
      /^deploy with \[REDACTED:aws_access_key_id:[0-9a-f]{4}\] and mail \[REDACTED:email:[0-9a-f]{4}\] when done$/,
    );
    expect(counts).toEqual({ aws_access_key_id: 1, email: 1 });
  });

  it('leaves text without findings, vendor example values and hidden-text markers as they are', () => {
    const counts: RedactionCounts = {};
    expect(redactText('please run echo hello-from-probe', counts)).toBe('please run echo hello-from-probe');
    expect(redactText('the docs use AKIAIOSFODNN7EXAMPLE as the key id', counts)).toContain('AKIAIOSFODNN7EXAMPLE');
    expect(redactText('a\u200bb', counts)).toBe('a\u200bb');
    expect(counts).toEqual({});
  });

  it('keeps the structure of array and map values and redacts the strings inside', () => {
    const counts: RedactionCounts = {};
    const out = redactValue([{ role: 'user', content: [{ type: 'text', text: `key ${AWS_ID}` }] }, 3, null], counts);
    expect(JSON.stringify(out)).not.toContain(AWS_ID);
    expect(out).toMatchObject([{ role: 'user', content: [{ type: 'text' }] }, 3, null]);
    expect(counts).toEqual({ aws_access_key_id: 1 });
  });

  it('keeps a JSON tool input valid JSON', () => {
    const counts: RedactionCounts = {};
    const input = JSON.stringify({ command: `aws configure set aws_access_key_id ${AWS_ID}`, to: EMAIL });
    const out = redactText(input, counts);
    const parsed = JSON.parse(out) as { command: string; to: string };
    expect(parsed.command).toMatch(/^aws configure set aws_access_key_id \[REDACTED:aws_access_key_id:[0-9a-f]{4}\]$/);
    expect(parsed.to).toMatch(/^\[REDACTED:email:[0-9a-f]{4}\]$/);
  });

  it('never leaves a stored-class finding in the stored text (property)', () => {
    const pieces = fc.constantFrom(
      AWS_ID,
      EMAIL,
      '4111 1111 1111 1111',
      'GB82 WEST 1234 5698 7654 32',
      ' ',
      'the ',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 12 })), { maxLength: 20 }), (parts) => {
        const out = redactText(parts.join(''), {});
        const left = scan(out).filter(
          (f) => !f.example && (f.class === 'secret' || f.class === 'personal' || f.class === 'financial'),
        );
        expect(left).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
