import { describe, expect, it } from 'vitest';
import { OctetCountingDecoder, parse5424 } from '../../test/support/syslog-receiver.js';
import { octetFrame, syslogMessage, truncateUtf8 } from './syslog-message.js';

describe('RFC 5424 messages', () => {
  const base = {
    facility: 13,
    severity: 'high' as const,
    time: Date.UTC(2026, 9, 1, 12, 30, 5, 120),
    hostname: 'steward-1',
    appName: 'steward',
    procId: 4242,
    msgId: 'policy_decision.deny',
    msg: 'CEF:0|Steward|Steward|1|x|y|8|rt=1',
  };

  it('has PRI = facility × 8 + severity, version 1, an RFC 3339 UTC timestamp, no structured data', () => {
    const text = syslogMessage(base);
    expect(text).toBe(
      '<107>1 2026-10-01T12:30:05.120Z steward-1 steward 4242 policy_decision.deny - CEF:0|Steward|Steward|1|x|y|8|rt=1',
    );
    const m = parse5424(text);
    expect(m).toMatchObject({ facility: 13, severity: 3, version: 1, appName: 'steward', structuredData: '-' });
    expect(parse5424(syslogMessage({ ...base, severity: 'info' })).severity).toBe(6);
    expect(parse5424(syslogMessage({ ...base, severity: 'critical' })).severity).toBe(2);
  });

  it('keeps header fields printable ASCII without spaces, bounded, and "-" when empty', () => {
    const m = parse5424(syslogMessage({ ...base, hostname: 'host name\u00e9', msgId: 'x'.repeat(40), procId: '' }));
    expect(m.hostname).toBe('host_name_');
    expect(m.msgId).toBe('x'.repeat(32));
    expect(m.procId).toBe('-');
  });

  it('cuts long messages at a UTF-8 character boundary', () => {
    const text = 'ab€€'; // € is three bytes
    expect(truncateUtf8(text, 4).toString('utf8')).toBe('ab');
    expect(truncateUtf8(text, 5).toString('utf8')).toBe('ab€');
    expect(truncateUtf8(text, 100).toString('utf8')).toBe(text);
  });

  it('frames by octet counting, which a decoder splits across arbitrary read boundaries', () => {
    const messages = ['<14>1 - - - - - - one', '<14>1 - - - - - - twö with ünïcode', '<14>1 - - - - - - 3'];
    const stream = Buffer.concat(messages.map((m) => octetFrame(Buffer.from(m))));
    expect(stream.subarray(0, 3).toString()).toBe(`${Buffer.byteLength(messages[0]!)} `);
    for (const step of [1, 2, 7, stream.length]) {
      const d = new OctetCountingDecoder();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...d.push(stream.subarray(i, i + step)));
      expect(out).toEqual(messages);
    }
  });
});
