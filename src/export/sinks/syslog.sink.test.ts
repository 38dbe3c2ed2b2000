import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OctetCountingDecoder, parse5424, startSyslogReceiver } from '../../../test/support/syslog-receiver.js';
import { sinkSchema, type SinkOf } from '../../config/export.schema.js';
import { SyslogSink } from './syslog.sink.js';
import type { Delivery } from './sink.js';

/**
 * The syslog sink on the wire: octet-counted frames over TCP (and TLS, verified against a CA), a connection the
 * receiver drops within the confirmation window counts as a failed batch (so it is sent again), UDP messages cut
 * at the configured size, and connections refused to forbidden destinations.
 */
const OPENSSL = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((p) => existsSync(p));

function sink(o: Record<string, unknown>): SyslogSink {
  const config = sinkSchema.parse({ name: 's', type: 'syslog', host: '127.0.0.1', allowPrivateAddresses: true, ...o });
  return new SyslogSink(config as SinkOf<'syslog'>, 100);
}

function deliveries(messages: string[]): Delivery[] {
  return messages.map((m, i) => ({ id: i, uid: `u${i}`, kind: 'k', severity: 'info', payload: m }));
}

const msg = (n: number, body = `hello ${n}`): string => `<110>1 2026-01-01T00:00:00.000Z h steward 1 k${n} - ${body}`;

describe('syslog sink', () => {
  it('sends octet-counted RFC 5424 frames over one TCP connection', async () => {
    const r = await startSyslogReceiver('tcp');
    const s = sink({ port: r.port, transport: 'tcp', confirmMs: 10 });
    try {
      expect(await s.deliver(deliveries([msg(1), msg(2, 'ünïcode € text')]))).toEqual({ status: 'delivered' });
      expect(await s.deliver(deliveries([msg(3)]))).toEqual({ status: 'delivered' });
      await expect.poll(() => r.messages.length).toBe(3);
      expect(r.messages.map((m) => m.msg)).toEqual(['hello 1', 'ünïcode € text', 'hello 3']);
      expect(r.errors).toEqual([]);
    } finally {
      await s.close();
      await r.stop();
    }
  });

  it('counts a batch as failed when the receiver drops the connection within the confirmation window', async () => {
    const r = await startSyslogReceiver('tcp');
    const s = sink({ port: r.port, transport: 'tcp', confirmMs: 300 });
    try {
      const pending = s.deliver(deliveries([msg(1)]));
      await expect.poll(() => r.messages.length).toBe(1);
      await r.stop(); // the receiver goes away right after reading
      expect(await pending).toEqual({
        status: 'retry',
        error: expect.stringContaining('closed right after the batch'),
      });
      await expect(s.deliver(deliveries([msg(2)]))).rejects.toThrow(/ECONNREFUSED/);
      await r.restart();
      expect(await s.deliver(deliveries([msg(1), msg(2)]))).toEqual({ status: 'delivered' });
    } finally {
      await s.close();
      await r.stop();
    }
  });

  it('sends one UDP datagram per message, cut at maxMessageBytes on a character boundary', async () => {
    const r = await startSyslogReceiver('udp');
    const s = sink({ port: r.port, transport: 'udp', maxMessageBytes: 480 });
    try {
      const long = msg(1, 'é'.repeat(400));
      expect(await s.deliver(deliveries([long, msg(2)]))).toEqual({ status: 'delivered' });
      await expect.poll(() => r.messages.length).toBe(2);
      const cut = r.messages[0]!;
      expect(Buffer.byteLength(`<110>1 2026-01-01T00:00:00.000Z h steward 1 k1 - ${cut.msg}`)).toBeLessThanOrEqual(480);
      expect(cut.msg).toMatch(/^é+$/);
    } finally {
      await s.close();
      await r.stop();
    }
  });

  it('refuses a loopback receiver unless private addresses are allowed', async () => {
    const s = sink({ port: 9, transport: 'tcp', allowPrivateAddresses: false });
    await expect(s.deliver(deliveries([msg(1)]))).rejects.toThrow(/refused destination 127\.0\.0\.1/);
    const named = sink({ host: 'localhost', port: 9, transport: 'udp', allowPrivateAddresses: false });
    await expect(named.deliver(deliveries([msg(1)]))).rejects.toThrow(/refused destination localhost/);
  });
});

describe.skipIf(!OPENSSL)('syslog sink over TLS (RFC 5425)', () => {
  let dir: string;
  let server: tls.Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-tls-'));
    const run = (args: string[]) => execFileSync(OPENSSL!, args, { cwd: dir, stdio: 'ignore' });
    run([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=Test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ]);
    run([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    ]);
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    run([
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      'server.pem',
      '-extfile',
      'san.ext',
    ]);
    server = tls.createServer(
      { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
      (sock) => {
        const d = new OctetCountingDecoder();
        sock.on('data', (c: Buffer) => received.push(...d.push(c)));
        sock.on('error', () => undefined);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the receiver against the configured CA and frames by octet counting', async () => {
    const s = sink({ host: 'localhost', port, transport: 'tls', ca: join(dir, 'ca.pem'), confirmMs: 10 });
    try {
      expect(await s.deliver(deliveries([msg(1), msg(2)]))).toEqual({ status: 'delivered' });
      await expect.poll(() => received.length).toBe(2);
      expect(received.map((m) => parse5424(m).msgId)).toEqual(['k1', 'k2']);
    } finally {
      await s.close();
    }
  });

  it('refuses a receiver whose certificate the CA did not sign', async () => {
    const s = sink({ host: 'localhost', port, transport: 'tls', confirmMs: 10 });
    try {
      await expect(s.deliver(deliveries([msg(1)]))).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    } finally {
      await s.close();
    }
  });
});
