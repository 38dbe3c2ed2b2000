import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';

/**
 * A syslog receiver for tests that parses the real wire formats, written from the RFCs independently of the code
 * under test: TCP with octet-counting frames (RFC 5425 §4.3 / RFC 6587 §3.4.1: `MSG-LEN SP SYSLOG-MSG`, frames
 * split across reads and several per read), UDP one message per datagram (RFC 5426), the RFC 5424 header, and CEF
 * (header with `\|` and `\\` escapes, extension `key=value` pairs with `\=`, `\\`, `\n`, `\r`).
 */
export interface Syslog5424 {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  msg: string;
}

export function parse5424(text: string): Syslog5424 {
  const m = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\])(?: ([\s\S]*))?$/.exec(text);
  if (!m) throw new Error(`not an RFC 5424 message: ${text.slice(0, 120)}`);
  const pri = Number(m[1]);
  if (pri > 191) throw new Error(`PRI out of range: ${pri}`);
  const ts = m[3] ?? '';
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)$/.test(ts)) throw new Error(`bad TIMESTAMP ${ts}`);
  return {
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    version: Number(m[2]),
    timestamp: ts,
    hostname: m[4] ?? '',
    appName: m[5] ?? '',
    procId: m[6] ?? '',
    msgId: m[7] ?? '',
    structuredData: m[8] ?? '',
    msg: m[9] ?? '',
  };
}

export interface Cef {
  version: number;
  vendor: string;
  product: string;
  deviceVersion: string;
  signatureId: string;
  name: string;
  severity: number;
  extension: Record<string, string>;
}

export function parseCef(line: string): Cef {
  if (!line.startsWith('CEF:')) throw new Error(`not CEF: ${line.slice(0, 60)}`);
  const fields: string[] = [];
  let cur = '';
  let i = 4;
  for (; i < line.length && fields.length < 7; i++) {
    const c = line[i];
    if (c === '\\' && (line[i + 1] === '|' || line[i + 1] === '\\')) {
      cur += line[i + 1];
      i++;
    } else if (c === '|') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  if (fields.length !== 7) throw new Error(`CEF header has ${fields.length} fields`);
  const ext = line.slice(i);
  const extension: Record<string, string> = {};
  // Values escape `=` (and `\\`), so an unescaped `=` always ends a key: the word just before it.
  const equals: number[] = [];
  for (let j = 0; j < ext.length; j++) {
    if (ext[j] === '\\') j++;
    else if (ext[j] === '=') equals.push(j);
  }
  const keys = equals.map((eq) => {
    const m = /([A-Za-z0-9_]+)$/.exec(ext.slice(0, eq));
    if (!m) throw new Error(`CEF extension: no key before "=" at ${eq}`);
    return { key: m[1] ?? '', at: eq - (m[1] ?? '').length, valueAt: eq + 1 };
  });
  keys.forEach((k, n) => {
    const next = keys[n + 1];
    const raw = ext.slice(k.valueAt, next ? next.at - 1 : ext.length);
    extension[k.key] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  });
  return {
    version: Number(fields[0]),
    vendor: fields[1] ?? '',
    product: fields[2] ?? '',
    deviceVersion: fields[3] ?? '',
    signatureId: fields[4] ?? '',
    name: fields[5] ?? '',
    severity: Number(fields[6]),
    extension,
  };
}

/** Splits an octet-counted TCP stream into messages; keeps a partial frame for the next chunk. */
export class OctetCountingDecoder {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: string[] = [];
    for (;;) {
      const space = this.buf.indexOf(0x20);
      if (space < 0) break;
      const lenText = this.buf.subarray(0, space).toString('ascii');
      if (!/^[1-9]\d{0,8}$/.test(lenText)) throw new Error(`bad MSG-LEN "${lenText.slice(0, 20)}"`);
      const len = Number(lenText);
      if (this.buf.length < space + 1 + len) break;
      out.push(this.buf.subarray(space + 1, space + 1 + len).toString('utf8'));
      this.buf = this.buf.subarray(space + 1 + len);
    }
    return out;
  }
}

export interface SyslogReceiver {
  port: number;
  messages: Syslog5424[];
  errors: string[];
  /** Closes the listener and drops every open connection (a receiver going down). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

export async function startSyslogReceiver(
  transport: 'tcp' | 'udp',
  opts: { port?: number } = {},
): Promise<SyslogReceiver> {
  const messages: Syslog5424[] = [];
  const errors: string[] = [];
  const take = (text: string): void => {
    try {
      messages.push(parse5424(text));
    } catch (err) {
      errors.push((err as Error).message);
    }
  };
  let port = opts.port ?? 0;
  if (transport === 'udp') {
    let socket: dgram.Socket | null = null;
    const listen = async (): Promise<void> => {
      const s = dgram.createSocket('udp4');
      s.on('message', (m) => take(m.toString('utf8')));
      await new Promise<void>((resolve) => s.bind(port, '127.0.0.1', resolve));
      port = s.address().port;
      socket = s;
    };
    await listen();
    return {
      get port() {
        return port;
      },
      messages,
      errors,
      async stop() {
        await new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
        socket = null;
      },
      restart: listen,
    };
  }
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const listen = async (): Promise<void> => {
    const s = net.createServer((sock) => {
      sockets.add(sock);
      const decoder = new OctetCountingDecoder();
      sock.on('data', (chunk) => {
        try {
          for (const m of decoder.push(chunk)) take(m);
        } catch (err) {
          errors.push((err as Error).message);
          sock.destroy();
        }
      });
      sock.on('error', () => undefined);
      sock.on('close', () => sockets.delete(sock));
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    messages,
    errors,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = null;
    },
    restart: listen,
  };
}
