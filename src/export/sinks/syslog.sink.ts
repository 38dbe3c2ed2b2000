import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { hostname } from 'node:os';
import tls from 'node:tls';
import type { SinkOf } from '../../config/export.schema.js';
import { signatureId, toCef } from '../cef.js';
import type { ExportRecord } from '../export-record.js';
import { toOcsf } from '../ocsf.js';
import { guardedLookup, hostProblem, RefusedDestinationError } from '../outbound-url.js';
import { octetFrame, syslogMessage, truncateUtf8 } from '../syslog-message.js';
import { DELIVERED, type Delivery, type DeliveryResult, type Sink } from './sink.js';

/**
 * Syslog (RFC 5424) carrying CEF lines or OCSF JSON, over TCP or TLS with octet-counting frames (RFC 5425 §4.3,
 * RFC 6587 §3.4.1) on one long-lived connection, or over UDP one datagram per message (RFC 5426).
 *
 * Syslog has no acknowledgement. Over TCP/TLS a batch counts as delivered once its bytes were written and the
 * connection then stayed up for `confirmMs`: a receiver that dies closes the connection (FIN or RST), which arrives
 * well within that window, and the batch is sent again — so a receiver killed mid-stream loses nothing, at the cost
 * of duplicates for the batch in flight. Bytes a receiver's kernel accepted but its process never read before a
 * crash that the network hides (a host lost without a reset) cannot be detected this way; RELP or an HTTP sink
 * with acknowledgement covers that. UDP gives no guarantee at all.
 */
const DEFAULT_MAX_UDP = 2048;
const DEFAULT_MAX_STREAM = 65_536;

type StreamSocket = net.Socket | tls.TLSSocket;

export class SyslogSink implements Sink {
  readonly maxBatch: number;
  private readonly port: number;
  private readonly maxBytes: number;
  private readonly lookup;
  private readonly host = hostname();
  private readonly ca: Buffer | undefined;
  private socket: StreamSocket | null = null;
  private udp: { socket: dgram.Socket; family: 4 | 6 } | null = null;

  constructor(
    readonly config: SinkOf<'syslog'>,
    batchSize: number,
  ) {
    this.maxBatch = batchSize;
    this.port = config.port ?? (config.transport === 'tls' ? 6514 : 514);
    this.maxBytes = config.maxMessageBytes ?? (config.transport === 'udp' ? DEFAULT_MAX_UDP : DEFAULT_MAX_STREAM);
    this.lookup = guardedLookup(config);
    this.ca = config.ca ? readFileSync(config.ca) : undefined;
  }

  render(record: ExportRecord): unknown {
    const cef = this.config.format === 'cef';
    return syslogMessage({
      facility: this.config.facility,
      severity: record.severity,
      time: record.time,
      hostname: this.host,
      appName: 'steward',
      procId: process.pid,
      msgId: cef ? signatureId(record) : record.kind,
      msg: cef ? toCef(record) : JSON.stringify(toOcsf(record)),
    });
  }

  async deliver(batch: readonly Delivery[]): Promise<DeliveryResult> {
    const messages = batch.map((d) => truncateUtf8(String(d.payload), this.maxBytes));
    if (this.config.transport === 'udp') {
      await this.sendUdp(messages);
      return DELIVERED;
    }
    const socket = await this.connection();
    await new Promise<void>((resolve, reject) => {
      socket.write(Buffer.concat(messages.map(octetFrame)), (err) => (err ? reject(err) : resolve()));
    });
    if (!(await this.stayedUp(socket, this.config.confirmMs))) {
      return { status: 'retry', error: `connection to ${this.config.host}:${this.port} closed right after the batch` };
    }
    return DELIVERED;
  }

  /** True when the socket is still open `ms` after the write (the receiver did not drop the connection). */
  private stayedUp(socket: StreamSocket, ms: number): Promise<boolean> {
    if (socket.destroyed) return Promise.resolve(false);
    if (ms === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onClose = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        socket.off('close', onClose);
        resolve(!socket.destroyed);
      }, ms);
      socket.once('close', onClose);
    });
  }

  private async connection(): Promise<StreamSocket> {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const problem = hostProblem(this.config.host, this.config);
    if (problem) throw new RefusedDestinationError(`refused destination ${this.config.host}: ${problem}`);
    const tlsOn = this.config.transport === 'tls';
    const options = { host: this.config.host, port: this.port, lookup: this.lookup };
    const socket: StreamSocket = tlsOn
      ? tls.connect({
          ...options,
          servername: net.isIP(this.config.host) ? undefined : this.config.host,
          ...(this.ca ? { ca: this.ca } : {}),
          minVersion: 'TLSv1.2',
        })
      : net.connect(options);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out connecting to ${this.config.host}:${this.port}`));
      }, this.config.timeoutMs);
      socket.once(tlsOn ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    socket.setKeepAlive(true, 30_000);
    // Receivers send nothing on this channel; read and drop anything so the socket never backs up.
    socket.on('data', () => undefined);
    // After connecting, errors close the socket; the next batch reconnects.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (this.socket === socket) this.socket = null;
    });
    this.socket = socket;
    return socket;
  }

  private async sendUdp(messages: readonly Buffer[]): Promise<void> {
    const problem = hostProblem(this.config.host, this.config);
    if (problem) throw new RefusedDestinationError(`refused destination ${this.config.host}: ${problem}`);
    // Resolve through the guard once per batch, then send to the address itself (no second lookup to race).
    const { address, family } = await new Promise<{ address: string; family: number }>((resolve, reject) => {
      if (net.isIP(this.config.host)) return resolve({ address: this.config.host, family: net.isIP(this.config.host) });
      this.lookup(this.config.host, { all: false }, (err, addr, fam) =>
        err ? reject(err) : resolve({ address: String(addr), family: fam ?? 4 }),
      );
    });
    const want: 4 | 6 = family === 6 ? 6 : 4;
    if (!this.udp || this.udp.family !== want) {
      this.udp?.socket.close();
      const socket = dgram.createSocket(want === 6 ? 'udp6' : 'udp4');
      socket.on('error', () => undefined);
      socket.unref();
      this.udp = { socket, family: want };
    }
    const udp = this.udp.socket;
    for (const m of messages) {
      await new Promise<void>((resolve, reject) =>
        udp.send(m, this.port, address, (err) => (err ? reject(err) : resolve())),
      );
    }
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    this.socket = null;
    this.udp?.socket.close();
    this.udp = null;
  }
}
