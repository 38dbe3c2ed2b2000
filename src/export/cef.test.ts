import { describe, expect, it } from 'vitest';
import { auditEntry, decisionRow, exportAuditRow, exportEventRow } from '../../test/support/export-fixtures.js';
import { parseCef } from '../../test/support/syslog-receiver.js';
import { version } from '../version.js';
import { escapeCefHeader, escapeCefValue, toCef } from './cef.js';
import { recordFromAudit, recordFromEvent } from './export-record.js';

describe('CEF', () => {
  it('escapes pipes and backslashes in the header, = and backslashes and line breaks in extension values', () => {
    expect(escapeCefHeader('a|b\\c')).toBe('a\\|b\\\\c');
    expect(escapeCefHeader('line\r\nbreak')).toBe('line break');
    expect(escapeCefValue('k=v\\x|y')).toBe('k\\=v\\\\x|y');
    expect(escapeCefValue('one\ntwo\r\nthree\rfour')).toBe('one\\ntwo\\nthree\\rfour');
  });

  it('renders a deny decision that a CEF parser reads back field for field', () => {
    const row = exportEventRow(
      decisionRow('deny', {
        rule: 'no-secrets',
        types: ['aws_access_key_id'],
        classes: ['secret'],
        time: 1_760_000_000_123,
      }),
      { id: 42, email: 'ann@example.com', name: 'Ann' },
    );
    const line = toCef(recordFromEvent(row));
    const cef = parseCef(line);
    expect(cef).toMatchObject({
      version: 0,
      vendor: 'Steward',
      product: 'Steward',
      deviceVersion: version,
      signatureId: 'policy_decision.deny',
      severity: 8,
    });
    expect(cef.name).toContain('Policy deny by rule no-secrets');
    expect(cef.extension).toMatchObject({
      rt: '1760000000123',
      suser: 'ann@example.com',
      act: 'deny',
      cs1Label: 'policyRule',
      cs1: 'no-secrets',
      cs2Label: 'detectorTypes',
      cs2: 'aws_access_key_id',
      cat: 'data_security_finding',
    });
    expect(cef.extension.externalId).toMatch(/^ev_test-/);
  });

  it('keeps hostile names intact through the escapes (pipes, equals, backslashes, newlines)', () => {
    const nasty = 'Eve | x=1 \\ y\nCEF:0|fake|';
    const row = exportAuditRow(
      auditEntry('keys.create', {
        actor: { kind: 'token', id: 'tok|=\\', name: nasty },
        subject: { kind: 'token', id: 'a=b c=d' },
      }),
      7,
    );
    const cef = parseCef(toCef(recordFromAudit(row)));
    expect(cef.signatureId).toBe('keys.create');
    expect(cef.name).toBe(`keys.create token a=b c=d by ${nasty.replace('\n', ' ')}`);
    expect(cef.extension.suid).toBe('tok|=\\');
    expect(cef.extension.suser).toBe(nasty);
    expect(cef.extension.cs2).toBe('a=b c=d');
    expect(cef.extension.cn1).toBe('7');
    expect(cef.severity).toBe(5);
  });
});
