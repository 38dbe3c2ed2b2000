import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ExportConfig, SinkConfig } from '../config/export.schema.js';
import { AppError } from '../errors/app-error.js';
import { purgeDelivered, releaseClaims } from '../store/export-outbox.repo.js';
import { settledMaxEventId } from '../store/export-sources.repo.js';
import type { Store } from '../store/store.js';
import { registerExportMetrics, type ExportMetrics } from './export-metrics.js';
import { SinkDispatcher } from './outbox-dispatcher.js';
import { feedOnce } from './outbox-feeder.js';
import { checkDestination } from './outbound-url.js';
import { sinkSources } from './sink-filter.js';
import { createSink } from './sinks/create-sink.js';
import type { Sink } from './sinks/sink.js';

/**
 * The exporter `steward serve` runs (docs/exports.md): one feeder loop (sources → outbox, every
 * `export.pollIntervalMs`), one dispatcher loop per sink (outbox → receiver; woken when the feeder enqueued for it,
 * otherwise polling, and sleeping through its backoff after a failure), and an hourly purge of delivered rows past
 * `export.deliveredRetentionHours`. Everything it knows is in the store, so a restart resumes where it stopped.
 */
export interface Exporter {
  readonly dispatchers: ReadonlyMap<string, SinkDispatcher>;
  /** Feeds and dispatches until every sink is caught up or failing (tests, `steward export flush`). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const PURGE_EVERY_MS = 60 * 60 * 1000;
/** Longest a start-up DNS check of a sink's destination may take. */
const DNS_CHECK_MS = 2_000;
const FEED_CHUNK = 1_000;
/** Chunks one sink and source may feed in one pass before the others get a turn. */
const FEED_CHUNKS_PER_PASS = 20;

/** Host names and addresses of a sink, for the start-up check. */
function destinationHost(s: SinkConfig): string | undefined {
  if (s.type === 'ocsf_file') return undefined;
  if (s.type === 'syslog') return s.host;
  return new URL(s.url).hostname.replace(/^\[|\]$/g, '');
}

/**
 * Refuses to start with a sink whose destination is forbidden (outbound-url.ts), naming the sink. A name that does
 * not resolve now is only logged: DNS may come back, and every connection is checked again.
 */
export async function checkSinkDestinations(sinks: readonly SinkConfig[], logger: Pick<Logger, 'warn'>): Promise<void> {
  const checks = sinks.map(async (s, i) => {
    const host = s.enabled ? destinationHost(s) : undefined;
    if (host === undefined) return;
    // A slow resolver must not hold up the start: an answer not in within the limit counts as unresolved.
    const timeout = new Promise<{ unresolved: string }>((resolve) =>
      setTimeout(() => resolve({ unresolved: `no DNS answer within ${DNS_CHECK_MS} ms` }), DNS_CHECK_MS).unref(),
    );
    const r: { problem?: string; unresolved?: string } = await Promise.race([checkDestination(host, s), timeout]);
    if (r.problem) throw new AppError('config_invalid', `export.sinks.${i} ("${s.name}"): destination ${r.problem}`);
    if (r.unresolved)
      logger.warn({ sink: s.name, host }, `export sink destination does not resolve now: ${r.unresolved}`);
  });
  await Promise.all(checks);
}

/** Leases long enough for a claim's deliveries to finish (only a crashed replica's claims ever expire). */
function leaseMs(sink: Sink, claim: number): number {
  const c = sink.config;
  const perRequest = c.timeoutMs + (c.type === 'splunk_hec' && c.ackEnabled ? c.ackTimeoutMs : 0);
  const requests = sink.maxBatch === 1 ? claim : 1;
  return 30_000 + perRequest * requests + (c.type === 'syslog' ? c.confirmMs : 0);
}

class Loop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private started = false;
  private stopped = false;
  private wakeRequested = false;

  constructor(private readonly run: () => Promise<number>) {}

  start(): void {
    this.started = true;
    this.schedule(0);
  }

  /** Run as soon as possible (again, if a run is in progress). */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.running) this.wakeRequested = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.run()
        .then((next) => {
          this.running = null;
          const again = this.wakeRequested ? 0 : next;
          this.wakeRequested = false;
          this.schedule(again);
        })
        .catch(() => {
          this.running = null;
          this.schedule(1_000);
        });
    }, ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

export interface ExporterOptions {
  logger: Logger;
  registry?: Registry | undefined;
  now?: () => number;
  /** false: no background loops (tests drive it with flush()). */
  background?: boolean;
}

/** Sinks checked and built, not yet running: what `steward serve` does before it opens the store. */
export interface PreparedExporter {
  start(store: Store, opts: Omit<ExporterOptions, 'logger'>): Exporter;
}

/**
 * Checks every sink's destination (outbound-url.ts) and builds the sinks (a TLS CA file is read here), so a bad
 * export configuration stops `steward serve` before anything else starts, with the sink named.
 */
