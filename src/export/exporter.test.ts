import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import {
  appendAudit,
  auditEntry,
  decisionRow,
  eventRow,
  insertPerson,
  insertTestEvents,
} from '../../test/support/export-fixtures.js';
import {
  startHecReceiver,
  startOcsfReceiver,
  startPagerDutyReceiver,
  startSlackReceiver,
  startWebhookReceiver,
} from '../../test/support/export-receivers.js';
import { parseCef, startSyslogReceiver } from '../../test/support/syslog-receiver.js';
import { exportSchema, type ExportConfig } from '../config/export.schema.js';
import { listDead, outboxRows, requeueDead } from '../store/export-outbox.repo.js';
import { startExporter, type Exporter } from './exporter.js';

/**
 * The exporter end to end on both engines, against receivers that parse each wire format: records stored in
 * events and the audit vault reach every sink type their filters select; failures back off and dead-letter;
 * dead letters re-queue.
 */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const HEC_TOKEN = '11111111-2222-3333-4444-555555555555';
const ROUTING_KEY = 'R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y12';
const silent = pino({ level: 'silent' });
const local = { allowPrivateAddresses: true, startFrom: 'earliest' as const };

/** Waits until every paused sink is due again, then flushes. */
async function flushAfterBackoff(e: Exporter): Promise<void> {
  const until = Math.max(...[...e.dispatchers.values()].map((d) => d.pausedUntil));
  await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 5));
  await e.flush();
}

function exportConfig(sinks: unknown[], o: Record<string, unknown> = {}): ExportConfig {
  return exportSchema.parse({ sinks, backoffBaseMs: 10, backoffMaxMs: 20, ...o });
}

