/**
 * Windows `.reg` files (the format regedit exports and `reg import` / Group Policy preferences read):
 *
 *   Windows Registry Editor Version 5.00
 *   <blank line>
 *   [HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Claude]
 *   "name"="string with \\ and \" escaped"
 *   "flag"=dword:00000001
 *
 * String values (REG_SZ) escape `\` as `\\` and `"` as `\"`; they cannot hold line breaks or NUL (those need hex
 * forms), so such values are refused rather than written broken. DWORDs are eight lowercase hex digits. Lines end
 * with CRLF, and a "Version 5.00" file is UTF-16LE with a byte-order mark, as regedit writes it (`regFileBytes`).
 */
export type RegValue = { type: 'sz'; value: string } | { type: 'dword'; value: number };

export const REG_HEADER = 'Windows Registry Editor Version 5.00';

function quote(text: string, what: string): string {
  if (/[\r\n\0]/.test(text)) throw new Error(`${what} cannot hold line breaks or NUL in a .reg string`);
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function data(name: string, v: RegValue): string {
  if (v.type === 'sz') return quote(v.value, `registry value "${name}"`);
  if (!Number.isInteger(v.value) || v.value < 0 || v.value > 0xffffffff) {
    throw new Error(`registry value "${name}": a DWORD is a whole number from 0 to 4294967295`);
  }
  return `dword:${v.value.toString(16).padStart(8, '0')}`;
}

/** One key and its values, in the order given. */
export function renderRegFile(keyPath: string, values: readonly (readonly [string, RegValue])[]): string {
  if (!/^HKEY_(LOCAL_MACHINE|CURRENT_USER)(\\[^\\\][\r\n]+)+$/.test(keyPath)) {
    throw new Error(`"${keyPath}" is not a registry key path`);
  }
  const lines = [REG_HEADER, '', `[${keyPath}]`];
  for (const [name, value] of values) lines.push(`${quote(name, 'a registry value name')}=${data(name, value)}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** The file's bytes: UTF-16LE with a byte-order mark. */
export function regFileBytes(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}
