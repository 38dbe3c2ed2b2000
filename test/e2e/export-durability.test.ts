import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { startHecReceiver, type HecReceiver } from '../support/export-receivers.js';
import { claudeLogs } from '../support/otlp.js';
import { createTokenWithCli, ensureBuilt, spawnSteward, type StewardProcess } from '../support/steward-process.js';
import { waitFor } from '../support/steward.js';

/**
 * DESIGN §10 for exports: the outbox loses nothing when the sink is down or Steward dies. Steward runs as the built
 * CLI in its own process so it can be killed for real (SIGKILL); telemetry keeps arriving over OTLP throughout, and
 * a Splunk HEC receiver with indexer acknowledgement
 *   1. goes down mid-stream (connections dropped, port closed) and comes back,
 *   2. then acknowledges slowly, and Steward is killed -9 while a batch waits for its acknowledgement,
 *   3. and Steward is started again on the same data directory.
 * Every event whose OTLP export was answered 200 must reach the receiver at least once; duplicates may only come
 * from batches in flight at a disruption (at most one batch per disruption).
 */
const TOKEN = 'hec-durability-token';
const BATCH = 25;
const EVENTS_PER_EXPORT = 10;

let dataDir: string;
let hec: HecReceiver;
let steward: StewardProcess | undefined;

beforeAll(async () => {
  await ensureBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'steward-export-durability-'));
  hec = await startHecReceiver({ token: TOKEN, ack: true });
}, 180_000);

afterAll(async () => {
  if (steward && steward.child.exitCode === null) {
    steward.child.kill('SIGKILL');
    await steward.exited;
  }
  await hec?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function env(): Record<string, string> {
  return {
    STEWARD_EXPORT_SINKS: JSON.stringify([
      {
        name: 'splunk',
        type: 'splunk_hec',
        url: hec.url,
        token: TOKEN,
        ackEnabled: true,
        allowPrivateAddresses: true,
        startFrom: 'earliest',
        filters: { sources: ['events'] },
        timeoutMs: 2_000,
      },
    ]),
    STEWARD_EXPORT_POLL_INTERVAL_MS: '50',
    STEWARD_EXPORT_BATCH_SIZE: String(BATCH),
    STEWARD_EXPORT_BACKOFF_BASE_MS: '50',
    STEWARD_EXPORT_BACKOFF_MAX_MS: '300',
    STEWARD_ANALYTICS_REFRESH_INTERVAL_MS: '0',
  };
}

function sessionOf(e: { event: Record<string, unknown> }): string | undefined {
  return (e.event.actor as { session?: { uid?: string } } | undefined)?.session?.uid;
}

it('a sink killed mid-stream and Steward killed -9 lose no acknowledged event; duplicates only from batches in flight', async () => {
  const ingestToken = await createTokenWithCli(dataDir, 'ingest');
  steward = await spawnSteward({ dataDir, env: env() });
  let url = steward.url;
  const acked: string[] = [];
  let sending = true;
  const sender = (async () => {
    for (let b = 0; sending; b++) {
      const sessionId = `durable-${b}`;
      try {
        const res = await fetch(`${url}/v1/logs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(claudeLogs({ sessionId, count: EVENTS_PER_EXPORT })),
        });
        await res.arrayBuffer();
        if (res.status === 200) acked.push(sessionId);
      } catch {
        // Steward is down (killed): the export was not acknowledged, so it does not count.
      }
      await sleep(15);
    }
  })();

  // 1. The receiver goes down mid-stream while events keep arriving, then comes back.
  await waitFor(async () => hec.received.length >= 3 * BATCH, 30_000);
  await hec.stop();
  await sleep(800);
  await hec.restart();
  await waitFor(async () => hec.received.length >= 8 * BATCH, 30_000);

  // 2. Acknowledgements slow down; Steward is killed -9 while a batch waits for its ackId.
  hec.ackDelayMs = 400;
  const polls = hec.ackPolls;
  await waitFor(async () => hec.ackPolls > polls + 1, 30_000);
  steward.child.kill('SIGKILL');
  await steward.exited;
  hec.ackDelayMs = 0;

  // 3. Steward starts again on the same data directory; senders carry on, then stop.
  steward = await spawnSteward({ dataDir, env: env() });
  url = steward.url;
  await sleep(1_000);
  sending = false;
  await sender;

  const expected = new Set(acked);
  expect(expected.size).toBeGreaterThan(20);
  const distinctPerSession = (): Map<string, Set<string>> => {
    const m = new Map<string, Set<string>>();
    for (const e of hec.received) {
      const s = sessionOf(e);
      if (s === undefined || !expected.has(s)) continue;
      const set = m.get(s) ?? new Set<string>();
      set.add(String(e.fields?.steward_uid));
      m.set(s, set);
    }
    return m;
  };
  await waitFor(async () => {
    const m = distinctPerSession();
    return [...expected].every((s) => m.get(s)?.size === EVENTS_PER_EXPORT);
  }, 60_000);

  // Nothing acknowledged was lost; duplicates are bounded by the batches in flight at the two disruptions.
  const uids = hec.received.map((e) => String(e.fields?.steward_uid));
  const duplicates = uids.length - new Set(uids).size;
  expect(duplicates).toBeLessThanOrEqual(2 * BATCH);

  // Drain (SIGTERM) and look at the outbox: everything delivered, nothing dead or still claimed.
  steward.child.kill('SIGTERM');
  expect((await steward.exited).code).toBe(0);
  const store = await openStore({ dataDir });
  try {
    const rows = await store.db
      .selectFrom('export_outbox')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    expect(rows.map((r) => r.state)).toEqual(['delivered']);
    const events = await store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(rows[0]!.n)).toBe(Number(events.n));
    console.log(
      `export durability: ${acked.length} exports acknowledged, ${Number(events.n)} events, ` +
        `${uids.length} HEC deliveries, ${duplicates} duplicates`,
    );
  } finally {
    await store.close();
  }
}, 180_000);
