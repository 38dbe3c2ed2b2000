import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSchema } from '../../src/config/export.schema.js';
import { startExporter, type Exporter } from '../../src/export/exporter.js';
import { openTestStore, type TestStore } from '../support/engines.js';
import { decisionRow, eventRow, insertTestEvents } from '../support/export-fixtures.js';
import { freePort } from '../support/steward-process.js';
import { waitFor } from '../support/steward.js';
import { parseCef } from '../support/syslog-receiver.js';

/**
 * Debian's rsyslog as a real receiver of Steward's syslog sink: imtcp (octet-counted framing, RFC 6587 §3.4.1)
 * parses each RFC 5424 message and omfile writes the fields rsyslog read (facility, severity, host, app, procid,
 * msgid, timestamp, msg), so the test sees Steward's output through rsyslog's own parser. rsyslog is restarted
 * mid-stream (SIGTERM: it flushes what it accepted) and nothing is lost. `.ci/run` installs it; locally the test
 * is skipped, saying so, only when the binary is absent.
 */
const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));

interface Rsyslog {
  child: ChildProcess;
  exited: Promise<void>;
}

describe.skipIf(!RSYSLOGD)('rsyslog receives the syslog sink (CEF over RFC 5424, TCP octet counting)', () => {
  let dir: string;
  let port: number;
  let rsyslog: Rsyslog | undefined;
  let t: TestStore;
  let exporter: Exporter | undefined;

  const start = async (): Promise<Rsyslog> => {
    const child = spawn(RSYSLOGD!, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Ready when it accepts connections.
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`rsyslogd exited: ${out}`);
      const net = await import('node:net');
      return new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
    }, 15_000);
    return { child, exited };
  };

  const stop = async (r: Rsyslog | undefined): Promise<void> => {
    if (!r || r.child.exitCode !== null) return;
    r.child.kill('SIGTERM');
    await r.exited;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-rsyslog-'));
    port = await freePort();
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      [
        `global(workDirectory="${dir}" maxMessageSize="64k")`,
        'module(load="imtcp")',
        'template(name="fields" type="string" string="%syslogfacility%|%syslogseverity%|%hostname%|%app-name%|' +
          '%procid%|%msgid%|%timereported:::date-rfc3339%|%msg%\\n")',
        `ruleset(name="steward") { action(type="omfile" file="${join(dir, 'received.log')}" template="fields") }`,
        `input(type="imtcp" port="${port}" address="127.0.0.1" ruleset="steward")`,
      ].join('\n') + '\n',
    );
    rsyslog = await start();
    t = await openTestStore('sqlite');
  }, 60_000);

  afterAll(async () => {
    await exporter?.stop();
    await stop(rsyslog);
    await t?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function received(): string[] {
    const file = join(dir, 'received.log');
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
  }

  it('parses every message, and loses none across an rsyslog restart mid-stream', async () => {
    exporter = await startExporter(
      t.store,
      exportSchema.parse({
        sinks: [
          {
            name: 'rsyslog',
            type: 'syslog',
            host: '127.0.0.1',
            port,
            transport: 'tcp',
            confirmMs: 100,
            allowPrivateAddresses: true,
            startFrom: 'earliest',
          },
        ],
        pollIntervalMs: 50,
        batchSize: 20,
        backoffBaseMs: 50,
        backoffMaxMs: 200,
      }),
      { logger: pino({ level: 'silent' }) },
    );
    const rows = [
      decisionRow('deny', { rule: 'no-secrets', types: ['github_token'], classes: ['secret'] }),
      ...Array.from({ length: 99 }, (_, i) =>
        eventRow({ kind: i % 3 === 0 ? 'tool_result' : 'api_request', tool: 'Bash' }),
      ),
    ];
    await insertTestEvents(t.store, rows.slice(0, 50));
    await waitFor(async () => received().length >= 20, 20_000);
    // rsyslog goes away mid-stream (it flushes what it accepted) while more records arrive, then comes back.
    await stop(rsyslog);
    await insertTestEvents(t.store, rows.slice(50));
    await new Promise((r) => setTimeout(r, 300));
    rsyslog = await start();

    const uids = (): Set<string> =>
      new Set(received().map((l) => parseCef(l.split('|').slice(7).join('|')).extension.externalId ?? ''));
    await waitFor(async () => uids().size === rows.length, 30_000);

    const lines = received();
    expect(lines.length - uids().size).toBeLessThanOrEqual(20); // at most the batch in flight, resent
    const first = lines[0]!.split('|');
    // Fields as rsyslog's RFC 5424 parser read them.
    expect(first.slice(0, 6)).toEqual([
      '13',
      '3',
      expect.any(String),
      'steward',
      String(process.pid),
      'policy_decision.deny',
    ]);
    expect(first[6]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(\+00:00|Z)$/);
    const cef = parseCef(first.slice(7).join('|'));
    expect(cef).toMatchObject({
      vendor: 'Steward',
      product: 'Steward',
      signatureId: 'policy_decision.deny',
      severity: 8,
      extension: { act: 'deny', cs1: 'no-secrets', cs2: 'github_token' },
    });
    const kinds = new Set(lines.map((l) => l.split('|')[5]));
    expect(kinds).toEqual(new Set(['policy_decision.deny', 'api_request', 'tool_result']));
  }, 90_000);
});

if (!RSYSLOGD) {
  console.warn('rsyslog interop test skipped: rsyslogd is not installed (apt-get install rsyslog; .ci/run does)');
}
