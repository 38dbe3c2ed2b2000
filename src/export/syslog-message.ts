import type { ExportSeverity } from '../config/export.schema.js';

/**
 * RFC 5424 messages and their transport framing:
 *   SYSLOG-MSG = HEADER SP STRUCTURED-DATA [SP MSG]
 *   HEADER     = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID     (PRI = <facility*8+severity>)
 * Header fields are printable US-ASCII without spaces, bounded (HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32),
 * or `-` when empty. MSG is sent as MSG-ANY (no BOM): CEF receivers expect the line to begin with `CEF:`.
 * TCP and TLS use octet counting (RFC 5425 §4.3, RFC 6587 §3.4.1): `MSG-LEN SP SYSLOG-MSG`.
 */
const SYSLOG_SEVERITY: Record<ExportSeverity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

function headerField(v: string | number | null | undefined, max: number): string {
  const clean = String(v ?? '')
    .replace(/[^\x21-\x7e]/g, '_')
    .slice(0, max);
  return clean === '' ? '-' : clean;
}

export interface SyslogParts {
  facility: number;
  severity: ExportSeverity;
  time: number;
  hostname: string;
  appName: string;
  procId: string | number;
  msgId: string;
  msg: string;
}

export function syslogMessage(p: SyslogParts): string {
  const pri = p.facility * 8 + SYSLOG_SEVERITY[p.severity];
  return (
    `<${pri}>1 ${new Date(p.time).toISOString()} ${headerField(p.hostname, 255)} ${headerField(p.appName, 48)} ` +
    `${headerField(p.procId, 128)} ${headerField(p.msgId, 32)} - ${p.msg}`
  );
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** RFC 5425 octet-counting frame: the byte length, a space, the message. */
export function octetFrame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}