describe.each(engines)('exporter on %s', (dialect) => {
  let t: TestStore;
  let exporter: Exporter | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await exporter?.stop();
    exporter = undefined;
    for (const c of cleanups.splice(0)) await c();
    await t.cleanup();
  });

  it('delivers each record to every sink whose filters select it, in each wire format', async () => {
    const hec = await startHecReceiver({ token: HEC_TOKEN, ack: true });
    const hook = await startWebhookReceiver(SECRET);
    const pd = await startPagerDutyReceiver();
    const slack = await startSlackReceiver();
    const ocsf = await startOcsfReceiver({ token: 'bearer-1' });
    const tcp = await startSyslogReceiver('tcp');
    const udp = await startSyslogReceiver('udp');
    const dir = mkdtempSync(join(tmpdir(), 'steward-export-'));
    cleanups.push(...[hec, hook, pd, slack, ocsf, tcp, udp].map((r) => () => r.stop()), async () =>
      rmSync(dir, { recursive: true, force: true }),
    );
    await insertPerson(t.store, 'p1', 'ann@example.com');
    const ids = await insertTestEvents(t.store, [
      eventRow({ person_id: 'p1' }),
      decisionRow('deny', { rule: 'no-secrets', types: ['aws_access_key_id'], classes: ['secret'] }),
      decisionRow('allow'),
      eventRow({ kind: 'tool_result', tool: 'Bash' }),
    ]);
    await appendAudit(t.store, [
      auditEntry('keys.create', { subject: { kind: 'token', id: 't2' } }),
      auditEntry('auth.failure', { outcome: 'failure', actor: { kind: 'anonymous', id: 'unknown' } }),
      auditEntry('activity.seal', { actor: { kind: 'system', id: 'steward' } }),
      auditEntry('decision.deny', { actor: { kind: 'person', id: 'p1' } }),
    ]);
    const registry = new Registry();
    exporter = await startExporter(
      t.store,
      exportConfig([
        { name: 'hec', type: 'splunk_hec', url: hec.url, token: HEC_TOKEN, ackEnabled: true, ...local },
        { name: 'hook', type: 'webhook', url: `${hook.url}/in`, secret: SECRET, ...local },
        {
          name: 'pd',
          type: 'pagerduty',
          url: `${pd.url}/v2/enqueue`,
          routingKey: ROUTING_KEY,
          ...local,
        },
        {
          name: 'slack',
          type: 'slack',
          url: `${slack.url}/services/T/B/x`,
          ...local,
          filters: { minSeverity: 'medium' },
        },
        {
          name: 'ocsf',
          type: 'ocsf_http',
          url: ocsf.url,
          token: 'bearer-1',
          ...local,
          filters: { sources: ['events'], kinds: ['policy_decision'] },
        },
        {
          name: 'file',
          type: 'ocsf_file',
          path: join(dir, 'sub', 'ocsf.jsonl'),
          ...local,
          filters: { actions: ['auth.*'] },
        },
        {
          name: 'tcp',
          type: 'syslog',
          host: '127.0.0.1',
          port: tcp.port,
          transport: 'tcp',
          confirmMs: 10,
          ...local,
        },
        {
          name: 'udp',
          type: 'syslog',
          host: '127.0.0.1',
          port: udp.port,
          transport: 'udp',
          format: 'ocsf',
          ...local,
          filters: { sources: ['audit'] },
        },
      ]),
      { logger: silent, registry, background: false },
    );
    await exporter.flush();

    // HEC: every event and every audit entry except the seal and decision.* (the events already carry decisions).
    const hecUids = hec.received.map((e) => e.fields?.steward_uid);
    expect(hec.received).toHaveLength(6);
    expect(new Set(hecUids).size).toBe(6);
    expect(hec.received.map((e) => (e.event as { class_uid: number }).class_uid)).toEqual([
      6003, 2006, 6003, 6003, 6003, 3002,
    ]);
    expect(hec.received[0]).toMatchObject({
      source: 'steward',
      sourcetype: 'ocsf:steward',
      event: { actor: { user: { email_addr: 'ann@example.com' } } },
    });
    expect(hec.ackPolls).toBeGreaterThan(0);

    // Webhooks: one signed request per record, webhook-id stable = msg_<uid>.
    expect(hook.received).toHaveLength(6);
    expect(hook.received.map((w) => w.id)).toEqual(hecUids.map((u) => `msg_${String(u)}`));
    expect(hook.received[1]!.body).toMatchObject({ type: 'steward.data_security_finding', data: { class_uid: 2006 } });

    // PagerDuty: high and above only — the deny.
    expect(pd.received).toHaveLength(1);
    expect(pd.received[0]).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: hecUids[1],
      payload: { severity: 'error', class: 'policy_decision', custom_details: { rule_id: 'no-secrets' } },
    });

    // Slack at medium: the deny, the token creation and the failed login.
    expect(slack.received.map((m) => m.text)).toEqual([
      expect.stringContaining('[HIGH] Policy deny by rule no-secrets'),
      expect.stringContaining('[MEDIUM] keys.create token t2'),
      expect.stringContaining('[MEDIUM] auth.failure'),
    ]);

    // OCSF over HTTP: policy decisions only (both of them).
    expect(ocsf.received.map((e) => e.class_uid)).toEqual([2006, 6003]);

    // OCSF file: events (all four, no action filter applies to them) and the auth.* audit entries.
    const lines = readFileSync(join(dir, 'sub', 'ocsf.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { class_uid: number }).class_uid)).toEqual([
      6003, 2006, 6003, 6003, 3002,
    ]);

    // Syslog TCP: RFC 5424 frames with CEF inside.
    expect(tcp.errors).toEqual([]);
    expect(tcp.messages).toHaveLength(6);
    const deny = tcp.messages[1]!;
    expect(deny).toMatchObject({ facility: 13, severity: 3, appName: 'steward', msgId: 'policy_decision.deny' });
    expect(parseCef(deny.msg)).toMatchObject({
      signatureId: 'policy_decision.deny',
      severity: 8,
      extension: { act: 'deny' },
    });

    // Syslog UDP, OCSF JSON, audit only.
    // An audit-only sink takes decision.* entries too (no events carry them to it).
    await expect.poll(() => udp.messages.length).toBe(3);
    expect(udp.messages.map((m) => (JSON.parse(m.msg) as { class_uid: number }).class_uid)).toEqual([6003, 3002, 6003]);

    // Everything delivered; the outbox says so.
    for (const sink of ['hec', 'hook', 'pd', 'slack', 'ocsf', 'file', 'tcp', 'udp']) {
      expect(
        (await outboxRows(t.store.db, sink)).every((r) => r.state === 'delivered'),
        sink,
      ).toBe(true);
    }
    const metrics = await registry.metrics();
    expect(metrics).toContain('steward_export_delivered_total{sink="hec"} 6');
    expect(metrics).toContain('steward_export_pending{sink="hec"} 0');
    expect(ids).toHaveLength(4);
  });

  it('backs off while a sink fails, keeps order, and delivers everything once it is back', async () => {
    const hec = await startHecReceiver({ token: HEC_TOKEN });
    cleanups.push(() => hec.stop());
    exporter = await startExporter(
      t.store,
      exportConfig([{ name: 'hec', type: 'splunk_hec', url: hec.url, token: HEC_TOKEN, ...local }], {
        batchSize: 3,
        backoffBaseMs: 50,
        backoffMaxMs: 50,
      }),
      { logger: silent, background: false },
    );
    await insertTestEvents(
      t.store,
      Array.from({ length: 5 }, () => eventRow()),
    );
    hec.failWith(503);
    await exporter.flush();
    // One request, then the sink waits out its backoff instead of trying every record.
    expect(hec.requests).toBe(1);
    const rows = await outboxRows(t.store.db, 'hec');
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1, 0, 0]);
    expect(rows[0]!.last_error).toContain('HTTP 503');
    await exporter.flush();
    expect(hec.requests).toBe(1);
    hec.failWith(null);
    await flushAfterBackoff(exporter);
    expect(hec.received.map((e) => e.fields?.steward_uid)).toEqual(rows.map((r) => r.uid));
    expect((await outboxRows(t.store.db, 'hec')).every((r) => r.state === 'delivered')).toBe(true);
  });

  it('dead-letters after maxAttempts and at once on a rejection; a re-queue delivers them', async () => {
    const pd = await startPagerDutyReceiver();
    const hec = await startHecReceiver({ token: HEC_TOKEN });
    cleanups.push(
      () => pd.stop(),
      () => hec.stop(),
    );
    exporter = await startExporter(
      t.store,
      exportConfig(
        [
          { name: 'pd', type: 'pagerduty', url: `${pd.url}/v2/enqueue`, routingKey: ROUTING_KEY, ...local },
          { name: 'hec', type: 'splunk_hec', url: hec.url, token: HEC_TOKEN, ...local },
        ],
        { maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 10 },
      ),
      { logger: silent, background: false },
    );
    await insertTestEvents(t.store, [decisionRow('deny'), decisionRow('deny'), eventRow()]);
    pd.failWith(400);
    hec.failWith(503);
    await exporter.flush();
    // PagerDuty's 400 means the event is invalid: dead at once, no retry.
    expect((await listDead(t.store.db, { sink: 'pd', limit: 10 })).map((r) => r.last_error)).toEqual([
      expect.stringContaining('rejected: HTTP 400'),
      expect.stringContaining('rejected: HTTP 400'),
    ]);
    await flushAfterBackoff(exporter);
    const dead = await listDead(t.store.db, { sink: 'hec', limit: 10 });
    expect(dead.map((r) => r.attempts)).toEqual([2, 2, 2]);
    pd.failWith(null);
    hec.failWith(null);
    expect(await requeueDead(t.store.db, { now: Date.now() })).toBe(5);
    await exporter.flush();
    expect(pd.received).toHaveLength(2);
    expect(hec.received).toHaveLength(3);
  });

  it('splits a rejected batch and dead-letters only the records refused alone', async () => {
    const ocsf = await startOcsfReceiver();
    cleanups.push(() => ocsf.stop());
    exporter = await startExporter(
      t.store,
      exportConfig([{ name: 'o', type: 'ocsf_http', url: ocsf.url, ...local }], { batchSize: 4 }),
      { logger: silent, background: false },
    );
    await insertTestEvents(
      t.store,
      Array.from({ length: 4 }, () => eventRow()),
    );
    ocsf.failWith(413);
    await exporter.flush();
    // The batch, then each record alone.
    expect(ocsf.requests).toBe(5);
    expect(await listDead(t.store.db, { sink: 'o', limit: 10 })).toHaveLength(4);
  });

  it('starts a new sink at the latest record unless told to start from the earliest', async () => {
    const a = await startOcsfReceiver();
    cleanups.push(() => a.stop());
    await insertTestEvents(t.store, [eventRow(), eventRow()]);
    await appendAudit(t.store, [auditEntry('keys.create')]);
    exporter = await startExporter(
      t.store,
      exportConfig([
        { name: 'late', type: 'ocsf_http', url: a.url, allowPrivateAddresses: true },
        { name: 'early', type: 'ocsf_http', url: a.url, allowPrivateAddresses: true, startFrom: 'earliest' },
      ]),
      { logger: silent, background: false },
    );
    await exporter.flush();
    expect(await outboxRows(t.store.db, 'late')).toHaveLength(0);
    expect(await outboxRows(t.store.db, 'early')).toHaveLength(3);
    await insertTestEvents(t.store, [eventRow()]);
    await exporter.flush();
    expect(await outboxRows(t.store.db, 'late')).toHaveLength(1);
    expect(a.received).toHaveLength(5);
  });

  it('refuses to start with a destination it may not reach, naming the sink', async () => {
    await expect(
      startExporter(t.store, exportConfig([{ name: 'siem', type: 'ocsf_http', url: 'http://127.0.0.1:9/x' }]), {
        logger: silent,
        background: false,
      }),
    ).rejects.toThrow(/export\.sinks\.0 \("siem"\): destination 127\.0\.0\.1 is a loopback address/);
    // Names are resolved at start: localhost is loopback, refused unless private addresses are allowed.
    await expect(
      startExporter(t.store, exportConfig([{ name: 'lh', type: 'slack', url: 'http://localhost:9/x' }]), {
        logger: silent,
        background: false,
      }),
    ).rejects.toThrow(/"lh".*localhost resolves to .* loopback/);
    // Metadata names and link-local literals are refused when the configuration is read.
    expect(() =>
      exportConfig([{ name: 'meta', type: 'webhook', url: 'http://metadata.google.internal/x', secret: SECRET }]),
    ).toThrow(/sink \\"meta\\": url names a cloud metadata service/);
  });
});