export async function prepareExporter(config: ExportConfig, logger: Logger): Promise<PreparedExporter> {
  await checkSinkDestinations(config.sinks, logger);
  const sinks: Sink[] = [];
  for (const [i, s] of config.sinks.entries()) {
    if (!s.enabled) continue;
    try {
      sinks.push(createSink(s, config.batchSize));
    } catch (err) {
      throw new AppError('config_invalid', `export.sinks.${i} ("${s.name}"): ${(err as Error).message}`);
    }
  }
  return { start: (store, opts) => runExporter(store, config, sinks, { ...opts, logger }) };
}

export async function startExporter(store: Store, config: ExportConfig, opts: ExporterOptions): Promise<Exporter> {
  return (await prepareExporter(config, opts.logger)).start(store, opts);
}

function runExporter(store: Store, config: ExportConfig, sinks: readonly Sink[], opts: ExporterOptions): Exporter {
  const { logger } = opts;
  const now = opts.now ?? Date.now;
  // SQLite is one process: no other dispatcher can hold a lease, so leases left by a crash are void at once.
  const ready =
    store.dialect === 'sqlite'
      ? releaseClaims(
          store.db,
          sinks.map((s) => s.config.name),
        ).catch((err: unknown) => logger.error({ err }, 'export: could not release leases left by the last run'))
      : Promise.resolve();
  const metrics: ExportMetrics | null = opts.registry
    ? registerExportMetrics(
        opts.registry,
        store,
        config.sinks.map((s) => s.name),
      )
    : null;
  const abort = new AbortController();
  const dispatchers = new Map<string, SinkDispatcher>();
  const loops = new Map<string, Loop>();
  for (const sink of sinks) {
    const name = sink.config.name;
    const claim = sink.maxBatch === 1 ? Math.min(config.batchSize, 25) : config.batchSize;
    const d = new SinkDispatcher(
      store,
      sink,
      { ...config, leaseMs: leaseMs(sink, claim) },
      {
        delivered: (n) => metrics?.delivered.inc({ sink: name }, n),
        failed: (n, error) => {
          metrics?.failures.inc({ sink: name }, n);
          logger.warn({ sink: name, records: n, error }, 'export delivery failed; will retry');
        },
        dead: (n) => logger.error({ sink: name, records: n }, 'export records moved to dead letters'),
      },
    );
    dispatchers.set(name, d);
    loops.set(
      name,
      new Loop(async () => {
        try {
          await ready;
          const r = await d.runOnce(now(), abort.signal);
          if (r.more) return 0;
        } catch (err) {
          logger.error({ err, sink: name }, 'export dispatcher failed');
        }
        const paused = d.pausedUntil - now();
        return paused > 0 ? Math.min(paused, config.pollIntervalMs * 60) : config.pollIntervalMs;
      }),
    );
  }

  /** One feeding pass; true when every sink and source is caught up. */
  const feedAll = async (): Promise<boolean> => {
    let caughtUp = true;
    let settled: Promise<number> | undefined;
    const eventsUpto = (): Promise<number> => (settled ??= settledMaxEventId(store));
    for (const sink of sinks) {
      for (const source of sinkSources(sink.config)) {
        for (let i = 0; i < FEED_CHUNKS_PER_PASS && !abort.signal.aborted; i++) {
          const r = await feedOnce(store, sink, source, { chunk: FEED_CHUNK, now: now(), eventsUpto });
          if (r.enqueued > 0) loops.get(sink.config.name)?.wake();
          if (r.caughtUp) break;
          if (i === FEED_CHUNKS_PER_PASS - 1) caughtUp = false;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    return caughtUp;
  };

  let lastPurge = 0;
  const feeder = new Loop(async () => {
    let caughtUp = true;
    try {
      caughtUp = await feedAll();
      if (now() - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = now();
        const purged = await purgeDelivered(store.db, now() - config.deliveredRetentionHours * 3_600_000);
        if (purged > 0) logger.info({ purged }, 'export: purged delivered outbox rows');
      }
    } catch (err) {
      logger.error({ err }, 'export feeder failed');
    }
    return caughtUp ? config.pollIntervalMs : 0;
  });

  if (sinks.length > 0 && opts.background !== false) {
    feeder.start();
    for (const l of loops.values()) l.start();
    logger.info({ sinks: sinks.map((s) => `${s.config.name} (${s.config.type})`) }, 'exports started');
  }

  return {
    dispatchers,
    async flush() {
      await ready;
      while (!(await feedAll()));
      for (const d of dispatchers.values()) {
        for (;;) {
          const r = await d.runOnce(now(), abort.signal);
          if (!r.more) break;
        }
      }
    },
    async stop() {
      abort.abort();
      await Promise.all([feeder.stop(), ...[...loops.values()].map((l) => l.stop())]);
      await Promise.all(sinks.map((s) => s.close()));
    },
  };
}
